"""Real parts the tests run (clamd, an OCR engine, node, a browser): skipped locally with the reason when missing,
but in CI (`CI=true`, set by .ci/run) a missing real part fails the test, so nothing passes there untried."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(reason: str) -> NoReturn:
    """Skip with the reason here; fail in CI, where .ci/run installs every real part."""
    if in_ci():
        pytest.fail(f"{reason} (CI installs it: see .ci/run)", pytrace=False)
    pytest.skip(reason)
