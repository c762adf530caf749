"""Learned estimates: how long work really takes each writer, and how often their drafts pass QA first time.

A pure core. Completed bundles come in as observations; out come, per writer,

- a **speed factor** per work type and page band: actual hours over the estimate the effort table gave
  (effort.py), as a geometric mean, shrunk toward the pool's factor for that work type and band;
- a **first-time pass rate** per area of need, shrunk toward the pool's rate for that area.

Shrinkage is the usual empirical-Bayes blend with `prior_strength` pseudo-observations of the pool:
``(n * writer + k * pool) / (n + k)`` (in log space for speed factors), so a writer with two bundles stays
near the pool and one with forty speaks for themselves. Every figure carries its basis (how many of the
writer's own bundles, the pool's figure and how many the pool had), which is what a coordinator is shown.
The accumulators are incremental: `record_*` as work completes, and the next read uses it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

PAGE_BANDS: tuple[tuple[str, int], ...] = (("up_to_50", 50), ("51_to_150", 150), ("over_150", 10**9))
DEFAULT_PRIOR_STRENGTH = 5.0
DEFAULT_POOL_PASS_RATE = 0.8  # before anything has been through QA
# A QA return's rework as a share of the draft's hours (the simulator's default; the service records no rework
# hours of its own), so a likely return counts this much extra effort against a choice.
REWORK_SHARE = 0.3
# A writer this far below the pool's first-time pass rate in an area (both shrunk) is in its weak tail: a round may
# keep them off the area's bundles, within what the contract lets quality cost (`within_quality_cost`).
QUALITY_MARGIN = 0.15
# a round's queued work in groups: (work type, page band, requires, area of need) -> estimated hours
QueueGroups = Mapping[tuple[str, str, tuple[str, ...], str], float]


def page_band(pages: int) -> str:
    for name, upper in PAGE_BANDS:
        if pages <= upper:
            return name
    return PAGE_BANDS[-1][0]


def band_pages(band: str) -> int:
    """A page count inside the band, to ask for a band's figure."""
    return {"up_to_50": 30, "51_to_150": 100, "over_150": 200}[band]


def effort_factor(
    groups: QueueGroups,
    skills: set[str],
    speed: Callable[[str, int], float],
    pass_rate: Callable[[str], float] | None = None,
    *,
    quality_weight: float = 1.0,
    rework_share: float = REWORK_SHARE,
) -> float:
    """A writer's expected real hours per estimated hour on the queued work they could take.

    `speed(work type, pages)` is the writer's hours over the estimate; with `pass_rate(area)`, a likely QA
    return's rework counts as effort too (`quality_weight` times its expected hours). Weighted by the estimated
    hours of the groups the writer has the skills for; 1.0 when there are none. The engine's effort is one
    figure per bundle, so a round divides the writer's hours a day by this instead of scaling every bundle.
    """
    total = weighted = 0.0
    for (work_type, band, requires, area), hours in groups.items():
        if work_type not in skills or not set(requires) <= skills:
            continue
        f = speed(work_type, band_pages(band))
        if pass_rate is not None:
            f *= 1.0 + quality_weight * (1.0 - pass_rate(area)) * rework_share
        total += hours
        weighted += hours * f
    return weighted / total if total > 1e-9 else 1.0


@dataclass(frozen=True)
class Learned:
    """One learned figure with its basis: the writer's own count, the pool's figure and count, the blend."""

    value: float
    own: float | None  # the writer's own figure, None without observations
    own_count: int
    pool: float
    pool_count: int

    def as_json(self) -> dict[str, object]:
        return {
            "value": round(self.value, 4),
            "own": None if self.own is None else round(self.own, 4),
            "own_count": self.own_count,
            "pool": round(self.pool, 4),
            "pool_count": self.pool_count,
        }


@dataclass
class _Sum:
    n: int = 0
    total: float = 0.0

    def add(self, x: float) -> None:
        self.n += 1
        self.total += x


def _shrink(own: _Sum | None, pool: _Sum, k: float, prior: float) -> tuple[float, float | None, int]:
    pool_mean = pool.total / pool.n if pool.n else prior
    if own is None or own.n == 0:
        return pool_mean, None, 0
    own_mean = own.total / own.n
    return (own.n * own_mean + k * pool_mean) / (own.n + k), own_mean, own.n


@dataclass
class Estimates:
    """Speed factors and first-time pass rates learned from completed work, shrunk toward the pool."""

    prior_strength: float = DEFAULT_PRIOR_STRENGTH
    _speed: dict[tuple[str, str, str], _Sum] = field(default_factory=dict)  # (writer, work type, band): log ratio
    _speed_pool: dict[tuple[str, str], _Sum] = field(default_factory=dict)
    _passes: dict[tuple[str, str], _Sum] = field(default_factory=dict)  # (writer, area): 1 pass, 0 return
    _passes_pool: dict[str, _Sum] = field(default_factory=dict)

    def record_effort(self, writer: str, work_type: str, pages: int, estimated: float, actual: float) -> None:
        """A completed draft: the hours it took against the estimate it was planned with."""
        if estimated <= 0 or actual <= 0:
            raise ValueError("estimated and actual hours must be positive")
        x = math.log(actual / estimated)
        band = page_band(pages)
        self._speed.setdefault((writer, work_type, band), _Sum()).add(x)
        self._speed_pool.setdefault((work_type, band), _Sum()).add(x)

    def record_qa(self, writer: str, area: str, passed_first_time: bool) -> None:
        x = 1.0 if passed_first_time else 0.0
        self._passes.setdefault((writer, area), _Sum()).add(x)
        self._passes_pool.setdefault(area, _Sum()).add(x)

    def speed(self, writer: str, work_type: str, pages: int) -> Learned:
        """Actual hours over estimated for this writer on this kind of bundle (1.0: as estimated)."""
        band = page_band(pages)
        pool = self._speed_pool.get((work_type, band), _Sum())
        value, own, n = _shrink(self._speed.get((writer, work_type, band)), pool, self.prior_strength, 0.0)
        pool_value = pool.total / pool.n if pool.n else 0.0
        return Learned(
            value=math.exp(value),
            own=None if own is None else math.exp(own),
            own_count=n,
            pool=math.exp(pool_value),
            pool_count=pool.n,
        )

    def pass_rate(self, writer: str, area: str) -> Learned:
        """The writer's first-time QA pass rate in this area of need."""
        pool = self._passes_pool.get(area, _Sum())
        value, own, n = _shrink(self._passes.get((writer, area)), pool, self.prior_strength, DEFAULT_POOL_PASS_RATE)
        return Learned(
            value=value,
            own=own,
            own_count=n,
            pool=pool.total / pool.n if pool.n else DEFAULT_POOL_PASS_RATE,
            pool_count=pool.n,
        )

    def areas(self) -> list[str]:
        """The areas of need with a QA verdict in the pool."""
        return sorted(self._passes_pool)

    def speed_keys(self) -> list[tuple[str, str, int]]:
        """(work type, page band, a page count in it) for each with a speed observation in the pool."""
        return sorted((work_type, band, band_pages(band)) for work_type, band in self._speed_pool)

    def speed_value(self, writer: str, work_type: str, pages: int) -> float:
        return self.speed(writer, work_type, pages).value

    def pass_rate_value(self, writer: str, area: str) -> float:
        return self.pass_rate(writer, area).value

    def observations(self) -> int:
        return sum(s.n for s in self._speed_pool.values())


def in_weak_tail(learned: Estimates, writer: str, areas: Iterable[str], margin: float = QUALITY_MARGIN) -> bool:
    """The writer's learned first-time pass rate in any of the areas is more than `margin` below the pool's there
    (shrunk, so a few returns do not put a writer in it)."""
    for area in areas:
        rate = learned.pass_rate(writer, area)
        if rate.value < rate.pool - margin:
            return True
    return False


def keep_off(able: Iterable[str], weak: Callable[[str], bool]) -> set[str]:
    """Of the writers who could take a bundle, those in the weak tail for it; none when that would leave the bundle
    no writer at all (keeping everyone off only defers the work)."""
    able = list(able)
    below = {w for w in able if weak(w)}
    return below if len(below) < len(able) else set()


def within_quality_cost(unrestricted: float, restricted: float, limit: float, *, placed_before: int,
                        placed_after: int, eps: float = 1e-9) -> bool:
    """Whether a plan that keeps the weak tail off may replace the plan that does not: it keeps at least
    `1 - limit` of the planned on-time weight and places as much work (late work included), since a plan that
    leaves bundles queued to keep them off weaker writers only defers the cost."""
    return restricted >= (1.0 - limit) * unrestricted - eps and placed_after >= placed_before
