"""The SLA clocks, pinned by hand over weekends, bank holidays, contract closures and pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.calendar import WorkingCalendar
from service.sla.clock import (
    ClockState,
    InvalidTurnaroundTable,
    Pause,
    clock,
    contract_days,
    derived_statutory_date,
    london_date,
    statutory_date,
    turnaround_due,
    turnaround_working_days,
    validate_turnaround_table,
    working_days_left,
)

CAL = WorkingCalendar()


def test_ten_working_days_skip_good_friday_and_easter_monday() -> None:
    # Mon 30 Mar 2026 + 10: 31, 1, 2, (Fri 3 and Mon 6 Apr are bank holidays), 7, 8, 9, 10, 13, 14, 15
    assert turnaround_due(date(2026, 3, 30), 10, [], CAL) == date(2026, 4, 15)


def test_express_over_christmas_skips_the_boxing_day_substitute_and_new_year() -> None:
    # Wed 23 Dec 2026 + 5: Thu 24, (Fri 25, Mon 28 substitute for Boxing Day), 29, 30, 31, (Fri 1 Jan), Mon 4 Jan
    assert turnaround_due(date(2026, 12, 23), 5, [], CAL) == date(2027, 1, 4)


def test_a_friday_queue_starts_counting_on_monday() -> None:
    assert turnaround_due(date(2026, 6, 5), 5, [], CAL) == date(2026, 6, 12)


def test_contract_closure_days_do_not_count() -> None:
    closed = WorkingCalendar(extra_closures=[date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)])
    # Thu 24, then nothing until Mon 4 Jan (1 Jan is a bank holiday): 24, 4, 5, 6, 7
    assert turnaround_due(date(2026, 12, 23), 5, [], closed) == date(2027, 1, 7)


def test_a_pause_gives_back_the_working_days_awaiting_the_la() -> None:
    # queued Mon 1 Jun 2026, 10 days: due Mon 15 Jun without a pause; paused Wed 3 to Mon 8 Jun gives back
    # Thu 4, Fri 5 and Mon 8: due Thu 18 Jun
    assert turnaround_due(date(2026, 6, 1), 10, [], CAL) == date(2026, 6, 15)
    assert turnaround_due(date(2026, 6, 1), 10, [Pause(date(2026, 6, 3), date(2026, 6, 8))], CAL) == date(2026, 6, 18)


def test_a_pause_over_a_bank_holiday_gives_back_only_working_days() -> None:
    # queued Tue 19 May 2026, 5 days: 20, 21, 22, (Mon 25 spring bank holiday), 26, 27
    assert turnaround_due(date(2026, 5, 19), 5, [], CAL) == date(2026, 5, 27)
    # paused Fri 22 to Tue 26: only Tue 26 is a working day in (22, 26]
    assert turnaround_due(date(2026, 5, 19), 5, [Pause(date(2026, 5, 22), date(2026, 5, 26))], CAL) == date(2026, 5, 28)


def test_an_open_pause_slides_the_due_date_and_freezes_the_days_left() -> None:
    pauses = [Pause(date(2026, 6, 3))]
    on_pause_day = turnaround_due(date(2026, 6, 1), 10, pauses, CAL, as_of=date(2026, 6, 3))
    two_days_on = turnaround_due(date(2026, 6, 1), 10, pauses, CAL, as_of=date(2026, 6, 5))
    assert on_pause_day == date(2026, 6, 15)
    assert two_days_on == date(2026, 6, 17)
    assert working_days_left(on_pause_day, date(2026, 6, 3), CAL) == 8
    assert working_days_left(two_days_on, date(2026, 6, 5), CAL) == 8


def test_overlapping_pauses_count_once() -> None:
    pauses = [Pause(date(2026, 6, 3), date(2026, 6, 8)), Pause(date(2026, 6, 4), date(2026, 6, 5))]
    assert turnaround_due(date(2026, 6, 1), 10, pauses, CAL) == date(2026, 6, 18)


def test_a_pause_after_the_due_date_gives_nothing_back() -> None:
    assert turnaround_due(date(2026, 6, 1), 5, [Pause(date(2026, 6, 9), date(2026, 6, 12))], CAL) == date(2026, 6, 8)


def test_working_days_left_is_zero_on_the_due_date_and_negative_after() -> None:
    due = date(2026, 4, 15)
    assert working_days_left(due, date(2026, 4, 2), CAL) == 7  # 7, 8, 9, 10, 13, 14, 15 (Easter in between)
    assert working_days_left(due, due, CAL) == 0
    assert working_days_left(due, date(2026, 4, 17), CAL) == -2


def test_turnaround_working_days_leave_out_the_pause() -> None:
    pauses = [Pause(date(2026, 6, 3), date(2026, 6, 8))]
    assert turnaround_working_days(date(2026, 6, 1), date(2026, 6, 18), pauses, CAL) == 10
    assert turnaround_working_days(date(2026, 6, 1), date(2026, 6, 18), [], CAL) == 13


@settings(max_examples=150, deadline=None)
@given(
    queued=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    days=st.integers(min_value=1, max_value=40),
    raw=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20)), max_size=3),
)
def test_a_bundle_delivered_on_its_due_date_took_exactly_its_turnaround(
    queued: date, days: int, raw: list[tuple[int, int]]
) -> None:
    pauses = [Pause(queued + timedelta(days=a), queued + timedelta(days=a + b)) for a, b in raw]
    due = turnaround_due(queued, days, pauses, CAL)
    assert CAL.is_working_day(due)
    assert turnaround_working_days(queued, due, pauses, CAL) == days


def test_the_contract_table_keeps_its_flat_shape_and_allows_per_work_type_entries() -> None:
    table: dict[str, object] = {"standard": 10, "express": 5, "new_plan": {"standard": 20}}
    assert contract_days(table, "new_plan", "standard") == 20
    assert contract_days(table, "new_plan", "express") == 5
    assert contract_days(table, "phase_transfer", "standard") == 10
    assert contract_days({}, "phase_transfer", "express") == 5
    validate_turnaround_table(table)
    for bad in ({"standard": 0}, {"express": "five"}, {"new_plan": {"urgent": 3}}, {"new_plan": 3}):
        with pytest.raises(InvalidTurnaroundTable):
            validate_turnaround_table(bad)


def test_phase_transfer_statutory_dates_follow_the_academic_year() -> None:
    assert derived_statutory_date("phase_transfer", [], date(2026, 11, 10)) == date(2027, 2, 15)
    assert derived_statutory_date("phase_transfer", ["post16"], date(2026, 11, 10)) == date(2027, 3, 31)
    assert derived_statutory_date("phase_transfer", [], date(2027, 2, 15)) == date(2027, 2, 15)
    assert derived_statutory_date("phase_transfer", [], date(2027, 2, 20)) == date(2028, 2, 15)
    assert derived_statutory_date("phase_transfer", ["post16"], date(2027, 2, 20)) == date(2027, 3, 31)
    assert derived_statutory_date("new_plan", [], date(2026, 11, 10)) is None
    assert statutory_date(date(2026, 12, 1), "phase_transfer", [], date(2026, 11, 10)) == date(2026, 12, 1)
    assert statutory_date(None, "phase_transfer", [], None) is None


def test_dates_are_london_dates() -> None:
    # 23:30 UTC on 30 June is already 1 July in London (BST); in January London is on UTC
    assert london_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert london_date(datetime(2026, 1, 30, 23, 30, tzinfo=UTC)) == date(2026, 1, 30)


def test_a_bundle_clock_runs_pauses_and_stops() -> None:
    base = {"work_type": "phase_transfer", "tier": "standard", "requires": [], "queued_on": date(2026, 6, 1),
            "given_statutory": None, "table": {"standard": 10}, "calendar": CAL}
    running = clock(status="drafting", pauses=[], today=date(2026, 6, 10), **base)  # type: ignore[arg-type]
    assert running.state == ClockState.RUNNING and running.turnaround_due == date(2026, 6, 15)
    assert running.working_days_left == 3 and running.statutory_due == date(2027, 2, 15)
    assert not running.statutory_at_risk
    paused = clock(status="awaiting_la", pauses=[Pause(date(2026, 6, 3))], today=date(2026, 6, 5), **base)  # type: ignore[arg-type]
    assert paused.state == ClockState.PAUSED and paused.paused and paused.working_days_left == 8
    done = clock(status="delivered", pauses=[], today=date(2026, 7, 1), delivered_on=date(2026, 6, 12), **base)  # type: ignore[arg-type]
    assert done.state == ClockState.STOPPED and done.working_days_left is None
    late = clock(status="drafting", pauses=[], today=date(2026, 6, 10),
                 **{**base, "given_statutory": date(2026, 6, 12)})  # type: ignore[arg-type]
    assert late.statutory_at_risk
    assert clock(status="draft", pauses=[], today=date(2026, 6, 10), **{**base, "queued_on": None}).state == (  # type: ignore[arg-type]
        ClockState.NOT_STARTED)
