"""The working-day calendar: weekends, England and Wales bank holidays, substitutes, one-offs, closures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.calendar import WorkingCalendar

CAL = WorkingCalendar()


@pytest.mark.parametrize(
    "day",
    [
        date(2022, 12, 26),  # Boxing Day
        date(2022, 12, 27),  # Christmas Day falls on a Sunday: substitute on Tuesday
        date(2021, 12, 27),  # Christmas Day on Saturday: substitute Monday
        date(2021, 12, 28),  # Boxing Day on Sunday: substitute Tuesday
        date(2023, 1, 2),  # New Year's Day on Sunday: substitute Monday
        date(2024, 3, 29),  # Good Friday
        date(2024, 4, 1),  # Easter Monday
        date(2027, 3, 29),  # Easter Monday
        date(2023, 5, 1),  # early May
        date(2020, 5, 8),  # early May moved to VE Day in 2020
        date(2022, 9, 19),  # state funeral of Queen Elizabeth II
        date(2023, 5, 8),  # coronation of King Charles III
        date(2022, 6, 3),  # platinum jubilee
        date(2026, 8, 31),  # summer bank holiday
    ],
)
def test_bank_holidays_are_not_working_days(day: date) -> None:
    assert day.weekday() < 5
    assert not CAL.is_working_day(day)


def test_weekends_are_not_working_days_and_ordinary_weekdays_are() -> None:
    assert not CAL.is_working_day(date(2027, 1, 16))  # Saturday
    assert not CAL.is_working_day(date(2027, 1, 17))  # Sunday
    assert CAL.is_working_day(date(2027, 1, 15))  # Friday
    assert CAL.is_working_day(date(2020, 5, 4))  # the usual early-May Monday was moved in 2020


def test_contract_closure_days_are_not_working_days() -> None:
    cal = WorkingCalendar(extra_closures=[date(2027, 1, 15)])
    assert not cal.is_working_day(date(2027, 1, 15))
    assert cal.next_working_day(date(2027, 1, 14)) == date(2027, 1, 18)
    assert CAL.next_working_day(date(2027, 1, 14)) == date(2027, 1, 15)


def test_unknown_region_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="atlantis"):
        WorkingCalendar("atlantis")


def test_counting_across_christmas_skips_substitute_days() -> None:
    # After Fri 23 Dec 2022: Wed 28, Thu 29, Fri 30, then Tue 3 Jan (Mon 2 Jan 2023 is a substitute).
    assert CAL.next_working_day(date(2022, 12, 23)) == date(2022, 12, 28)
    assert CAL.add_working_days(date(2022, 12, 23), 4) == date(2023, 1, 3)
    assert CAL.working_days_between(date(2022, 12, 23), date(2023, 1, 3)) == 4
    assert list(CAL.working_days(date(2022, 12, 24), date(2022, 12, 28))) == [date(2022, 12, 28)]


def test_easter_week_counts_four_working_days() -> None:
    assert CAL.working_days_between(date(2024, 3, 24), date(2024, 4, 5)) == 8


def test_zero_and_negative_offsets() -> None:
    assert CAL.add_working_days(date(2027, 1, 13), 0) == date(2027, 1, 13)
    assert CAL.add_working_days(date(2027, 1, 18), -1) == date(2027, 1, 15)
    assert CAL.working_days_between(date(2027, 1, 18), date(2027, 1, 11)) == -5


def _brute_add(cal: WorkingCalendar, start: date, n: int) -> date:
    d = start
    step = timedelta(days=1 if n > 0 else -1)
    for _ in range(abs(n)):
        d += step
        while not cal.is_working_day(d):
            d += step
    return d


closures = st.lists(st.dates(date(2019, 1, 1), date(2031, 12, 31)), max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.dates(date(2019, 1, 1), date(2030, 12, 31)), st.integers(-400, 400), closures)
def test_adding_working_days_matches_counting_day_by_day(start: date, n: int, extra: list[date]) -> None:
    cal = WorkingCalendar(extra_closures=extra)
    end = cal.add_working_days(start, n)
    assert end == _brute_add(cal, start, n)
    if n != 0:
        assert cal.is_working_day(end)
    if n >= 0 or cal.is_working_day(start):
        assert cal.working_days_between(start, end) == n


@settings(max_examples=100, deadline=None)
@given(st.dates(date(2019, 1, 1), date(2030, 12, 31)), st.integers(0, 500), closures)
def test_working_days_between_counts_the_listed_days(start: date, span: int, extra: list[date]) -> None:
    cal = WorkingCalendar(extra_closures=extra)
    end = start + timedelta(days=span)
    listed = list(cal.working_days(start + timedelta(days=1), end))
    assert cal.working_days_between(start, end) == len(listed)
    assert all(cal.is_working_day(d) for d in listed)


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2019, 1, 1), date(2030, 12, 31)), st.integers(0, 400), closures)
def test_adding_working_days_and_counting_them_back_are_inverse(start: date, n: int, extra: list[date]) -> None:
    cal = WorkingCalendar(extra_closures=extra)
    end = cal.add_working_days(start, n)
    assert cal.working_days_between(start, end) == n  # from any day, weekend and bank holiday alike
    back = cal.add_working_days(end, -n)
    if n == 0 or cal.is_working_day(start):
        assert back == start
    else:  # counting back lands on the last working day before a closed start
        assert back < start and cal.is_working_day(back)
        assert not any(cal.is_working_day(d) for d in cal.working_days(back + timedelta(days=1), start))
