"""The instants the suite must pass at: `pytest --clock NAME` (or an ISO instant) starts the whole run there.

CI runs the date-dependent tests (`-m dated`, see tests/conftest.py) at every one of them, so a test that reads
the real date and holds only on weekdays fails the day it is written, not the first weekend after.
"""

from __future__ import annotations

from datetime import UTC, datetime

INSTANTS: dict[str, datetime] = {
    "weekday": datetime(2026, 12, 9, 10, 0, tzinfo=UTC),  # Wednesday, GMT
    "saturday": datetime(2026, 12, 12, 10, 0, tzinfo=UTC),
    "sunday": datetime(2026, 12, 13, 10, 0, tzinfo=UTC),
    "christmas-day": datetime(2026, 12, 25, 12, 0, tzinfo=UTC),  # a Friday bank holiday
    "new-year-eve-late": datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # still 31 December in London (GMT)
    "good-friday": datetime(2027, 3, 26, 10, 0, tzinfo=UTC),
    # 28 March 2027: the clocks go forward at 01:00 GMT (to 02:00 BST); also Easter Sunday
    "spring-forward-0030": datetime(2027, 3, 28, 0, 30, tzinfo=UTC),  # 00:30 London, GMT
    "spring-forward-0130": datetime(2027, 3, 28, 1, 30, tzinfo=UTC),  # 02:30 London, BST (01:30 never happens)
    "last-working-day-of-month": datetime(2027, 4, 30, 16, 30, tzinfo=UTC),  # Friday 17:30 BST
    # 31 October 2027: the clocks go back at 02:00 BST (to 01:00 GMT): 01:30 London happens twice
    "fall-back-first-0130": datetime(2027, 10, 31, 0, 30, tzinfo=UTC),  # 01:30 BST
    "fall-back-second-0130": datetime(2027, 10, 31, 1, 30, tzinfo=UTC),  # 01:30 GMT
    "leap-day": datetime(2028, 2, 29, 12, 0, tzinfo=UTC),  # a Tuesday
}


def instant(value: str) -> datetime:
    """A named instant, or an ISO 8601 instant with its offset (naive ones are UTC)."""
    if value in INSTANTS:
        return INSTANTS[value]
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        names = ", ".join(INSTANTS)
        raise ValueError(f"--clock: {value!r} is neither an ISO instant nor one of {names}") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)
