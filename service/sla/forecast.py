"""The capacity forecast as a pure function: writer-hours of demand against writer-hours of capacity, week by week.

Weeks run Monday to Sunday, from the week holding `today`; the first week counts only its days from `today` on.

Demand in a week is the open work due in it plus the expected arrivals in it:
- Open work (queued, offered, or held with writing left) counts its whole estimated effort in the week of its
  turnaround due date; work already overdue or without a date counts in the first week, work due after the horizon
  in the last (it is still to be written).
- Expected arrivals, per work type, follow the seasonal pattern of the arrivals (bundles queued) in history: for each
  previous year y (up to `SEASONAL_YEARS`) the same week 52*y weeks earlier (same weekdays), scaled by the trend, the
  arrivals of the `TREND_WEEKS` weeks before this week over the same weeks y years earlier; the estimate is the mean
  over the years the history covers (it must reach back to the start of that year's trend window, and that window
  must have had arrivals). So a November-to-February phase-transfer peak in history shows in the forecast, grown or
  shrunk with the service's volume. With no such year, the recent average: arrivals per week over the last
  `TREND_WEEKS` weeks (or over the weeks since the first arrival, when the history is shorter); with no history, none.
  The first week expects only the share of its working days still ahead. Arrivals are counted in the week they
  arrive (the turnaround lets them be written a little later: a deliberately early, cautious count), at the mean
  effort of their work type.

Capacity in a week is, for each writer, their contract's hours per working day (hours a week / 5, the allocation
rule) on every working day of the calendar in the week on which a contract runs and they are not on leave. A
writer's later contract supersedes an earlier one from its start. The shortfall is demand less capacity when demand
is higher, else 0; weeks are independent (a quiet week's spare hours are not carried into a busy one, because
writing cannot be done before the work arrives).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from service.calendar import WorkingCalendar

WEEKS = 8
SEASONAL_YEARS = 3
TREND_WEEKS = 13
WORKING_DAYS_PER_WEEK = 5
_WEEK = timedelta(days=7)
_YEAR = timedelta(days=364)  # 52 weeks: the same weekdays a year earlier


@dataclass(frozen=True)
class OpenWork:
    """A bundle not yet written: its estimated hours and its turnaround due date (None: not set)."""

    hours: float
    due: date | None


@dataclass(frozen=True)
class WriterHours:
    """One writer contract: hours a week from `starts_on` to `ends_on` (None: open-ended), and the writer's leave."""

    writer: str
    hours_per_week: float
    starts_on: date
    ends_on: date | None = None
    leave: frozenset[date] = field(default_factory=frozenset)


@dataclass(frozen=True)
class History:
    """Bundles queued per day (Europe/London) and work type, and the day the first one ever was (None: never)."""

    arrivals: Mapping[date, Mapping[str, int]]
    first_arrival: date | None


@dataclass(frozen=True)
class ForecastWeek:
    week_start: date
    expected_arrivals: float
    open_hours: float
    arrival_hours: float
    demand_hours: float
    capacity_hours: float
    shortfall_hours: float


@dataclass(frozen=True)
class Forecast:
    weeks: list[ForecastWeek]
    # how arrivals were expected: "seasonal (N years)", "recent average" or "no history"
    basis: str


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def history_windows(today: date, weeks: int = WEEKS) -> list[tuple[date, date]]:
    """The only days of history the forecast reads, as [start, end) ranges, oldest first: what a caller needs to load.

    Each previous year's trend window with its seasonal weeks after it, and the last `TREND_WEEKS` weeks (the trend
    now, and the recent average); fewer than 52 weeks apart, so they never overlap."""
    first = week_start(today)
    ranges = [(first - y * _YEAR - TREND_WEEKS * _WEEK, first - y * _YEAR + weeks * _WEEK)
              for y in range(SEASONAL_YEARS, 0, -1)]
    return [*ranges, (first - TREND_WEEKS * _WEEK, first)]


def forecast(*, today: date, open_work: Iterable[OpenWork], writers: Iterable[WriterHours], history: History,
             mean_effort: Mapping[str, float], calendar: WorkingCalendar, weeks: int = WEEKS) -> Forecast:
    """The next `weeks` weeks of demand, capacity and shortfall in writer-hours (see the module docstring)."""
    if not 1 <= weeks <= 52:
        raise ValueError(f"weeks must be 1 to 52, not {weeks}")
    first = week_start(today)
    starts = [first + k * _WEEK for k in range(weeks)]
    open_hours = [0.0] * weeks
    for work in open_work:
        k = 0 if work.due is None else min(max((work.due - first).days // 7, 0), weeks - 1)
        open_hours[k] += work.hours
    expected, basis = _expected_arrivals(starts, history)
    capacity = _capacity(starts, today, list(writers), calendar)
    rows = []
    for k, start in enumerate(starts):
        share = _share_ahead(start, today, calendar) if k == 0 else 1.0
        counts = {work_type: n * share for work_type, n in expected[k].items()}
        arrival_hours = sum(n * mean_effort.get(work_type, 0.0) for work_type, n in counts.items())
        demand = open_hours[k] + arrival_hours
        rows.append(ForecastWeek(
            week_start=start, expected_arrivals=round(sum(counts.values()), 2), open_hours=round(open_hours[k], 1),
            arrival_hours=round(arrival_hours, 1), demand_hours=round(demand, 1),
            capacity_hours=round(capacity[k], 1), shortfall_hours=round(max(0.0, demand - capacity[k]), 1)))
    return Forecast(rows, basis)


def _count(history: History, lo: date, hi: date) -> dict[str, int]:
    """Arrivals per work type on the days in [lo, hi)."""
    totals: dict[str, int] = {}
    day = lo
    while day < hi:
        for work_type, n in history.arrivals.get(day, {}).items():
            totals[work_type] = totals.get(work_type, 0) + n
        day += timedelta(days=1)
    return totals


def _expected_arrivals(starts: Sequence[date], history: History) -> tuple[list[dict[str, float]], str]:
    first = starts[0]
    if history.first_arrival is None or history.first_arrival >= first:
        return [{} for _ in starts], "no history"
    trend_now = sum(_count(history, first - TREND_WEEKS * _WEEK, first).values())
    years: list[tuple[int, float]] = []  # (years back, scale)
    for y in range(1, SEASONAL_YEARS + 1):
        then = first - y * _YEAR
        if history.first_arrival > then - TREND_WEEKS * _WEEK:
            break  # the history does not reach back to this year's trend window
        trend_then = sum(_count(history, then - TREND_WEEKS * _WEEK, then).values())
        if trend_then:
            years.append((y, trend_now / trend_then))
    if years:
        expected = []
        for start in starts:
            week: dict[str, float] = {}
            for y, scale in years:
                for work_type, n in _count(history, start - y * _YEAR, start - y * _YEAR + _WEEK).items():
                    week[work_type] = week.get(work_type, 0.0) + n * scale / len(years)
            expected.append(week)
        return expected, f"seasonal ({len(years)} year{'s' if len(years) > 1 else ''})"
    since = max(history.first_arrival, first - TREND_WEEKS * _WEEK)
    span_weeks = max((first - since).days / 7, 1.0)
    recent = {t: n / span_weeks for t, n in _count(history, since, first).items()}
    return [dict(recent) for _ in starts], "recent average"


def _share_ahead(start: date, today: date, calendar: WorkingCalendar) -> float:
    """The share of a week's working days on or after `today` (1 when the week has none)."""
    days = list(calendar.working_days(start, start + timedelta(days=6)))
    if not days:
        return 1.0
    return sum(1 for d in days if d >= today) / len(days)


def _capacity(starts: Sequence[date], today: date, writers: list[WriterHours],
              calendar: WorkingCalendar) -> list[float]:
    hours = [0.0] * len(starts)
    by_writer: dict[str, list[WriterHours]] = {}
    for contract in writers:
        by_writer.setdefault(contract.writer, []).append(contract)
    horizon_end = starts[-1] + timedelta(days=6)
    for contracts in by_writer.values():
        contracts.sort(key=lambda c: c.starts_on)
        for i, c in enumerate(contracts):
            end = c.ends_on or horizon_end
            if i + 1 < len(contracts):
                end = min(end, contracts[i + 1].starts_on - timedelta(days=1))
            per_day = c.hours_per_week / WORKING_DAYS_PER_WEEK
            for day in calendar.working_days(max(c.starts_on, starts[0], today), min(end, horizon_end)):
                if day not in c.leave:
                    hours[(day - starts[0]).days // 7] += per_day
    return hours
