"""An offer's window counts working hours: 09:00-17:00 London time on working days only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.calendar import WorkingCalendar
from service.offers.window import offer_deadline

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(("start", "hours", "deadline"), [
    ("2027-01-11T10:00", 8, "2027-01-12T10:00"),  # Monday morning: one working day later
    ("2027-01-11T16:00", 2, "2027-01-12T10:00"),  # runs over the evening
    ("2027-01-15T16:30", 1, "2027-01-18T09:30"),  # Friday afternoon: over the weekend
    ("2027-01-16T12:00", 8, "2027-01-18T17:00"),  # Saturday: starts Monday 09:00
    ("2027-01-11T07:00", 1, "2027-01-11T10:00"),  # before the day starts
    ("2027-01-11T18:00", 1, "2027-01-12T10:00"),  # after it ends
    ("2026-12-24T15:00", 8, "2026-12-29T15:00"),  # Christmas, Boxing Day (Saturday) and its Monday substitute
    ("2027-03-25T12:00", 16, "2027-03-31T12:00"),  # Good Friday and Easter Monday: 5h Thu, 8h Tue, 3h Wed
    ("2027-01-11T10:00", 0, "2027-01-11T10:00"),
])
def test_offer_window_skips_nights_weekends_and_bank_holidays(start: str, hours: float, deadline: str) -> None:
    assert offer_deadline(at(start), hours, CAL) == at(deadline).astimezone(UTC)


def test_british_summer_time_is_respected() -> None:
    # 09:00 in London in July is 08:00 UTC
    assert offer_deadline(at("2027-07-05T08:00"), 1, CAL) == datetime(2027, 7, 5, 9, 0, tzinfo=UTC)


def test_negative_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="working_hours"):
        offer_deadline(at("2027-01-11T10:00"), -1, CAL)


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2024, 1, 1), date(2032, 12, 31)).filter(lambda d: d.weekday() == 4 and CAL.is_working_day(d)),
       st.integers(min_value=61, max_value=8 * 60))
def test_a_window_opened_on_friday_at_four_ends_on_the_next_working_day(friday: date, minutes: int) -> None:
    """One hour on Friday, the rest from 09:00 on the next working day (Monday, or later after bank holidays),
    across a clock change too: the window counts London's working hours, not elapsed time."""
    start = datetime.combine(friday, time(16, 0), tzinfo=LONDON)
    deadline = offer_deadline(start, minutes / 60, CAL).astimezone(LONDON)
    monday = CAL.next_working_day(friday)
    assert deadline.date() == monday  # Christmas 2027: Wednesday 29th, after two substitute days
    assert deadline.replace(tzinfo=None) == datetime.combine(monday, time(9, 0)) + timedelta(minutes=minutes - 60)
