"""What allocation has learned from completed work, for the coordinator: first-time QA pass rates per writer.

A first draft (cycle 1) with QA's verdict counts once for each specialism its bundle requires, or for
"general" when it requires none; the figures are learning.py's, shrunk toward the writing service's pool.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from contracts.api import EstimatesOut, LearnedRateOut, WriterEstimatesOut
from service.allocation.learning import Estimates
from service.auth.principal import Principal
from service.models import Draft, DraftStatus, Writer

GENERAL = "general"


async def learned_estimates(principal: Principal) -> EstimatesOut:
    provider_id = principal.organisation_id
    rows: list[dict[str, Any]] = await Draft.filter(
        cycle=1,
        status__in=[DraftStatus.PASSED, DraftStatus.RETURNED],
        bundle__provider_id=provider_id,
        writer__provider_id=provider_id,
    ).values("writer_id", "status", "bundle__requires")
    learned = Estimates()
    areas_of: dict[UUID, set[str]] = {}
    for row in rows:
        writer_id: UUID = row["writer_id"]
        for area in row["bundle__requires"] or [GENERAL]:
            learned.record_qa(str(writer_id), str(area), row["status"] == DraftStatus.PASSED)
            areas_of.setdefault(writer_id, set()).add(str(area))
    pool_areas = sorted({a for areas in areas_of.values() for a in areas})
    writers = await Writer.filter(provider_id=provider_id).order_by("created_at", "id")
    items = []
    for writer in writers:
        writer_id = writer.id
        figures = []
        for area in pool_areas:
            rate = learned.pass_rate(str(writer_id), area)
            figures.append(
                LearnedRateOut(
                    area=area,
                    first_time_pass_rate=round(rate.value, 4),
                    own_rate=None if rate.own is None else round(rate.own, 4),
                    own_drafts=rate.own_count,
                    pool_rate=round(rate.pool, 4),
                    pool_drafts=rate.pool_count,
                )
            )
        items.append(WriterEstimatesOut(writer_id=writer_id, areas=figures))
    return EstimatesOut(prior_strength=learned.prior_strength, writers=items)
