"""When a turnaround is at risk or breached, as pure functions: a writer's projected completions and the working
hours left before a due date.

A draft is due by the end of the working day on its due date: 17:00 Europe/London, the end of the working hours
offers already use (09:00-17:00, service/offers/window.py). A writer works their held bundles earliest-due first at
their contract's hours per working day, not on leave (the allocation engine's rule, `days_needed`, reused here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from contracts.allocation import InstanceWriter
from service.allocation.engine import days_needed
from service.calendar import WorkingCalendar
from service.clock import LONDON
from service.offers.window import DAY_END, DAY_START

HORIZON_DAYS = 730


class AlertKind(StrEnum):
    AT_RISK = "at_risk"
    BREACHED = "breached"


def due_moment(due: date) -> datetime:
    """The instant a turnaround due on `due` is breached: 17:00 London that day (aware, UTC)."""
    return datetime.combine(due, DAY_END, tzinfo=LONDON).astimezone(UTC)


def working_hours_left(now: datetime, due: date, calendar: WorkingCalendar) -> float:
    """Working hours (09:00-17:00 London on working days) from `now` to the end of `due`; 0 once past."""
    local = now.astimezone(LONDON)
    if local >= datetime.combine(due, DAY_END, tzinfo=LONDON):
        return 0.0
    day_hours = (datetime.combine(date.min, DAY_END) - datetime.combine(date.min, DAY_START)).total_seconds() / 3600
    today = local.date()
    hours = 0.0
    if calendar.is_working_day(today):
        start = max(local, datetime.combine(today, DAY_START, tzinfo=LONDON))
        end = datetime.combine(today, DAY_END, tzinfo=LONDON)
        hours += max(0.0, (end - start).total_seconds() / 3600)
    if due > today:
        hours += day_hours * calendar.working_days_between(today, due)
    return round(hours, 4)


@dataclass(frozen=True)
class HeldWork:
    """A bundle a writer holds: its id, the hours left on it and its turnaround due date."""

    key: str
    effort_hours: float
    due: date


def projected_completions(work: Sequence[HeldWork], writer: InstanceWriter, today: date,
                          calendar: WorkingCalendar) -> dict[str, date | None]:
    """When the writer finishes each held bundle, working earliest-due first; None when never (no hours)."""
    me = writer.model_copy(update={"committed_hours": 0.0})
    leave = set(writer.leave)
    latest = max([today, *(w.due for w in work)])
    days = [d for d in calendar.working_days(today, latest + timedelta(days=HORIZON_DAYS)) if d not in leave]
    out: dict[str, date | None] = {}
    running = 0.0
    for item in sorted(work, key=lambda w: (w.due, w.key)):
        running += item.effort_hours
        n = days_needed(running, me)
        out[item.key] = None if n is None or n > len(days) else (today if n == 0 else days[n - 1])
    return out


@dataclass(frozen=True)
class Assessment:
    kind: AlertKind | None
    reason: str
    hours_left: float


def assess(now: datetime, due: date, calendar: WorkingCalendar, *, threshold_hours: float,
           projected: date | None = None, held: bool = False) -> Assessment:
    """Breached at the due moment; at risk when the projection passes the due date (or the writer has no hours
    for it), or fewer than `threshold_hours` working hours remain; else fine."""
    hours = working_hours_left(now, due, calendar)
    if now >= due_moment(due):
        return Assessment(AlertKind.BREACHED, "the turnaround due date has passed", hours)
    if held and projected is None:
        return Assessment(AlertKind.AT_RISK, "the writer has no hours to finish it", hours)
    if projected is not None and projected > due:
        return Assessment(AlertKind.AT_RISK, "the writer's projected completion is after the due date", hours)
    if hours < threshold_hours:
        return Assessment(AlertKind.AT_RISK, f"fewer than {threshold_hours:g} working hours remain", hours)
    return Assessment(None, "on track", hours)
