"""Replacing a document of a draft or rejected bundle: the new version streamed in, the old one deleted.

The replaced row stays as a tombstone (deleted_at) with its event on the timeline; its stored object and any
cleaned copy are deleted from storage once the replacement is committed.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from uuid import UUID

from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from service import clock
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.service import EDITABLE
from service.bundles.transitions import record
from service.documents.service import receive
from service.errors import Conflict, NotFound
from service.logging import get_logger
from service.models import Bundle, Document
from service.runtime import current
from service.storage import StorageError

log = get_logger(__name__)


async def replace_document(
    principal: Principal,
    bundle_id: UUID,
    document_id: UUID,
    chunks: AsyncIterable[bytes],
    *,
    filename: str,
    content_type: str | None,
) -> Document:
    bundle = await scope.get_bundle(principal, bundle_id)
    if bundle.status not in EDITABLE:
        raise Conflict(f"the bundle is {bundle.status.value}; documents can be replaced only while draft or rejected",
                       current_status=bundle.status.value)
    old = await Document.filter(id=document_id, bundle_id=bundle.id, deleted_at__isnull=True).first()
    if old is None:
        raise NotFound("no such document")
    settings = current().settings
    used = (await Document.filter(bundle_id=bundle.id, deleted_at__isnull=True).annotate(total=Sum("size"))
            .first().values("total"))
    remaining = settings.max_bundle_bytes - (int((used or {}).get("total") or 0) - old.size)
    limit = min(settings.max_document_bytes, max(remaining, 0))
    storage = current().storage
    received = await receive(storage, chunks, prefix="documents", filename=filename, content_type=content_type,
                             allowed=frozenset(current().settings.document_types), limit=limit)
    try:
        async with in_transaction() as conn:
            if not await Bundle.filter(id=bundle.id, status__in=tuple(EDITABLE)).using_db(conn).exists():
                raise Conflict("the bundle was submitted meanwhile; its documents can no longer change")
            retired = await Document.filter(id=old.id, deleted_at__isnull=True).using_db(conn).update(
                deleted_at=clock.now())
            if retired != 1:
                raise Conflict("the document was replaced or removed meanwhile")
            document = await Document.create(
                bundle_id=bundle.id, filename=filename, kind=received.kind, media_type=received.media_type,
                size=received.stored.size, sha256=received.stored.sha256, storage_key=received.stored.key,
                uploaded_by_id=principal.user_id, using_db=conn,
            )
            await record(bundle.id, "document.replaced", conn=conn, actor_id=principal.user_id,
                         data={"document_id": str(document.id), "replaces": str(old.id), "kind": received.kind,
                               "size": received.stored.size})
    except BaseException:
        await storage.delete(received.stored.key)
        raise
    for key in (old.storage_key, old.clean_key):
        if key:
            try:
                await storage.delete(key)
            except StorageError:
                # the retention purge deletes what a tombstone still points at
                log.warning("document.replaced_delete_failed", document_id=str(old.id))
    return document
