"""Bundle rules: create (idempotently), add documents, submit, cancel, list and read. Services never commit."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterable
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from contracts.api import BundleCreate
from service import clock
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.submission import submit_bundle
from service.bundles.transitions import move, record
from service.calendar import WorkingCalendar
from service.contracts_in_force import contract_in_force
from service.documents.service import receive
from service.errors import Conflict, DuplicateReference, IdempotencyConflict, InvalidInput, NotFound
from service.jobs import Job
from service.models import Bundle, BundleStatus, Document, Event, Organisation
from service.outbox.service import enqueue
from service.runtime import current
from service.sla.service import sla_view

# the LA may add or replace documents only before submission, or after a rejection
EDITABLE = frozenset({BundleStatus.DRAFT, BundleStatus.REJECTED})
# a bundle in one of these is no longer live: its reference may be used again without saying so
FINISHED = (BundleStatus.ACCEPTED, BundleStatus.CLOSED, BundleStatus.CANCELLED)
# while a writer's query is open the LA may add documents with its answer; each is screened on its own
ADDABLE = EDITABLE | {BundleStatus.AWAITING_LA}


def _request_hash(body: BundleCreate) -> str:
    # the flag is left out when unset, so keys stored before it existed still match their bodies
    fields = body.model_dump(mode="json", exclude=set() if body.duplicate_reference else {"duplicate_reference"})
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def create_bundle(
    principal: Principal, body: BundleCreate, *, idempotency_key: str | None
) -> tuple[Bundle, bool]:
    """Create a bundle in `draft`. The same Idempotency-Key and body return the first bundle; another body, 409."""
    if principal.provider_id is None:
        raise Conflict("this LA has no writing-service contract yet")
    if idempotency_key is not None and not (0 < len(idempotency_key) <= 200):
        raise InvalidInput("header Idempotency-Key: must be 1 to 200 characters")
    request_hash = _request_hash(body)
    if idempotency_key is not None:
        existing = await _replay(principal, idempotency_key, request_hash)
        if existing is not None:
            return existing, False
    try:
        async with in_transaction() as conn:
            # the LA's row is locked (PostgreSQL) so two concurrent creations cannot both find the reference free;
            # a request that waited for one with its own key then finds that bundle and answers it
            la = await Organisation.filter(id=principal.organisation_id).using_db(conn).select_for_update().first()
            if idempotency_key is not None:
                existing = await _replay(principal, idempotency_key, request_hash, conn)
                if existing is not None:
                    return existing, False
            await _refuse_when_not_taking_work(la, conn)
            if not body.duplicate_reference:
                await _refuse_a_second_live_reference(principal.organisation_id, body.reference, conn)
            bundle = await Bundle.create(
                la_id=principal.organisation_id,
                provider_id=principal.provider_id,
                created_by_id=principal.user_id,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                using_db=conn,
                **body.model_dump(exclude={"duplicate_reference"}),
            )
            await record(bundle.id, "bundle.created", conn=conn, actor_id=principal.user_id)
    except IntegrityError:
        # a concurrent request with the same key won the race
        existing = await _replay(principal, idempotency_key or "", request_hash) if idempotency_key else None
        if existing is None:
            raise
        return existing, False
    return bundle, True


async def _refuse_when_not_taking_work(la: Organisation | None, conn: BaseDBAsyncClient) -> None:
    """An archived LA, or one whose contract has ended, sends no new bundles (what it has in hand carries on)."""
    if la is None:
        return
    if la.archived_at is not None:
        raise Conflict("this LA is archived by its writing service: it sends no new bundles")
    contract = await contract_in_force(la.id, conn=conn)
    if contract is not None and contract.ends_on is not None and contract.ends_on < clock.today():
        raise Conflict(f"this LA's contract ended on {contract.ends_on.isoformat()}: it sends no new bundles")


async def _refuse_a_second_live_reference(la_id: UUID, reference: str, conn: BaseDBAsyncClient) -> None:
    """One live bundle per case reference unless the LA says otherwise: a second is most often the same case sent
    twice. The caller holds the LA's row lock."""
    first = await Bundle.filter(la_id=la_id, reference=reference).exclude(status__in=FINISHED).using_db(
        conn).order_by("created_at").first()
    if first is not None:
        raise DuplicateReference(
            f"bundle {first.id} ({first.status.value}) already has the reference {reference}; to create another "
            'on purpose send "duplicate_reference": true', existing_bundle_id=str(first.id),
            current_status=first.status.value)


async def _replay(
    principal: Principal, key: str, request_hash: str, conn: BaseDBAsyncClient | None = None
) -> Bundle | None:
    existing = await Bundle.filter(la_id=principal.organisation_id, idempotency_key=key).using_db(conn).first()
    if existing is not None and existing.request_hash != request_hash:
        raise IdempotencyConflict("this Idempotency-Key was used with a different body")
    return existing


async def add_document(
    principal: Principal,
    bundle_id: UUID,
    chunks: AsyncIterable[bytes],
    *,
    filename: str,
    content_type: str | None,
) -> Document:
    bundle = await scope.get_bundle(principal, bundle_id)
    if bundle.status not in ADDABLE:
        raise Conflict(f"the bundle is {bundle.status.value}; documents can be added only while draft or rejected, "
                       "or with the answer to a writer's query", current_status=bundle.status.value)
    settings = current().settings
    used = (await Document.filter(bundle_id=bundle.id, deleted_at__isnull=True).annotate(total=Sum("size"))
            .first().values("total"))
    remaining = settings.max_bundle_bytes - int((used or {}).get("total") or 0)
    limit = min(settings.max_document_bytes, max(remaining, 0))
    storage = current().storage
    received = await receive(
        storage, chunks, prefix="documents", filename=filename, content_type=content_type,
        allowed=frozenset(settings.document_types), limit=limit,
    )
    try:
        async with in_transaction() as conn:
            document = await Document.create(
                bundle_id=bundle.id, filename=filename, kind=received.kind, media_type=received.media_type,
                size=received.stored.size, sha256=received.stored.sha256, storage_key=received.stored.key,
                uploaded_by_id=principal.user_id, using_db=conn,
            )
            await record(bundle.id, "document.added", conn=conn, actor_id=principal.user_id,
                         data={"document_id": str(document.id), "kind": received.kind, "size": received.stored.size})
            if bundle.status == BundleStatus.AWAITING_LA:
                await enqueue(Job.SCREEN_DOCUMENT, using=conn, document_id=str(document.id))
    except BaseException:
        await storage.delete(received.stored.key)
        raise
    return document


async def submit(principal: Principal, bundle_id: UUID) -> Bundle:
    bundle = await scope.get_bundle(principal, bundle_id)
    if not await Document.filter(bundle_id=bundle.id, deleted_at__isnull=True).exists():
        raise Conflict("add at least one document before submitting", current_status=bundle.status.value)
    async with in_transaction() as conn:
        # committed against the LA's purchase orders, or held until one has room (service/bundles/submission.py)
        return await submit_bundle(bundle, actor_id=principal.user_id, conn=conn)


async def cancel(principal: Principal, bundle_id: UUID) -> Bundle:
    bundle = await scope.get_bundle(principal, bundle_id)
    async with in_transaction() as conn:
        moved = await move(bundle.id, BundleStatus.CANCELLED, conn=conn, actor_id=principal.user_id)
        from service.models import Offer, OfferStatus

        await Offer.filter(bundle_id=bundle.id, status=OfferStatus.PENDING).using_db(conn).update(
            status=OfferStatus.WITHDRAWN, responded_at=clock.now()
        )
        return moved


def _encode_cursor(bundle: Bundle) -> str:
    raw = f"{bundle.created_at.isoformat()}|{bundle.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, ident = raw.partition("|")
        return datetime.fromisoformat(at), UUID(ident)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("query.cursor: not a cursor this API issued") from None


async def list_bundles(
    principal: Principal, *, status: str | None, cursor: str | None, limit: int
) -> tuple[list[Bundle], str | None]:
    """Newest first; the cursor is the last row's (created_at, id), so pages never skip or repeat rows."""
    query = scope.bundles(principal)
    if status is not None:
        query = query.filter(status=status)
    if cursor is not None:
        at, ident = _decode_cursor(cursor)
        query = query.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=ident))
    rows = await query.order_by("-created_at", "-id").limit(limit + 1)
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def get_detail(principal: Principal, bundle_id: UUID) -> tuple[Bundle, list[Document], list[Event]]:
    bundle = await scope.get_bundle(principal, bundle_id)
    documents = await Document.filter(bundle_id=bundle.id, deleted_at__isnull=True).order_by("created_at")
    events = await Event.filter(bundle_id=bundle.id).order_by("id")
    return bundle, documents, events


async def get_document(principal: Principal, bundle_id: UUID, document_id: UUID) -> tuple[Bundle, Document]:
    bundle = await scope.get_bundle(principal, bundle_id)
    document = await Document.filter(id=document_id, bundle_id=bundle.id, deleted_at__isnull=True).first()
    if document is None:
        raise NotFound("no such document")
    return bundle, document


def bundle_fields(bundle: Bundle, calendar: WorkingCalendar) -> dict[str, Any]:
    """A bundle's fields for the API; `calendar` is its contract's (sla.service.calendars_for)."""
    return {
        "id": bundle.id, "reference": bundle.reference, "work_type": bundle.work_type.value,
        "tier": bundle.tier.value, "requires": bundle.requires, "status": bundle.status.value,
        "statutory_due": bundle.statutory_due, "turnaround_due": bundle.turnaround_due,
        "page_count": bundle.page_count, "writer_id": bundle.writer_id,  # type: ignore[attr-defined]
        "rejection": bundle.rejection, "hold_reason": bundle.hold_reason, "effort_hours": bundle.effort_hours,
        "pinned_writer_id": bundle.pinned_writer_id,  # type: ignore[attr-defined]
        "allocation_note": bundle.allocation_note, "sla": sla_view(bundle, calendar),
        "created_at": bundle.created_at, "updated_at": bundle.updated_at,
    }
