"""The one working-day calendar of Planwright: weekdays minus bank holidays and a contract's closure days.

Allocation and every SLA clock count working days through this class, so they always agree.
Bank holidays come from the maintained `holidays` package (England and Wales: substitutes for
weekend Christmas/Boxing/New Year days and one-offs such as the 2022 state funeral are included).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

# region name -> (country, subdivision) in the `holidays` package.
REGIONS: dict[str, tuple[str, str]] = {
    "england-and-wales": ("GB", "ENG"),
    "scotland": ("GB", "SCT"),
    "northern-ireland": ("GB", "NIR"),
}

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=1024)
def _bank_holidays(region: str, year: int) -> frozenset[date]:
    country, subdiv = REGIONS[region]
    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year).keys())


@dataclass(frozen=True)
class WorkingCalendar:
    """Monday to Friday, except the region's bank holidays and `extra_closures`."""

    region: str = "england-and-wales"
    extra_closures: frozenset[date] = field(default_factory=frozenset)

    def __init__(self, region: str = "england-and-wales", extra_closures: Iterable[date] = ()) -> None:
        if region not in REGIONS:
            known = ", ".join(sorted(REGIONS))
            raise ValueError(f"unknown calendar region {region!r} (known: {known})")
        object.__setattr__(self, "region", region)
        object.__setattr__(self, "extra_closures", frozenset(extra_closures))

    def bank_holidays(self, year: int) -> frozenset[date]:
        """The region's bank holidays in `year` (cached per year)."""
        return _bank_holidays(self.region, year)

    def is_working_day(self, d: date) -> bool:
        if d.weekday() >= 5:
            return False
        if d in self.extra_closures:
            return False
        return d not in _bank_holidays(self.region, d.year)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`."""
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n = 0 gives `start` itself; negative n counts back)."""
        if n == 0:
            return start
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        d = start
        # Skip whole weeks first: each holds exactly five weekdays, less the closures inside it.
        while remaining > 10:
            weeks = remaining // 5 - 1
            target = d + step * (7 * weeks)
            lo, hi = (d + _ONE_DAY, target) if n > 0 else (target, d - _ONE_DAY)
            remaining -= 5 * weeks - self._closed_weekdays(lo, hi)
            d = target
        while remaining > 0:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; when end is before start, minus the working days in (end, start]."""
        if end < start:
            return -self.working_days_between(end, start)
        lo = start + _ONE_DAY
        if lo > end:
            return 0
        return _weekdays(lo, end) - self._closed_weekdays(lo, end)

    def working_days(self, start: date, end: date) -> Iterator[date]:
        """Every working day from `start` to `end`, both included."""
        d = start
        while d <= end:
            if self.is_working_day(d):
                yield d
            d += _ONE_DAY

    def _closed_weekdays(self, lo: date, hi: date) -> int:
        """Weekdays in [lo, hi] that are bank holidays or closures."""
        closed: set[date] = set()
        for year in range(lo.year, hi.year + 1):
            closed.update(_bank_holidays(self.region, year))
        closed.update(self.extra_closures)
        return sum(1 for c in closed if lo <= c <= hi and c.weekday() < 5)


def _weekdays(lo: date, hi: date) -> int:
    """Monday-to-Friday days in [lo, hi]."""
    days = (hi - lo).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    first = lo.weekday()
    count += sum(1 for i in range(rest) if (first + i) % 7 < 5)
    return count
