"""The instance contract: defaults as ALLOCATION.md states them, bad values refused with the field path."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from contracts.allocation import Instance
from tests.allocation.conftest import bundle, writer


def validate(writers: list[dict[str, Any]], bundles: list[dict[str, Any]]) -> Instance:
    return Instance.model_validate({"now": "2027-01-11", "writers": writers, "bundles": bundles})


def test_defaults_follow_the_design() -> None:
    inst = validate([writer("w-1")], [bundle("b-1")])
    w, b = inst.writers[0], inst.bundles[0]
    assert (w.active_bundles, w.committed_hours, w.leave, w.excluded_las) == (0, 0.0, [], [])
    assert (b.weight, b.requires, b.preferred_writer) == (1.0, [], None)
    assert (inst.calendar.region, inst.calendar.extra_closures) == ("england-and-wales", [])


@pytest.mark.parametrize(
    ("writers", "bundles", "path"),
    [
        ([writer("")], [], ("writers", 0, "id")),
        ([writer("w-1", hours_per_day=-1)], [], ("writers", 0, "hours_per_day")),
        ([writer("w-1", max_concurrent=-1)], [], ("writers", 0, "max_concurrent")),
        ([writer("w-1", committed_hours=float("nan"))], [], ("writers", 0, "committed_hours")),
        ([], [bundle("b-1", effort_hours=-0.5)], ("bundles", 0, "effort_hours")),
        ([], [bundle("b-1", weight=0)], ("bundles", 0, "weight")),
        ([], [bundle("b-1", due="next week")], ("bundles", 0, "due")),
        ([], [bundle("b-1", la="")], ("bundles", 0, "la")),
    ],
)
def test_bad_values_are_refused_at_their_field(
    writers: list[dict[str, Any]], bundles: list[dict[str, Any]], path: tuple[Any, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        validate(writers, bundles)
    assert path in [e["loc"] for e in caught.value.errors()]


def test_duplicate_ids_are_named() -> None:
    with pytest.raises(ValidationError, match="w-1"):
        validate([writer("w-1"), writer("w-1")], [])
    with pytest.raises(ValidationError, match="b-7"):
        validate([], [bundle("b-7"), bundle("b-7")])
