"""At risk and breached, pure: working hours left before the due moment and a writer's projected completions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.allocation import InstanceWriter
from service.calendar import WorkingCalendar
from service.sla.risk import AlertKind, HeldWork, assess, due_moment, projected_completions, working_hours_left

CAL = WorkingCalendar()


def writer(hours_per_day: float = 6.0, leave: list[date] | None = None) -> InstanceWriter:
    return InstanceWriter(id="w", hours_per_day=hours_per_day, skills=["new_plan"], max_concurrent=3,
                          leave=leave or [], dbs_expires=date(2030, 1, 1), committed_hours=99.0)


def test_a_turnaround_is_breached_at_five_pm_london_on_its_due_date() -> None:
    assert due_moment(date(2026, 6, 10)) == datetime(2026, 6, 10, 16, 0, tzinfo=UTC)  # BST
    assert due_moment(date(2026, 12, 10)) == datetime(2026, 12, 10, 17, 0, tzinfo=UTC)  # GMT


def test_working_hours_left_skip_nights_weekends_and_bank_holidays() -> None:
    # Thu 2 Apr 2026 13:00 BST: 4 hours that day, then Good Friday and Easter Monday off, Tue 7 Apr 8 hours
    now = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
    assert working_hours_left(now, date(2026, 4, 7), CAL) == 12.0
    assert working_hours_left(now, date(2026, 4, 2), CAL) == 4.0
    # Saturday evening: nothing left today, Mon 8 hours
    assert working_hours_left(datetime(2026, 6, 6, 18, 0, tzinfo=UTC), date(2026, 6, 8), CAL) == 8.0
    assert working_hours_left(datetime(2026, 6, 8, 17, 0, tzinfo=UTC), date(2026, 6, 8), CAL) == 0.0


def test_a_writer_works_held_bundles_earliest_due_first_and_not_on_leave() -> None:
    # from Mon 1 Jun 2026 at 6 hours a day: 12 hours due Wed 3 done Tue 2; the next 12 done Thu 4
    work = [HeldWork("late", 12.0, date(2026, 6, 10)), HeldWork("soon", 12.0, date(2026, 6, 3))]
    assert projected_completions(work, writer(), date(2026, 6, 1), CAL) == {
        "soon": date(2026, 6, 2), "late": date(2026, 6, 4)}
    # on leave Mon 1 and Tue 2: the first finishes Thu 4, after its due date
    on_leave = projected_completions(work, writer(leave=[date(2026, 6, 1), date(2026, 6, 2)]), date(2026, 6, 1), CAL)
    assert on_leave == {"soon": date(2026, 6, 4), "late": date(2026, 6, 8)}
    assert projected_completions(work, writer(hours_per_day=0), date(2026, 6, 1), CAL) == {"soon": None, "late": None}


def test_assess_names_the_crossing() -> None:
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # Wed 13:00 BST
    assert assess(now, date(2026, 6, 9), CAL, threshold_hours=8).kind == AlertKind.BREACHED
    assert assess(now, date(2026, 6, 10), CAL, threshold_hours=8).kind == AlertKind.AT_RISK  # 4 hours left
    assert assess(now, date(2026, 6, 11), CAL, threshold_hours=8).kind is None  # 12 hours left
    late = assess(now, date(2026, 6, 20), CAL, threshold_hours=8, projected=date(2026, 6, 22), held=True)
    assert late.kind == AlertKind.AT_RISK and "projected" in late.reason
    assert assess(now, date(2026, 6, 20), CAL, threshold_hours=8, projected=None, held=True).kind == AlertKind.AT_RISK
    assert assess(now, date(2026, 6, 20), CAL, threshold_hours=8, projected=date(2026, 6, 19), held=True).kind is None
