"""The capacity forecast's pure core against hand-computed weeks: bank holidays, leave, closures, a seasonal peak,
a short history and none."""

from __future__ import annotations

from datetime import date

import pytest

from service.calendar import WorkingCalendar
from service.sla.forecast import History, OpenWork, WriterHours, forecast, history_windows

CAL = WorkingCalendar()
NONE = History(arrivals={}, first_arrival=None)


def rows(result: object, *fields: str) -> list[tuple[object, ...]]:
    return [tuple(getattr(w, f) for f in fields) for w in result.weeks]  # type: ignore[attr-defined]


def test_capacity_counts_bank_holidays_leave_closures_and_superseding_contracts() -> None:
    writers = [
        WriterHours("a", 30, date(2026, 1, 1)),  # 6 h a working day
        WriterHours("b", 20, date(2026, 1, 1), leave=frozenset({date(2026, 12, 22), date(2027, 1, 5)})),  # 4 h
        WriterHours("c", 10, date(2027, 1, 4)),  # 2 h, then 4 h from a new contract
        WriterHours("c", 20, date(2027, 1, 11), ends_on=date(2027, 1, 12)),
        WriterHours("d", 40, date(2025, 1, 1), ends_on=date(2026, 12, 20)),  # ended before the forecast
    ]
    result = forecast(today=date(2026, 12, 21), open_work=[], writers=writers, history=NONE, mean_effort={},
                      calendar=WorkingCalendar(extra_closures=[date(2027, 1, 6)]), weeks=4)
    assert rows(result, "week_start", "capacity_hours", "demand_hours", "shortfall_hours") == [
        # 21-24 Dec (25th a bank holiday): a 4 days, b 3 (leave on the 22nd)
        (date(2026, 12, 21), 4 * 6 + 3 * 4, 0, 0),
        # 29-31 Dec (28th Boxing Day's substitute, 1 Jan New Year)
        (date(2026, 12, 28), 3 * 6 + 3 * 4, 0, 0),
        # 4-8 Jan less the closure on the 6th: a 4 days, b 3 (leave on the 5th), c 4 days at 2 h
        (date(2027, 1, 4), 4 * 6 + 3 * 4 + 4 * 2, 0, 0),
        # 11-15 Jan: c's second contract runs the 11th and 12th only, at 4 h
        (date(2027, 1, 11), 5 * 6 + 5 * 4 + 2 * 4, 0, 0),
    ]
    assert result.basis == "no history"


def test_the_first_week_counts_only_the_days_ahead() -> None:
    # Wednesday 23 Dec 2026: 2 of the week's 4 working days are ahead
    history = History(arrivals={date(2026, 12, 14): {"new_plan": 8}}, first_arrival=date(2026, 12, 14))
    result = forecast(today=date(2026, 12, 23), open_work=[OpenWork(3.0, date(2026, 12, 24))],
                      writers=[WriterHours("a", 30, date(2026, 1, 1))], history=history,
                      mean_effort={"new_plan": 10.0}, calendar=CAL, weeks=2)
    # one week of history since the first arrival: 8 a week, half of them still to come in the first week
    assert rows(result, "expected_arrivals", "open_hours", "arrival_hours", "demand_hours", "capacity_hours",
                "shortfall_hours") == [(4.0, 3.0, 40.0, 43.0, 12.0, 31.0), (8.0, 0.0, 80.0, 80.0, 18.0, 62.0)]
    assert result.basis == "recent average"


def test_open_work_counts_in_the_week_it_is_due() -> None:
    work = [OpenWork(8, date(2026, 12, 9)), OpenWork(4, date(2026, 12, 1)), OpenWork(2, None),
            OpenWork(5, date(2026, 12, 20)), OpenWork(10, date(2027, 3, 1))]
    result = forecast(today=date(2026, 12, 7), open_work=work, writers=[], history=NONE, mean_effort={},
                      calendar=CAL, weeks=3)
    # overdue and undated in the first week, Sunday the 20th in the second, after the horizon in the last
    assert rows(result, "open_hours", "shortfall_hours") == [(14, 14), (5, 5), (10, 10)]


def peak_history(*, second_year: bool) -> History:
    """A phase-transfer peak around New Year, and 10 arrivals a quarter before it growing to 15 this year."""
    arrivals: dict[date, dict[str, int]] = {
        date(2025, 9, 1): {"new_plan": 1},  # the first arrival: before the year-ago trend window
        date(2025, 9, 15): {"new_plan": 10},  # trend window a year ago: [8 Sep 2025, 8 Dec 2025)
        date(2025, 12, 9): {"phase_transfer": 4, "new_plan": 1},  # week of 8 Dec 2025 = 52 weeks before 7 Dec 2026
        date(2026, 1, 5): {"phase_transfer": 20},  # week of 5 Jan 2026 = 52 weeks before 4 Jan 2027
        date(2026, 9, 14): {"new_plan": 15},  # trend window now: [7 Sep 2026, 7 Dec 2026)
    }
    if second_year:
        arrivals[date(2024, 9, 16)] = {"annual_review_amendment": 5}  # [9 Sep 2024, 9 Dec 2024): scale 15 / 5
        arrivals[date(2024, 12, 10)] = {"phase_transfer": 3}  # week of 9 Dec 2024
    return History(arrivals=arrivals, first_arrival=date(2024, 6, 3) if second_year else date(2025, 9, 1))


def test_a_seasonal_peak_in_history_shows_scaled_by_the_trend() -> None:
    work = [OpenWork(8, date(2026, 12, 9)), OpenWork(4, date(2026, 12, 1)), OpenWork(10, date(2027, 3, 1))]
    result = forecast(today=date(2026, 12, 7), open_work=work, writers=[WriterHours("a", 30, date(2026, 1, 1))],
                      history=peak_history(second_year=False), mean_effort={"phase_transfer": 5.0, "new_plan": 12.0},
                      calendar=CAL)
    assert result.basis == "seasonal (1 year)"
    got = {w.week_start: w for w in result.weeks}
    # the week of 7 Dec: a year ago 4 phase transfers and 1 new plan, times 15 / 10
    first = got[date(2026, 12, 7)]
    assert (first.expected_arrivals, first.arrival_hours, first.open_hours, first.demand_hours,
            first.capacity_hours, first.shortfall_hours) == (7.5, 6 * 5 + 1.5 * 12, 12, 60, 30, 30)
    # the peak: 20 phase transfers a year ago, 30 expected; 4-8 Jan 2027 has five working days
    peak = got[date(2027, 1, 4)]
    assert (peak.expected_arrivals, peak.demand_hours, peak.capacity_hours, peak.shortfall_hours) == (
        30, 150, 30, 120)
    # Christmas: 4 and 3 working days in the weeks of 21 and 28 Dec, nothing arrived then a year ago
    assert [(got[d].capacity_hours, got[d].demand_hours) for d in (date(2026, 12, 21), date(2026, 12, 28))] == [
        (24, 0), (18, 0)]
    last = result.weeks[-1]
    assert (last.week_start, last.open_hours, last.shortfall_hours) == (date(2027, 1, 25), 10, 0)
    assert len(result.weeks) == 8


def test_two_years_of_history_average_their_scaled_weeks() -> None:
    result = forecast(today=date(2026, 12, 7), open_work=[], writers=[], history=peak_history(second_year=True),
                      mean_effort={"phase_transfer": 5.0, "new_plan": 12.0}, calendar=CAL, weeks=1)
    # year 1: 4 * 1.5 = 6 phase transfers and 1.5 new plans, year 2: 3 * 3 = 9 phase transfers: the mean of each
    assert result.basis == "seasonal (2 years)"
    assert rows(result, "expected_arrivals", "arrival_hours") == [(7.5 + 0.75, 7.5 * 5 + 0.75 * 12)]


def test_no_history_expects_no_arrivals_and_a_quiet_trend_window_falls_back() -> None:
    result = forecast(today=date(2026, 12, 7), open_work=[OpenWork(6, None)], writers=[], history=NONE,
                      mean_effort={}, calendar=CAL, weeks=2)
    assert result.basis == "no history"
    assert rows(result, "expected_arrivals", "demand_hours") == [(0, 6), (0, 0)]
    # a year ago the trend window had no arrivals, so no seasonal year: the last 13 weeks' average (26 / 13)
    quiet = History(arrivals={date(2025, 6, 2): {"new_plan": 3}, date(2026, 10, 5): {"new_plan": 26}},
                    first_arrival=date(2025, 6, 2))
    fallback = forecast(today=date(2026, 12, 7), open_work=[], writers=[], history=quiet,
                        mean_effort={"new_plan": 10.0}, calendar=CAL, weeks=1)
    assert (fallback.basis, fallback.weeks[0].expected_arrivals, fallback.weeks[0].arrival_hours) == (
        "recent average", 2.0, 20.0)


def test_the_history_read_is_each_years_trend_window_and_seasonal_weeks() -> None:
    # Wednesday 9 Dec 2026: weeks from Monday 7 Dec; a year back is 8 Dec 2025, 13 weeks before that 8 Sep 2025
    assert history_windows(date(2026, 12, 9)) == [
        (date(2023, 9, 11), date(2024, 2, 5)), (date(2024, 9, 9), date(2025, 2, 3)),
        (date(2025, 9, 8), date(2026, 2, 2)), (date(2026, 9, 7), date(2026, 12, 7))]
    with pytest.raises(ValueError):
        forecast(today=date(2026, 12, 7), open_work=[], writers=[], history=NONE, mean_effort={}, calendar=CAL,
                 weeks=53)
