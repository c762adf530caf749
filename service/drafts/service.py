"""Draft plans: the writer uploads a DOCX; it goes to QA with its automated checks run as a job."""

from __future__ import annotations

from collections.abc import AsyncIterable
from uuid import UUID

from tortoise.transactions import in_transaction

from service.auth import scope
from service.auth.principal import Principal
from service.bundles.transitions import move
from service.documents.service import receive
from service.errors import Conflict
from service.models import BundleStatus, Draft
from service.runtime import current

UPLOADABLE = frozenset({BundleStatus.ALLOCATED, BundleStatus.DRAFTING, BundleStatus.RETURNED,
                        BundleStatus.AMENDMENT_REQUESTED})


async def upload(
    principal: Principal, bundle_id: UUID, chunks: AsyncIterable[bytes], *, filename: str, content_type: str | None
) -> Draft:
    bundle = await scope.get_bundle(principal, bundle_id)
    if bundle.status not in UPLOADABLE or bundle.writer_id != principal.writer_id:  # type: ignore[attr-defined]
        raise Conflict(f"the bundle is {bundle.status.value}; a draft cannot be uploaded now",
                       current_status=bundle.status.value)
    storage = current().storage
    received = await receive(storage, chunks, prefix="drafts", filename=filename, content_type=content_type,
                             allowed=frozenset({"docx"}), limit=current().settings.max_draft_bytes)
    try:
        async with in_transaction() as conn:
            cycle = await Draft.filter(bundle_id=bundle.id).using_db(conn).count() + 1
            draft = await Draft.create(
                bundle_id=bundle.id, writer_id=principal.writer_id, cycle=cycle, filename=filename,
                size=received.stored.size, sha256=received.stored.sha256, storage_key=received.stored.key,
                using_db=conn,
            )
            if bundle.status == BundleStatus.ALLOCATED:
                await move(bundle.id, BundleStatus.DRAFTING, conn=conn, actor_id=principal.user_id,
                           expect=BundleStatus.ALLOCATED)
            await move(bundle.id, BundleStatus.IN_QA, conn=conn, actor_id=principal.user_id,
                       event="draft.uploaded", data={"draft_id": str(draft.id), "cycle": cycle},
                       jobs=(("check_draft", {"draft_id": str(draft.id)}),))
    except BaseException:
        await storage.delete(received.stored.key)
        raise
    return draft
