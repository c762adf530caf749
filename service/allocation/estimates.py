"""What allocation has learned from completed work: each writer's speed and first-time QA pass rate.

A first draft (cycle 1) with QA's verdict counts once for each specialism its bundle requires, or for
"general" when it requires none. A first draft the writer gave its hours for counts towards their speed on the
bundle's work type and page band: those hours over the effort the bundle was planned with. The figures are
learning.py's, shrunk toward the writing service's pool; the coordinator reads them with their basis, and every
round plans with them (`planning_factors`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from contracts.api import EstimatesOut, LearnedRateOut, LearnedSpeedOut, WriterEstimatesOut
from service.allocation.learning import Estimates, QueueGroups, effort_factor, page_band
from service.models import Draft, DraftStatus, Writer

GENERAL = "general"


def areas_of(requires: Iterable[str]) -> list[str]:
    """The areas a bundle's QA verdict counts for: its specialisms, or "general"."""
    return [str(a) for a in requires] or [GENERAL]


async def provider_estimates(provider_id: UUID, conn: BaseDBAsyncClient | None = None) -> Estimates:
    """The writing service's learned figures, from its writers' first drafts that QA has passed or returned."""
    rows: list[dict[str, Any]] = await Draft.filter(
        cycle=1,
        status__in=[DraftStatus.PASSED, DraftStatus.RETURNED],
        bundle__provider_id=provider_id,
        writer__provider_id=provider_id,
    ).using_db(conn).order_by("created_at", "id").values(
        "writer_id", "status", "hours_spent", "hours_estimated", "bundle__requires", "bundle__work_type",
        "bundle__page_count")
    learned = Estimates()
    for row in rows:
        writer = str(row["writer_id"])
        for area in areas_of(row["bundle__requires"] or []):
            learned.record_qa(writer, area, row["status"] == DraftStatus.PASSED)
        if row["hours_spent"] and row["hours_estimated"]:
            learned.record_effort(writer, str(row["bundle__work_type"]), int(row["bundle__page_count"] or 0),
                                  float(row["hours_estimated"]), float(row["hours_spent"]))
    return learned


def queue_groups(bundles: Iterable[tuple[str, int, Iterable[str], float]]) -> QueueGroups:
    """A round's queue, (work type, pages, requires, planned hours) per bundle, in learning.py's groups; a
    bundle's area is all its specialisms, and its likely return is judged by the weakest of them."""
    groups: dict[tuple[str, str, tuple[str, ...], str], float] = {}
    for work_type, pages, requires, hours in bundles:
        needs = tuple(sorted(requires))
        key = (work_type, page_band(pages), needs, "|".join(areas_of(needs)))
        groups[key] = groups.get(key, 0.0) + hours
    return groups


def planning_factor(learned: Estimates, writer_id: UUID, skills: Iterable[str], groups: QueueGroups) -> float:
    """The writer's expected hours per planned hour on the queued work they could take: learned speed, and a
    likely QA return's rework (learning.REWORK_SHARE of the draft) at the weakest of the bundle's areas."""
    writer = str(writer_id)

    def pass_rate(area: str) -> float:
        return min(learned.pass_rate_value(writer, a) for a in area.split("|"))

    return effort_factor(groups, set(skills), functools.partial(learned.speed_value, writer), pass_rate)


def estimates_out(learned: Estimates, factors: dict[UUID, float], writers: Iterable[Writer]) -> EstimatesOut:
    """The coordinator's view: every writer's learned figures with their basis, and what the next round plans
    each writer with (`factors`, writers taking work now; 1.0 for the rest)."""
    pool_areas = sorted(learned.areas())
    pool_speeds = sorted(learned.speed_keys())
    items = []
    for writer in writers:
        writer_id = str(writer.id)
        areas = []
        for area in pool_areas:
            rate = learned.pass_rate(writer_id, area)
            areas.append(LearnedRateOut(
                area=area, first_time_pass_rate=round(rate.value, 4), own_rate=_r(rate.own),
                own_drafts=rate.own_count, pool_rate=round(rate.pool, 4), pool_drafts=rate.pool_count))
        speeds = []
        for work_type, band, pages in pool_speeds:
            speed = learned.speed(writer_id, work_type, pages)
            speeds.append(LearnedSpeedOut(
                work_type=work_type, page_band=band, factor=round(speed.value, 4),  # type: ignore[arg-type]
                own_factor=_r(speed.own), own_drafts=speed.own_count, pool_factor=round(speed.pool, 4),
                pool_drafts=speed.pool_count))
        items.append(WriterEstimatesOut(writer_id=writer.id, areas=areas, speeds=speeds,
                                        planning_factor=round(factors.get(writer.id, 1.0), 4)))
    return EstimatesOut(prior_strength=learned.prior_strength, writers=items)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
