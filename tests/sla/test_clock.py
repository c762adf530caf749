"""The SLA clocks, pinned by hand over weekends, bank holidays, contract closures and pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.calendar import WorkingCalendar
from service.clock import london_date
from service.sla.clock import (
    ClockState,
    InvalidTurnaroundTable,
    Pause,
    clock,
    contract_days,
    derived_statutory_date,
    statutory_at_risk,
    statutory_date,
    statutory_deliver_by,
    turnaround_due,
    turnaround_working_days,
    twenty_week_date,
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


# --- the edges: bank holidays, weekends, the clock changes, statutory dates that fall on closed days ---


@settings(max_examples=200, deadline=None)
@given(
    queued=st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31)),
    days=st.integers(min_value=1, max_value=30),
    start=st.integers(0, 30),
    length=st.integers(0, 25),
)
def test_a_pause_adds_exactly_the_working_days_it_covered(queued: date, days: int, start: int, length: int) -> None:
    """Whatever it spans (weekends, bank holidays, the clocks going forward or back), a pause that starts before the
    due date moves it by the working days in (start, end] and by nothing else."""
    pause = Pause(queued + timedelta(days=start), queued + timedelta(days=start + length))
    plain = turnaround_due(queued, days, [], CAL)
    paused = turnaround_due(queued, days, [pause], CAL)
    if pause.start >= plain:
        assert paused == plain
    else:
        assert CAL.working_days_between(plain, paused) == CAL.working_days_between(pause.start, pause.end)


def test_a_pause_over_easter_and_the_clock_change_gives_back_one_working_day() -> None:
    # paused Thursday 25 March 2027, answered Tuesday 30 March: Good Friday, the weekend (the clocks went forward
    # on Sunday 28th) and Easter Monday are not working days, so only Tuesday is given back
    queued = date(2027, 3, 22)
    assert turnaround_due(queued, 5, [], CAL) == date(2027, 3, 31)  # Tue, Wed, Thu, Tue, Wed
    assert turnaround_due(queued, 5, [Pause(date(2027, 3, 25), date(2027, 3, 30))], CAL) == date(2027, 4, 1)


def test_pauses_are_dated_in_london_across_the_clock_changes() -> None:
    # 23:30 UTC on Saturday 27 March 2027 is still Saturday in London (GMT); 23:30 UTC on Sunday 28th is Monday
    # 29th 00:30 BST; in October the same happens the other way round
    assert london_date(datetime(2027, 3, 27, 23, 30, tzinfo=UTC)) == date(2027, 3, 27)
    assert london_date(datetime(2027, 3, 28, 23, 30, tzinfo=UTC)) == date(2027, 3, 29)
    assert london_date(datetime(2027, 10, 30, 23, 30, tzinfo=UTC)) == date(2027, 10, 31)  # 00:30 BST, Sunday
    assert london_date(datetime(2027, 10, 31, 23, 30, tzinfo=UTC)) == date(2027, 10, 31)  # 23:30 GMT


@pytest.mark.parametrize(("statutory", "deliver_by"), [
    (date(2026, 2, 15), date(2026, 2, 13)),  # 15 February 2026 is a Sunday: with the LA by Friday 13th
    (date(2027, 2, 15), date(2027, 2, 15)),  # a Monday: the day itself
    (date(2029, 3, 31), date(2029, 3, 29)),  # a Saturday, and Friday 30th is Good Friday: Thursday 29th
    (date(2024, 3, 31), date(2024, 3, 28)),  # Easter Sunday 2024: Good Friday before it, so Thursday 28th
    (date(2027, 12, 27), date(2027, 12, 24)),  # a 20-week date on the Christmas substitute day
])
def test_a_statutory_date_on_a_closed_day_does_not_move_but_the_work_is_due_the_working_day_before(
    statutory: date, deliver_by: date,
) -> None:
    assert statutory_deliver_by(statutory, CAL) == deliver_by


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), st.booleans())
def test_phase_transfer_dates_never_move_and_the_work_is_due_by_the_last_working_day_before(
    queued: date, post16: bool,
) -> None:
    statutory = derived_statutory_date("phase_transfer", ["post16"] if post16 else [], queued)
    assert statutory is not None and (statutory.month, statutory.day) == ((3, 31) if post16 else (2, 15))
    assert queued <= statutory < queued + timedelta(days=366)
    by = statutory_deliver_by(statutory, CAL)
    assert CAL.is_working_day(by) and by <= statutory
    assert CAL.working_days_between(by, statutory) == 0  # no working day after it, up to the statutory date
    assert not statutory_at_risk(by, statutory, CAL)
    assert statutory_at_risk(CAL.next_working_day(by), statutory, CAL)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_the_twenty_week_date_counts_calendar_weeks(requested: date) -> None:
    final = twenty_week_date(requested)
    assert (final - requested).days == 140 and final.weekday() == requested.weekday()
    assert statutory_deliver_by(final, CAL) <= final


def test_a_turnaround_due_on_the_friday_before_a_sunday_deadline_is_not_at_risk() -> None:
    # queued 2 February 2026 for a school-phase transfer: 15 February is a Sunday
    shown = clock(status="drafting", work_type="phase_transfer", tier="standard", requires=[],
                  queued_on=date(2026, 2, 2), given_statutory=None, table={"standard": 9}, pauses=[],
                  today=date(2026, 2, 3), calendar=CAL)
    assert shown.turnaround_due == date(2026, 2, 13) and shown.statutory_due == date(2026, 2, 15)
    assert not shown.statutory_at_risk
    later = clock(status="drafting", work_type="phase_transfer", tier="standard", requires=[],
                  queued_on=date(2026, 2, 2), given_statutory=None, table={"standard": 10}, pauses=[],
                  today=date(2026, 2, 3), calendar=CAL)
    assert later.turnaround_due == date(2026, 2, 16) and later.statutory_at_risk  # Monday: after the deadline
