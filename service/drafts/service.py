"""Draft plans: the writer keeps a front sheet and uploads a DOCX; the automated QA checks run at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from uuid import UUID

from tortoise.transactions import in_transaction

from contracts.api import FrontSheetIn
from service import clock
from service.allocation.rounds import bundle_effort
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.transitions import move, record
from service.contracts_in_force import contract_of
from service.documents.service import receive
from service.drafts.checks import run_qa
from service.errors import Conflict, InvalidInput, ServiceUnavailable, UnsupportedMediaType
from service.intake.screening_service import ScanRequired, scan_stored
from service.logging import get_logger
from service.models import Bundle, BundleStatus, Document, Draft, DraftStatus
from service.runtime import current
from service.screening.extract import extract_pages
from service.screening.safety import UnsafeDocument, check_pdf
from service.screening.sanitize import strip_metadata
from service.storage import new_object_key

log = get_logger(__name__)
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
        await Bundle.filter(id=bundle.id).using_db(conn).update(front_sheet=sheet.model_dump(),
                                                                updated_at=clock.now())
        await record(bundle.id, "front_sheet.updated", conn=conn, actor_id=principal.user_id,
                     data={"queries": len(sheet.queries), "missing_advice": len(sheet.missing_advice)})
    return await Bundle.get(id=bundle.id)


async def upload(
    principal: Principal, bundle_id: UUID, chunks: AsyncIterable[bytes], *, filename: str, content_type: str | None,
    hours_spent: float | None = None,
) -> Draft:
    """Store the draft, run the automated checks on it (the writer sees them in the answer), send it to QA.
    `hours_spent`, if the writer gives it, is kept beside the bundle's planned effort for allocation to learn from."""
    bundle = await _writers_bundle(principal, bundle_id, UPLOADABLE)
    storage = current().storage
    received = await receive(storage, chunks, prefix="drafts", filename=filename, content_type=content_type,
                             allowed=frozenset({"docx"}), limit=current().settings.max_draft_bytes)
    try:
        await refuse_malware(received.stored.key, received.stored.sha256, what="draft")
        data = await storage.read_bytes(received.stored.key, expected_sha256=received.stored.sha256)
        contract = await contract_of(bundle)
        template = contract.qa_template if contract is not None else None
        advice = await advice_of(bundle)
        findings, provision = await asyncio.to_thread(run_qa, data, bundle.front_sheet, template, advice)
        async with in_transaction() as conn:
            cycle = await Draft.filter(bundle_id=bundle.id).using_db(conn).count() + 1
            draft = await Draft.create(
                bundle_id=bundle.id, writer_id=principal.writer_id, cycle=cycle, filename=filename,
                size=received.stored.size, sha256=received.stored.sha256, storage_key=received.stored.key,
                front_sheet=bundle.front_sheet, qa_findings=findings, qa_provision=provision,
                hours_spent=hours_spent, hours_estimated=bundle_effort(bundle, contract) if hours_spent else None,
                using_db=conn,
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


async def advice_of(bundle: Bundle) -> list[tuple[str, str, list[str]]] | None:
    """The bundle's advice documents (id, name, the text page by page), for tracing provision to (None: the bundle
    holds no readable advice, so nothing is traced). A document that cannot be read is left out."""
    storage = current().storage
    found: list[tuple[str, str, list[str]]] = []
    for document in await Document.filter(bundle_id=bundle.id, deleted_at__isnull=True).order_by("created_at"):
        try:
            data = await storage.read_bytes(document.storage_key, expected_sha256=document.sha256)
            pages = await asyncio.to_thread(extract_pages, document.kind, data)
        except Exception as exc:  # an unreadable document was already reported by screening: trace the rest
            log.info("drafts.advice_skipped", kind=document.kind, reason=type(exc).__name__)
            continue
        if any(page.strip() for page in pages):
            found.append((str(document.id), document.filename, pages))
    return found or None


async def refuse_malware(key: str, sha256: str, *, what: str) -> None:
    """A draft goes to an LA: clamd (when configured) must find nothing in it, as in the LA's own documents.
    Malware is refused (422, naming the signature); a required scanner that cannot answer is a 503."""
    try:
        signature = await scan_stored(key, sha256, what=f"{what} upload")
    except ScanRequired:
        raise ServiceUnavailable("the malware scanner is unavailable and scanning is required: "
                                 "try again shortly") from None
    if signature is not None:
        raise InvalidInput(f"the {what} carries malware ({signature}) and was not stored",
                           errors=[{"field": "body", "message": f"malware: {signature}"}])


def _cleaned_rendition(data: bytes) -> bytes:
    """The PDF checked as an LA's documents are (damage, page count, stream limits), then stripped of metadata."""
    check_pdf(data)
    return strip_metadata("pdf", data)


async def add_rendition(
    principal: Principal, draft_id: UUID, chunks: AsyncIterable[bytes], *, filename: str, content_type: str | None
) -> Draft:
    """Attach the optional PDF rendition to a draft in QA; it is stored stripped of its metadata."""
    draft = await scope.get_draft(principal, draft_id)
    if draft.status != DraftStatus.IN_QA or draft.writer_id != principal.writer_id:  # type: ignore[attr-defined]
        raise Conflict(f"the draft is {draft.status.value}; a rendition can be added only while it is in QA",
                       current_status=draft.status.value)
    storage = current().storage
    received = await receive(storage, chunks, prefix="renditions", filename=filename, content_type=content_type,
                             allowed=frozenset({"pdf"}), limit=current().settings.max_draft_bytes)
    try:
        await refuse_malware(received.stored.key, received.stored.sha256, what="rendition")
        original = await storage.read_bytes(received.stored.key, expected_sha256=received.stored.sha256)
        try:
            stripped = await storage.put_bytes(new_object_key("renditions"),
                                               await asyncio.to_thread(_cleaned_rendition, original))
        except UnsafeDocument as exc:
            raise UnsupportedMediaType(exc.reason) from None
    finally:
        await storage.delete(received.stored.key)
    try:
        async with in_transaction() as conn:
            if not await Draft.filter(id=draft.id, status=DraftStatus.IN_QA).using_db(conn).update(
                rendition_key=stripped.key, rendition_sha256=stripped.sha256, rendition_size=stripped.size
            ):
                raise Conflict("the draft was reviewed meanwhile")
            await record(draft.bundle_id, "draft.rendition_added", conn=conn, actor_id=principal.user_id,  # type: ignore[attr-defined]
                         data={"draft_id": str(draft.id), "size": stripped.size})
    except BaseException:
        await storage.delete(stripped.key)
        raise
    if draft.rendition_key:
        await storage.delete(draft.rendition_key)
    return await Draft.get(id=draft.id)
