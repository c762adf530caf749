"""Guards on the models themselves."""

from __future__ import annotations

import inspect

from tortoise.models import Model

import service.models as models


def test_no_model_docstring_has_a_semicolon() -> None:
    # tortoise uses the docstring as the table comment and splits migration SQL on ';'
    offenders = [name for name, obj in vars(models).items()
                 if inspect.isclass(obj) and issubclass(obj, Model) and ";" in (obj.__doc__ or "")]
    assert offenders == []
