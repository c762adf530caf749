"""Retention: a contract-set number of days after a bundle closes, its documents and drafts leave storage.

A bundle closes when the LA accepts the plan, or it is closed or cancelled; the clock starts at the first of
those moves on its timeline. The purge deletes every stored object of the bundle (originals, the stripped
copies writers received, drafts), then blanks the rows' keys and marks them deleted: the rows stay as
tombstones, and the timeline, the audit log and the ledger are kept. Idempotent: deleting a missing object
is not an error, so a purge cut short is finished by the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.transactions import in_transaction

from service import clock
from service.bundles.transitions import record
from service.contracts_in_force import contract_of
from service.logging import get_logger
from service.models import Bundle, BundleStatus, Document, Draft, Event
from service.runtime import current

log = get_logger(__name__)
CLOSED = (BundleStatus.ACCEPTED, BundleStatus.CLOSED, BundleStatus.CANCELLED)
DEFAULT_RETENTION_DAYS = 90


@dataclass(frozen=True)
class Purged:
    bundle_id: UUID
    documents: int
    drafts: int


async def closed_at(bundle: Bundle) -> datetime:
    first = await Event.filter(bundle_id=bundle.id, to_status__in=[s.value for s in CLOSED]).order_by(
        "created_at").first()
    return first.created_at if first is not None else bundle.updated_at


async def retention_days(bundle: Bundle) -> int:
    contract = await contract_of(bundle)
    return contract.retention_days if contract is not None else DEFAULT_RETENTION_DAYS


async def _holding_content() -> set[UUID]:
    """Closed bundles that still have a stored object."""
    statuses = [s.value for s in CLOSED]
    with_documents = await Document.filter(bundle__status__in=statuses).exclude(storage_key="").values_list(
        "bundle_id", flat=True)
    with_drafts = await Draft.filter(bundle__status__in=statuses).exclude(storage_key="").values_list(
        "bundle_id", flat=True)
    return {UUID(str(i)) for i in [*with_documents, *with_drafts]}


async def purge_bundle(bundle_id: UUID, *, now: datetime | None = None) -> Purged:
    """Delete the bundle's stored objects, then tombstone their rows and note it on the timeline."""
    now = now or clock.now()
    storage = current().storage
    documents = await Document.filter(bundle_id=bundle_id).exclude(storage_key="")
    drafts = await Draft.filter(bundle_id=bundle_id).exclude(storage_key="")
    for document in documents:
        for key in (document.storage_key, document.clean_key):
            if key:
                await storage.delete(key)
    for draft in drafts:
        # the writer's upload, the LA's stripped copy and the PDF rendition
        for key in (draft.storage_key, draft.delivered_key, draft.rendition_key):
            if key:
                await storage.delete(key)
    async with in_transaction() as conn:
        ids = [d.id for d in documents]
        await Document.filter(id__in=ids, deleted_at__isnull=True).using_db(conn).update(deleted_at=now)
        await Document.filter(id__in=ids).using_db(conn).update(storage_key="", clean_key=None)
        draft_ids = [d.id for d in drafts]
        await Draft.filter(id__in=draft_ids, deleted_at__isnull=True).using_db(conn).update(deleted_at=now)
        await Draft.filter(id__in=draft_ids).using_db(conn).update(
            storage_key="", delivered_key=None, rendition_key=None)
        await record(bundle_id, "bundle.purged", conn=conn,
                     data={"documents": len(documents), "drafts": len(drafts)})
    return Purged(bundle_id, len(documents), len(drafts))


async def purge_expired(now: datetime | None = None) -> list[Purged]:
    """Purge every closed bundle whose retention period has run out."""
    now = now or clock.now()
    purged = []
    for bundle_id in sorted(await _holding_content()):
        bundle = await Bundle.get(id=bundle_id)
        if await closed_at(bundle) + timedelta(days=await retention_days(bundle)) > now:
            continue
        done = await purge_bundle(bundle.id, now=now)
        log.info("retention.purged", bundle_id=str(bundle.id), documents=done.documents, drafts=done.drafts)
        purged.append(done)
    return purged
