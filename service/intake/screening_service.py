"""The screening step of a bundle's intake: every document checked, scanned, screened and cleaned -> queued or rejected.

Per document, in order: the bytes read back through storage (which verifies their hash); the type decided again
by content; the malware scan through clamd when configured (before any parser touches the file); archive and
parser safety and the page count; the identifier screening engine with the LA's deny-list, each finding judged
by the contract's policy (block or warn). Any failure or blocking finding rejects the bundle with a report the
LA can act on. Only when every document passes is a metadata-stripped copy of each written to storage, which is
all a writer or QA reviewer is ever served.

Idempotent: runs from `submitted` (moving to `screening` first) or resumes a bundle left in `screening`.
When scanning is required and clamd is down, the job raises so dramatiq retries it, and the bundle waits in
`screening` (the sweep re-screens it): nothing reaches a writer unscanned.

The shell of the pure screening core, `service.screening`: the rows, storage, clamd and transitions are here.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from service import clock
from service.billing.orders import recommit
from service.bundles.transitions import move, record
from service.calendar import WorkingCalendar
from service.contracts_in_force import contract_of
from service.errors import TransitionNotAllowed
from service.intake import clamd
from service.intake.policy import Action, blocking, judge, lenient_policy
from service.logging import get_logger
from service.models import Bundle, BundleStatus, Document, Event, Tier
from service.runtime import current
from service.screening.denylist import DenyList, DenyListError
from service.screening.filetype import detect_type
from service.screening.ocr import OcrUnavailable
from service.screening.report import OcrOptions, name_findings, screen_document
from service.screening.safety import UnsafeDocument, check_docx_archive, check_pdf
from service.screening.sanitize import strip_metadata
from service.storage import new_object_key

log = get_logger(__name__)
DEFAULT_TURNAROUND_DAYS = {Tier.STANDARD.value: 10, Tier.EXPRESS.value: 5}
CLEAN_PREFIX = "documents-clean"


class ScanRequired(Exception):
    """Scanning is required and the scanner gave no verdict: the job fails so it is retried later."""


# The event that records the LA's confirmation that unreadable pages of one version of a document hold no identifiers.
UNREADABLE_CONFIRMED = "document.unreadable_confirmed"
# A bundle in screening this long was left by a lost or killed job (the worker's limit is ten minutes).
SCREENING_STUCK_SECONDS = 11 * 60


@dataclass
class Outcome:
    """What screening found in one document."""

    pages: int = 0
    reason: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    malware: str | None = None


def _pages_of(kind: str, data: bytes) -> int:
    if kind == "pdf":
        return check_pdf(data)
    if kind == "docx":
        check_docx_archive(data)
        return 1
    return data.count(b"\f") + 1


def _where(findings: list[dict[str, Any]]) -> str:
    """'nhs_number on page 3, postcode on pages 1 and 2': what to fix and where, without the identifiers."""
    pages: dict[str, list[int]] = {}
    for finding in findings:
        seen = pages.setdefault(str(finding["kind"]), [])
        if finding["page"] not in seen:
            seen.append(int(finding["page"]))
    parts = []
    for kind, numbers in pages.items():
        numbers.sort()
        listed = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
        parts.append(f"{kind} on page{'s' if len(numbers) > 1 else ''} {listed}")
    return "; ".join(parts)


async def scan_stored(storage_key: str, sha256: str, *, what: str) -> str | None:
    """The malware signature clamd finds in a stored object, or None (also when no clamd is configured);
    ScanRequired when it must scan and cannot. `what` names the object in the log (an id, never content)."""
    runtime = current()
    settings = runtime.settings
    if settings.clamd_url is None:
        return None
    try:
        result = await clamd.scan(
            settings.clamd_url,
            runtime.storage.open(storage_key, expected_sha256=sha256),
            timeout=settings.scan_timeout_seconds,
        )
    except clamd.ScannerUnavailable as exc:
        if settings.scan_required:
            raise ScanRequired(str(exc)) from None
        log.warning("screening.scan_skipped", object=what, reason=str(exc))
        return None
    return result.signature


async def _scan(document: Document) -> str | None:
    return await scan_stored(document.storage_key, document.sha256, what=f"document {document.id}")


def ocr_options(deadline: float | None = None) -> OcrOptions:
    settings = current().settings
    return OcrOptions(page_seconds=settings.ocr_page_seconds, threads=settings.ocr_threads,
                      deadline=deadline if deadline is not None else time.monotonic() + settings.ocr_bundle_seconds)


async def confirmed_pages(document: Document) -> set[int]:
    """Pages of this version of the document (by its hash) that the LA confirmed hold no identifiers."""
    events = await Event.filter(bundle_id=document.bundle_id, name=UNREADABLE_CONFIRMED).values_list(  # type: ignore[attr-defined]
        "data", flat=True)
    pages: set[int] = set()
    for data in events:
        if isinstance(data, dict) and data.get("document_id") == str(document.id) \
                and data.get("sha256") == document.sha256:
            pages.update(int(page) for page in data.get("pages", []))
    return pages


def _apply_confirmations(findings: list[dict[str, Any]], pages: set[int]) -> list[dict[str, Any]]:
    for finding in findings:
        if finding["kind"] == "unreadable_content" and finding["page"] in pages:
            finding.update(action="warn", confirmed=True)
    return findings


async def _screen_one(
    document: Document, *, max_pages: int, deny: DenyList | None, policy: dict[str, Action],
    ocr: OcrOptions | None = None,
) -> Outcome:
    data = await current().storage.read_bytes(document.storage_key, expected_sha256=document.sha256)
    kind = detect_type(data[:65536])
    if kind != document.kind:
        return Outcome(reason="The file's content no longer matches its type; please upload it again.")
    signature = await _scan(document)
    if signature is not None:
        return Outcome(malware=signature, reason=(
            f"The malware scanner found {signature} in this file; it will not be opened. "
            "Please check the file with your IT team and replace it with a clean copy."))
    try:
        pages = _pages_of(kind, data)
        if pages > max_pages:
            return Outcome(pages, f"The document has {pages} pages; the most we accept is {max_pages}.")
        # CPU-bound parsing off the event loop, so one large bundle does not stall the worker's other jobs
        report = await asyncio.to_thread(screen_document, document.filename, kind, data, deny, ocr or ocr_options())
    except UnsafeDocument as exc:
        return Outcome(reason=exc.reason)
    except OcrUnavailable as exc:
        # never pass a picture unread: the job fails and is retried, the bundle waits in screening
        log.error("screening.ocr_unavailable", document_id=str(document.id), reason=str(exc))
        raise
    # the file name too: writers see it beside the document
    findings = judge([*name_findings(document.filename, deny), *report.findings], policy)
    if any(f["kind"] == "unreadable_content" for f in findings):
        findings = _apply_confirmations(findings, await confirmed_pages(document))
    blocked = blocking(findings)
    reason = None
    if blocked:
        reason = ("Identifiers that must not be in an anonymised bundle were found: "
                  f"{_where([dict(f) for f in blocked])}. Please remove them and replace the document.")
    return Outcome(pages=pages, reason=reason, findings=findings)


async def _write_clean_copy(document: Document) -> None:
    """Store the metadata-stripped copy writers receive and record it on the row (replacing an earlier one)."""
    storage = current().storage
    data = await storage.read_bytes(document.storage_key, expected_sha256=document.sha256)
    clean = await asyncio.to_thread(strip_metadata, document.kind, data, document.findings)
    stored = await storage.put_bytes(new_object_key(CLEAN_PREFIX), clean)
    previous = document.clean_key
    await Document.filter(id=document.id).update(clean_key=stored.key, clean_sha256=stored.sha256,
                                                 clean_size=stored.size)
    if previous and previous != stored.key:
        await storage.delete(previous)


def _deny_list(bundle: Bundle) -> DenyList | None:
    if not bundle.deny_list:
        return None
    try:
        return DenyList(str(bundle.deny_list["salt"]), [str(h) for h in bundle.deny_list["hashes"]])
    except (KeyError, TypeError, DenyListError):
        # validated when attached; a row edited by hand must not stop screening silently
        raise ValueError("the bundle's stored deny-list is unusable") from None


async def turnaround_due(bundle: Bundle, queued_on: datetime) -> Any:
    contract = await contract_of(bundle)
    days = (contract.turnaround_days if contract else {}) or DEFAULT_TURNAROUND_DAYS
    n = int(days.get(bundle.tier.value, DEFAULT_TURNAROUND_DAYS[bundle.tier.value]))
    return WorkingCalendar().add_working_days(clock.london_date(queued_on), n)


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
    contract = await contract_of(bundle)
    policy, problems = lenient_policy(contract.screening_policy if contract else None)
    for problem in problems:
        log.warning("screening.policy_entry_ignored", bundle_id=str(bundle.id), problem=problem)
    deny = _deny_list(bundle)
    rejected: list[dict[str, Any]] = []
    total_pages = warnings = malware = 0
    documents = await Document.filter(bundle_id=bundle.id, deleted_at__isnull=True).order_by("created_at")
    ocr = ocr_options()  # one OCR budget for the whole bundle, within the worker's job limit
    for document in documents:
        outcome = await _screen_one(document, max_pages=settings.max_document_pages, deny=deny, policy=policy,
                                    ocr=ocr)
        total_pages += outcome.pages
        warnings += sum(1 for f in outcome.findings if f["action"] == "warn")
        await Document.filter(id=document.id).update(pages=outcome.pages or document.pages,
                                                     findings=outcome.findings)
        if outcome.reason is not None:
            entry: dict[str, Any] = {"document_id": str(document.id), "filename": document.filename,
                                     "reason": outcome.reason, "findings": outcome.findings}
            if outcome.malware is not None:
                malware += 1
                entry["malware"] = outcome.malware
            rejected.append(entry)
    if not rejected:
        for document in documents:
            try:
                await _write_clean_copy(await Document.get(id=document.id))
            except UnsafeDocument as exc:
                rejected.append({"document_id": str(document.id), "filename": document.filename,
                                 "reason": exc.reason, "findings": []})
    now = clock.now()
    try:
        async with in_transaction() as conn:
            if rejected:
                await move(bundle.id, BundleStatus.REJECTED, conn=conn, expect=BundleStatus.SCREENING,
                           event="bundle.rejected", data={"documents": len(rejected), "malware": malware},
                           rejection={"documents": rejected})
                outcome_status = BundleStatus.REJECTED
            else:
                await move(bundle.id, BundleStatus.QUEUED, conn=conn, expect=BundleStatus.SCREENING,
                           event="bundle.queued", data={"pages": total_pages, "warnings": warnings},
                           page_count=total_pages, queued_at=now, turnaround_due=await turnaround_due(bundle, now),
                           **await recommit(bundle, total_pages, conn))
                outcome_status = BundleStatus.QUEUED
    except TransitionNotAllowed:
        return None  # cancelled meanwhile
    log.info("bundle.screened", bundle_id=str(bundle.id), outcome=outcome_status.value, pages=total_pages,
             warnings=warnings)
    return outcome_status


async def stuck_bundles(older_than_seconds: int = 120, screening_seconds: int = SCREENING_STUCK_SECONDS) -> list[UUID]:
    """Bundles a lost message left in submitted or screening: the sweep screens them again.

    A bundle in screening may be in a job still reading scanned pages, so it counts as stuck only once it has been
    there longer than any job may run."""
    now = clock.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    screening_cutoff = now - timedelta(seconds=screening_seconds)
    return list(await Bundle.filter(
        Q(status=BundleStatus.SUBMITTED, updated_at__lt=cutoff)
        | Q(status=BundleStatus.SCREENING, updated_at__lt=screening_cutoff)
    ).values_list("id", flat=True))  # type: ignore[arg-type]


async def screen_added_document(document_id: UUID) -> str | None:
    """Screen one document the LA added with a query's answer: a stripped copy for the writer, or it goes.

    Idempotent: a document already screened (stripped copy made) or removed is left alone. A blocked document is
    tombstoned and its bytes deleted, so no writer ever sees it; the LA reads why on the timeline.
    """
    document = await Document.filter(id=document_id, deleted_at__isnull=True, clean_key__isnull=True).first()
    if document is None:
        return None
    bundle = await Bundle.get(id=document.bundle_id)  # type: ignore[attr-defined]
    contract = await contract_of(bundle)
    policy, _ = lenient_policy(contract.screening_policy if contract else None)
    outcome = await _screen_one(document, max_pages=current().settings.max_document_pages, deny=_deny_list(bundle),
                                policy=policy)
    await Document.filter(id=document.id).update(pages=outcome.pages or document.pages, findings=outcome.findings)
    if outcome.reason is None:
        try:
            await _write_clean_copy(await Document.get(id=document.id))
        except UnsafeDocument as exc:
            outcome = Outcome(reason=exc.reason)
    async with in_transaction() as conn:
        if outcome.reason is None:
            await record(bundle.id, "document.screened", conn=conn,
                         data={"document_id": str(document.id), "warnings": len(outcome.findings)})
            return "screened"
        await Document.filter(id=document.id).using_db(conn).update(deleted_at=clock.now())
        await record(bundle.id, "document.refused", conn=conn,
                     data={"document_id": str(document.id), "reason": outcome.reason,
                           "findings": outcome.findings, "malware": outcome.malware})
    await current().storage.delete(document.storage_key)
    return "refused"


async def unscreened_documents(older_than_seconds: int = 120) -> list[UUID]:
    """Documents added with an answer whose screening message was lost: the sweep screens them again."""
    cutoff = clock.now() - timedelta(seconds=older_than_seconds)
    return list(await Document.filter(
        deleted_at__isnull=True, clean_key__isnull=True, created_at__lt=cutoff,
        bundle__status=BundleStatus.AWAITING_LA,
    ).values_list("id", flat=True))  # type: ignore[arg-type]
