"""The LA confirms that pages screening could not read hold no identifiers: the one way past `unreadable_content`
short of removing or redacting the page.

The confirmation names the document version (its SHA-256), so a replaced document is screened afresh; it is a
timeline event and an audit entry (who, when, which pages), and the next screening of the bundle turns those pages'
`unreadable_content` findings into confirmed warnings. No free text is taken: what an officer would write about a
page could itself name the child.
"""

from __future__ import annotations

from uuid import UUID

from tortoise.transactions import in_transaction

from contracts.api import UnreadableConfirmationIn
from service.audit.service import audit
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.transitions import record
from service.errors import Conflict, InvalidInput, NotFound
from service.intake.screening_service import UNREADABLE_CONFIRMED
from service.models import Bundle, BundleStatus, Document


async def confirm_unreadable(
    principal: Principal, bundle_id: UUID, document_id: UUID, body: UnreadableConfirmationIn
) -> list[int]:
    """Record the confirmation for the pages asked; every one must carry an unreadable_content finding."""
    bundle = await scope.get_bundle(principal, bundle_id)
    if bundle.status != BundleStatus.REJECTED:
        raise Conflict(f"the bundle is {bundle.status.value}; unreadable pages are confirmed after screening "
                       "rejected it", current_status=bundle.status.value)
    document = await Document.filter(id=document_id, bundle_id=bundle.id, deleted_at__isnull=True).first()
    if document is None:
        raise NotFound("no such document")
    unreadable = {int(f["page"]) for f in document.findings or [] if f.get("kind") == "unreadable_content"}
    pages = sorted(set(body.pages))
    stray = [page for page in pages if page not in unreadable]
    if stray:
        raise InvalidInput(f"body.pages: page {stray[0]} has no unreadable_content finding; "
                           f"pages that have one: {sorted(unreadable) or 'none'}")
    data = {"document_id": str(document.id), "sha256": document.sha256, "pages": pages}
    async with in_transaction() as conn:
        if not await Bundle.filter(id=bundle.id, status=BundleStatus.REJECTED).using_db(conn).exists():
            raise Conflict("the bundle was resubmitted meanwhile")
        await record(bundle.id, UNREADABLE_CONFIRMED, conn=conn, actor_id=principal.user_id, data=data)
        await audit(principal, "document.unreadable_confirmed", object_type="document", object_id=document.id,
                    bundle_id=bundle.id, data=data, using=conn)
    return pages
