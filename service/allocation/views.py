"""Allocation serialisers: a round's plan (or its dry run) into the API body, with each offer's reason."""

from __future__ import annotations

from contracts.api import FairShareTradeOut, PlannedOfferOut, QualityTradeOut, RoundResult, UnassignedOut
from service.allocation.rounds import Plan


def round_result(plan: Plan | None, *, dry_run: bool) -> RoundResult:
    return RoundResult(
        dry_run=dry_run,
        offers=[PlannedOfferOut(bundle_id=o.bundle_id, writer_id=o.writer_id, reason=o.reason,
                                projected_completion=o.projected_completion, on_time=o.on_time)
                for o in (plan.offers if plan else [])],
        unassigned=[UnassignedOut(bundle_id=u.bundle_id, reason=u.reason) for u in (plan.unassigned if plan else [])],
        quality=QualityTradeOut(**vars(plan.quality)) if plan and plan.quality else None,
        fair_share=FairShareTradeOut(**vars(plan.fair_share)) if plan and plan.fair_share else None,
    )
