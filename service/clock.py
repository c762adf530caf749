"""The one clock of Planwright: every "now" and "today" in the service and the workers comes from here.

Instants are aware UTC datetimes. Dates meant for people (a due date, the day a bundle was queued or delivered,
a billing month, "today" in a report) are Europe/London calendar dates of those instants, and this module is the
one place that turns one into the other: 23:30 UTC on 31 March is 1 April in London (BST), 23:30 UTC on
31 December is still 31 December (GMT).

Nothing else calls `datetime.now`, `date.today` or `time.time` (tests/test_clock.py fails if one does). Tests
move time with time-machine, which moves the interpreter's clock itself, so the ORM's `auto_now` timestamps and
this module agree; the suite's `--clock` option starts a whole run at a chosen instant (see tests/conftest.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current instant (aware, UTC)."""
    return datetime.now(UTC)


def london(at: datetime) -> datetime:
    """An instant on London's wall clock (naive datetimes are taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(LONDON)


def london_date(at: datetime) -> date:
    """The Europe/London calendar date of an instant (naive datetimes are taken as UTC)."""
    return london(at).date()


def month_of(at: datetime) -> str:
    """The Europe/London month (YYYY-MM) of an instant: the billing month of an event."""
    return london(at).strftime("%Y-%m")


def today() -> date:
    """Today's date in London."""
    return london_date(now())
