"""The screening step of a bundle's intake: every document checked by content, size and pages -> queued or rejected.

Idempotent: runs from `submitted` (moving to `screening` first) or resumes a bundle left in `screening`.
The identifier screening of the intake issue plugs in here, on the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from service.bundles.transitions import move
from service.calendar import WorkingCalendar
from service.errors import TransitionNotAllowed
from service.logging import get_logger
from service.models import Bundle, BundleStatus, Document, LaContract, Tier
from service.runtime import current
from service.screening.filetype import detect_type
from service.screening.safety import UnsafeDocument, check_docx_archive, check_pdf

log = get_logger(__name__)
LONDON = ZoneInfo("Europe/London")
DEFAULT_TURNAROUND_DAYS = {Tier.STANDARD.value: 10, Tier.EXPRESS.value: 5}


def _pages_of(kind: str, data: bytes) -> int:
    if kind == "pdf":
        return check_pdf(data)
    if kind == "docx":
        check_docx_archive(data)
        return 1
    return data.count(b"\f") + 1


async def _check_document(document: Document, max_pages: int) -> tuple[int, str | None]:
    """(pages, reason it fails or None). Reads the bytes through storage, which verifies their hash."""
    data = await current().storage.read_bytes(document.storage_key, expected_sha256=document.sha256)
    kind = detect_type(data[:65536])
    if kind != document.kind:
        return 0, "The file's content no longer matches its type; please upload it again."
    try:
        pages = _pages_of(kind, data)
    except UnsafeDocument as exc:
        return 0, exc.reason
    if pages > max_pages:
        return pages, f"The document has {pages} pages; the most we accept is {max_pages}."
    return pages, None


async def turnaround_due(bundle: Bundle, queued_on: datetime) -> Any:
    contract = await LaContract.filter(la_id=bundle.la_id, provider_id=bundle.provider_id).order_by(  # type: ignore[attr-defined]
        "-starts_on").first()
    days = (contract.turnaround_days if contract else {}) or DEFAULT_TURNAROUND_DAYS
    n = int(days.get(bundle.tier.value, DEFAULT_TURNAROUND_DAYS[bundle.tier.value]))
    return WorkingCalendar().add_working_days(queued_on.astimezone(LONDON).date(), n)


async def screen_bundle(bundle_id: UUID) -> BundleStatus | None:
    bundle = await Bundle.filter(id=bundle_id).first()
    if bundle is None or bundle.status not in {BundleStatus.SUBMITTED, BundleStatus.SCREENING}:
        return None  # already screened, or cancelled: nothing to do
    if bundle.status == BundleStatus.SUBMITTED:
        try:
            async with in_transaction() as conn:
                await move(bundle.id, BundleStatus.SCREENING, conn=conn, expect=BundleStatus.SUBMITTED)
        except TransitionNotAllowed:
            return None  # another worker took it
    settings = current().settings
    findings: list[dict[str, Any]] = []
    total_pages = 0
    for document in await Document.filter(bundle_id=bundle.id, deleted_at__isnull=True).order_by("created_at"):
        pages, reason = await _check_document(document, settings.max_document_pages)
        total_pages += pages
        if reason is None:
            await Document.filter(id=document.id).update(pages=pages)
        else:
            findings.append({"document_id": str(document.id), "reason": reason})
    now = datetime.now(UTC)
    try:
        async with in_transaction() as conn:
            if findings:
                await move(bundle.id, BundleStatus.REJECTED, conn=conn, expect=BundleStatus.SCREENING,
                           event="bundle.rejected", data={"documents": len(findings)},
                           rejection={"documents": findings})
                outcome = BundleStatus.REJECTED
            else:
                await move(bundle.id, BundleStatus.QUEUED, conn=conn, expect=BundleStatus.SCREENING,
                           event="bundle.queued", data={"pages": total_pages},
                           page_count=total_pages, queued_at=now, turnaround_due=await turnaround_due(bundle, now),
                           jobs=(("allocation_round", {}),))
                outcome = BundleStatus.QUEUED
    except TransitionNotAllowed:
        return None  # cancelled meanwhile
    log.info("bundle.screened", bundle_id=str(bundle.id), outcome=outcome.value, pages=total_pages)
    return outcome


async def stuck_bundles(older_than_seconds: int = 120) -> list[UUID]:
    """Bundles a lost message left in submitted or screening: the sweep screens them again."""
    from datetime import timedelta

    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    return list(await Bundle.filter(
        status__in=(BundleStatus.SUBMITTED, BundleStatus.SCREENING), updated_at__lt=cutoff
    ).values_list("id", flat=True))  # type: ignore[arg-type]
