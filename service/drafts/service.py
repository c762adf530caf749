"""Draft plans: the writer keeps a front sheet and uploads a DOCX; the automated QA checks run at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from uuid import UUID

from tortoise.transactions import in_transaction

from contracts.api import FrontSheetIn
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.transitions import move, record
from service.documents.service import receive
from service.drafts.checks import run_qa
from service.errors import Conflict
from service.models import Bundle, BundleStatus, Draft
from service.runtime import current

UPLOADABLE = frozenset({BundleStatus.ALLOCATED, BundleStatus.DRAFTING, BundleStatus.RETURNED,
                        BundleStatus.AMENDMENT_REQUESTED})
FRONT_SHEET_EDITABLE = UPLOADABLE | {BundleStatus.AWAITING_LA}


async def _writers_bundle(principal: Principal, bundle_id: UUID, allowed: frozenset[BundleStatus]) -> Bundle:
    bundle = await scope.get_bundle(principal, bundle_id)
    if bundle.status not in allowed or bundle.writer_id != principal.writer_id:  # type: ignore[attr-defined]
        raise Conflict(f"the bundle is {bundle.status.value}; this cannot be done now",
                       current_status=bundle.status.value)
    return bundle


async def set_front_sheet(principal: Principal, bundle_id: UUID, sheet: FrontSheetIn) -> Bundle:
    bundle = await _writers_bundle(principal, bundle_id, FRONT_SHEET_EDITABLE)
    async with in_transaction() as conn:
        await Bundle.filter(id=bundle.id).using_db(conn).update(front_sheet=sheet.model_dump())
        await record(bundle.id, "front_sheet.updated", conn=conn, actor_id=principal.user_id,
                     data={"queries": len(sheet.queries), "missing_advice": len(sheet.missing_advice)})
    return await Bundle.get(id=bundle.id)


async def upload(
    principal: Principal, bundle_id: UUID, chunks: AsyncIterable[bytes], *, filename: str, content_type: str | None
) -> Draft:
    """Store the draft, run the automated checks on it (the writer sees them in the answer), send it to QA."""
    bundle = await _writers_bundle(principal, bundle_id, UPLOADABLE)
    storage = current().storage
    received = await receive(storage, chunks, prefix="drafts", filename=filename, content_type=content_type,
                             allowed=frozenset({"docx"}), limit=current().settings.max_draft_bytes)
    try:
        data = await storage.read_bytes(received.stored.key, expected_sha256=received.stored.sha256)
        findings = await asyncio.to_thread(run_qa, data, bundle.front_sheet)
        async with in_transaction() as conn:
            cycle = await Draft.filter(bundle_id=bundle.id).using_db(conn).count() + 1
            draft = await Draft.create(
                bundle_id=bundle.id, writer_id=principal.writer_id, cycle=cycle, filename=filename,
                size=received.stored.size, sha256=received.stored.sha256, storage_key=received.stored.key,
                front_sheet=bundle.front_sheet, qa_findings=findings, using_db=conn,
            )
            if bundle.status == BundleStatus.ALLOCATED:
                await move(bundle.id, BundleStatus.DRAFTING, conn=conn, actor_id=principal.user_id,
                           expect=BundleStatus.ALLOCATED)
            errors = sum(1 for f in findings if f.get("severity") == "error")
            await move(bundle.id, BundleStatus.IN_QA, conn=conn, actor_id=principal.user_id,
                       event="draft.uploaded", data={"draft_id": str(draft.id), "cycle": cycle,
                                                     "findings": len(findings), "errors": errors})
    except BaseException:
        await storage.delete(received.stored.key)
        raise
    return draft
