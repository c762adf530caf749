"""An offer's response window in working hours: 09:00-17:00 Europe/London on working days of the calendar."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from service.calendar import WorkingCalendar
from service.clock import LONDON

DAY_START = time(9, 0)
DAY_END = time(17, 0)


def _at(day: object, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=LONDON)  # type: ignore[arg-type]


def offer_deadline(start: datetime, working_hours: float, calendar: WorkingCalendar) -> datetime:
    """The moment `working_hours` of working time after `start` have passed (aware, UTC)."""
    if working_hours < 0:
        raise ValueError("working_hours must be 0 or more")
    now = start.astimezone(LONDON)
    remaining = timedelta(hours=working_hours)
    day = now.date()
    if not calendar.is_working_day(day) or now.timetz().replace(tzinfo=None) >= DAY_END:
        day = calendar.next_working_day(day)
        cursor = _at(day, DAY_START)
    else:
        cursor = max(now, _at(day, DAY_START))
    while True:
        left_today = _at(cursor.date(), DAY_END) - cursor
        if remaining <= left_today:
            return (cursor + remaining).astimezone(UTC)
        remaining -= left_today
        cursor = _at(calendar.next_working_day(cursor.date()), DAY_START)
