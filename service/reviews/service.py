"""The QA reviewer's work: a queue ordered by SLA risk, claim, a checklist, dismissals with reasons, pass or return.

To pass, every automated error finding is dismissed with a reason and every manual item is confirmed. A pass writes
the LA's copy with no author metadata, delivers the bundle and writes its ledger lines, in one transaction.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any
from uuid import UUID

from tortoise.transactions import in_transaction

from service import clock
from service.audit.service import audit
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.transitions import move, record
from service.errors import Conflict, InvalidInput, NotFound
from service.models import BundleStatus, Draft, DraftStatus, QaReview, ReviewOutcome, Writer
from service.runtime import current
from service.screening.sanitize import strip_metadata
from service.storage import new_object_key

# what a reviewer confirms by reading, beyond the automated checks
MANUAL_ITEMS: dict[str, str] = {
    "views_reflected": "Section A reflects the child's and the family's own views and aspirations",
    "advice_used": "Every piece of advice in the bundle is reflected, or its absence is on the front sheet",
    "needs_evidenced": "Each need in B to D is evidenced by the advice",
    "outcomes_relevant": "Outcomes are achievable and relevant to the needs they follow from",
    "plain_language": "The plan is written in plain language and technical terms are explained",
}


async def queue(principal: Principal) -> list[Draft]:
    # the nearest turnaround date first: that is the draft most at risk
    return await scope.drafts(principal).filter(status=DraftStatus.IN_QA).order_by(
        "bundle__turnaround_due", "created_at"
    )


async def _reviewable(principal: Principal, draft_id: UUID, *, claimed: bool) -> Draft:
    draft = await scope.get_draft(principal, draft_id)
    if draft.status != DraftStatus.IN_QA:
        raise Conflict(f"the draft is {draft.status.value}", current_status=draft.status.value)
    if claimed and draft.reviewer_id != principal.user_id:  # type: ignore[attr-defined]
        raise Conflict("claim the draft before reviewing it" if draft.reviewer_id is None  # type: ignore[attr-defined]
                       else "another reviewer has claimed this draft")
    return draft


async def claim(principal: Principal, draft_id: UUID) -> Draft:
    draft = await _reviewable(principal, draft_id, claimed=False)
    now = clock.now()
    async with in_transaction() as conn:
        won = await Draft.filter(id=draft.id, status=DraftStatus.IN_QA, reviewer_id=None).using_db(conn).update(
            reviewer_id=principal.user_id, claimed_at=now)
        if not won:
            fresh = await Draft.filter(id=draft.id).using_db(conn).get()
            if fresh.reviewer_id != principal.user_id:  # type: ignore[attr-defined]
                raise Conflict("another reviewer has claimed this draft")
        else:
            await record(draft.bundle_id, "qa.claimed", conn=conn, actor_id=principal.user_id,  # type: ignore[attr-defined]
                         data={"draft_id": str(draft.id)})
    return await Draft.get(id=draft.id)


def findings_of(draft: Draft) -> list[dict[str, Any]]:
    dismissals = draft.dismissals or {}
    result = []
    for index, finding in enumerate(draft.qa_findings or []):
        dismissal = dismissals.get(str(index))
        result.append({"index": index, **finding, "dismissed": dismissal is not None,
                       "dismissal_reason": dismissal["reason"] if dismissal else None})
    return result


async def dismiss(principal: Principal, draft_id: UUID, index: int, reason: str) -> Draft:
    draft = await _reviewable(principal, draft_id, claimed=True)
    findings = draft.qa_findings or []
    if not 0 <= index < len(findings):
        raise NotFound("no such finding on this draft")
    dismissals = dict(draft.dismissals or {})
    dismissals[str(index)] = {"reason": reason, "by": str(principal.user_id), "at": clock.now().isoformat()}
    async with in_transaction() as conn:
        await Draft.filter(id=draft.id).using_db(conn).update(dismissals=dismissals)
        await record(draft.bundle_id, "qa.finding_dismissed", conn=conn, actor_id=principal.user_id,  # type: ignore[attr-defined]
                     data={"draft_id": str(draft.id), "check": findings[index].get("check"), "reason": reason})
        await audit(principal, "qa.finding_dismissed", object_type="draft", object_id=draft.id,
                    bundle_id=draft.bundle_id, data={"check": findings[index].get("check")}, using=conn)  # type: ignore[attr-defined]
    return await Draft.get(id=draft.id)


def _blocking(draft: Draft) -> list[str]:
    return [f"{f['check']} in section {f['section'] or '-'}" for f in findings_of(draft)
            if f.get("severity") == "error" and not f["dismissed"]]


async def pass_draft(principal: Principal, draft_id: UUID, checklist: dict[str, bool]) -> Draft:
    draft = await _reviewable(principal, draft_id, claimed=True)
    unknown = set(checklist) - set(MANUAL_ITEMS)
    if unknown:
        raise InvalidInput(f"body.checklist: unknown items {', '.join(sorted(unknown))}")
    unconfirmed = [key for key in MANUAL_ITEMS if not checklist.get(key)]
    if unconfirmed:
        raise InvalidInput(f"body.checklist: confirm every manual item first: {', '.join(unconfirmed)}",
                           errors=[{"field": f"body.checklist.{k}", "message": "must be true"} for k in unconfirmed])
    blocking = _blocking(draft)
    if blocking:
        raise Conflict("automated error findings remain; fix or dismiss them with a reason: " + "; ".join(blocking))
    storage = current().storage
    original = await storage.read_bytes(draft.storage_key, expected_sha256=draft.sha256)
    delivered = await storage.put_bytes(new_object_key("delivered"), await asyncio.to_thread(
        strip_metadata, "docx", original))
    try:
        return await _decide(principal, draft, ReviewOutcome.PASS, "", delivered_key=delivered.key,
                             delivered_sha256=delivered.sha256, delivered_size=delivered.size)
    except BaseException:
        await storage.delete(delivered.key)
        raise


async def return_draft(principal: Principal, draft_id: UUID, comments: str) -> Draft:
    draft = await _reviewable(principal, draft_id, claimed=True)
    return await _decide(principal, draft, ReviewOutcome.RETURN, comments)


async def _decide(
    principal: Principal, draft: Draft, outcome: ReviewOutcome, comments: str, **draft_fields: Any
) -> Draft:
    passed = outcome == ReviewOutcome.PASS
    now = clock.now()
    async with in_transaction() as conn:
        won = await Draft.filter(id=draft.id, status=DraftStatus.IN_QA, reviewer_id=principal.user_id).using_db(
            conn).update(status=DraftStatus.PASSED if passed else DraftStatus.RETURNED, **draft_fields)
        if won != 1:
            raise Conflict("this draft has already been reviewed")
        await QaReview.create(draft_id=draft.id, reviewer_id=principal.user_id, outcome=outcome, comments=comments,
                              using_db=conn)
        extra: dict[str, Any] = {"delivered_at": now} if passed else {}
        await move(
            draft.bundle_id, BundleStatus.DELIVERED if passed else BundleStatus.RETURNED, conn=conn,  # type: ignore[attr-defined]
            actor_id=principal.user_id, expect=BundleStatus.IN_QA, event=f"qa.{'passed' if passed else 'returned'}",
            data={"draft_id": str(draft.id), "cycle": draft.cycle}, **extra,
        )
    return await Draft.get(id=draft.id)


async def writer_quality(principal: Principal, writer_id: UUID) -> dict[str, Any]:
    """First-time pass rate, review cycles per passed bundle, and the writer's most frequent findings."""
    if not await Writer.filter(id=writer_id, provider_id=principal.organisation_id).exists():
        raise NotFound("no such writer")
    drafts = await Draft.filter(writer_id=writer_id).order_by("bundle_id", "cycle")
    by_bundle: dict[UUID, list[Draft]] = {}
    for d in drafts:
        by_bundle.setdefault(d.bundle_id, []).append(d)  # type: ignore[attr-defined]
    passed = {b: ds for b, ds in by_bundle.items() if any(d.status == DraftStatus.PASSED for d in ds)}
    first_time = sum(1 for ds in passed.values() if ds[0].status == DraftStatus.PASSED)
    checks = Counter(f.get("check") for d in drafts for f in (d.qa_findings or []))
    return {
        "writer_id": writer_id, "drafts": len(drafts), "bundles_passed": len(passed),
        "first_time_pass_rate": round(first_time / len(passed), 3) if passed else None,
        "cycles_per_bundle": round(sum(len(ds) for ds in passed.values()) / len(passed), 2) if passed else None,
        "frequent_findings": [{"check": c, "count": n} for c, n in checks.most_common(5)],
    }
