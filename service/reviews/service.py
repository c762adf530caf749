"""The QA reviewer's work: a queue ordered by SLA risk, and pass or return with comments."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.transactions import in_transaction

from service.auth import scope
from service.auth.principal import Principal
from service.billing.service import write_delivery_lines
from service.bundles.transitions import move
from service.errors import Conflict
from service.models import Bundle, BundleStatus, Draft, DraftStatus, QaReview, ReviewOutcome


async def queue(principal: Principal) -> list[Draft]:
    # the nearest turnaround date first: that is the draft most at risk
    return await scope.drafts(principal).filter(status=DraftStatus.IN_QA).order_by(
        "bundle__turnaround_due", "created_at"
    )


async def _decide(principal: Principal, draft_id: UUID, outcome: ReviewOutcome, comments: str) -> Draft:
    draft = await scope.get_draft(principal, draft_id)
    to_draft = DraftStatus.PASSED if outcome == ReviewOutcome.PASS else DraftStatus.RETURNED
    to_bundle = BundleStatus.DELIVERED if outcome == ReviewOutcome.PASS else BundleStatus.RETURNED
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        if await Draft.filter(id=draft.id, status=DraftStatus.IN_QA).using_db(conn).update(status=to_draft) != 1:
            raise Conflict("this draft has already been reviewed", current_status=draft.status.value)
        await QaReview.create(draft_id=draft.id, reviewer_id=principal.user_id, outcome=outcome, comments=comments,
                              using_db=conn)
        extra: dict[str, Any] = {"delivered_at": now} if outcome == ReviewOutcome.PASS else {}
        bundle = await move(
            draft.bundle_id, to_bundle, conn=conn, actor_id=principal.user_id,  # type: ignore[attr-defined]
            expect=BundleStatus.IN_QA, event=f"qa.{'passed' if outcome == ReviewOutcome.PASS else 'returned'}",
            data={"draft_id": str(draft.id), "cycle": draft.cycle}, **extra,
        )
        if outcome == ReviewOutcome.PASS:
            await write_delivery_lines(bundle, delivered_at=now, conn=conn)
    return await Draft.get(id=draft.id)


async def pass_draft(principal: Principal, draft_id: UUID) -> Draft:
    return await _decide(principal, draft_id, ReviewOutcome.PASS, "")


async def return_draft(principal: Principal, draft_id: UUID, comments: str) -> Draft:
    return await _decide(principal, draft_id, ReviewOutcome.RETURN, comments)


async def bundle_of(draft: Draft) -> Bundle:
    return await Bundle.get(id=draft.bundle_id)  # type: ignore[attr-defined]
