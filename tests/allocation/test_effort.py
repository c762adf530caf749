"""Effort hours from work type and pages; weight from express turnaround and the statutory date."""

from __future__ import annotations

from datetime import date

import pytest

from service.allocation.effort import DEFAULT_EFFORT, EffortRule, effort_hours, weight


def test_new_plan_takes_longer_than_an_annual_review_amendment() -> None:
    assert effort_hours("new_plan", 40) > effort_hours("annual_review_amendment", 40)


def test_effort_grows_with_pages_and_is_capped() -> None:
    assert effort_hours("new_plan", 0) == 8.0
    assert effort_hours("new_plan", 40) == 14.0
    assert effort_hours("new_plan", 10_000) == DEFAULT_EFFORT["new_plan"].cap_hours


def test_a_contract_can_bring_its_own_table() -> None:
    table = {"new_plan": EffortRule(base_hours=10.0, hours_per_10_pages=2.0, cap_hours=20.0)}
    assert effort_hours("new_plan", 20, table) == 14.0
    with pytest.raises(ValueError, match="phase_transfer"):
        effort_hours("phase_transfer", 20, table)


def test_negative_pages_are_refused() -> None:
    with pytest.raises(ValueError, match="pages"):
        effort_hours("new_plan", -1)


def test_express_and_a_close_statutory_date_raise_the_weight() -> None:
    due = date(2027, 2, 1)
    plain = weight(due=due)
    assert plain == 1.0
    assert weight(due=due, express=True) > plain
    assert weight(due=due, statutory_date=date(2027, 2, 5)) > weight(
        due=due, statutory_date=date(2027, 2, 15)
    )
    assert weight(due=due, statutory_date=date(2027, 2, 15)) > weight(
        due=due, statutory_date=date(2027, 4, 1)
    )
    assert weight(due=due, statutory_date=date(2027, 4, 1)) == plain
