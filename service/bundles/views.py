"""Bundle serialisers: bundle, document and timeline rows into their API bodies."""

from __future__ import annotations

from contracts.api import BundleDetail, BundleOut, DocumentFinding, DocumentOut, EventOut
from service.bundles import service
from service.intake.denylists import hash_count
from service.models import Bundle, Document, Event
from service.sla.service import calendar_in, calendars_for


async def bundles_out(bundles: list[Bundle]) -> list[BundleOut]:
    """Bundles for the API, their clocks on their contracts' calendars (loaded once for the whole list)."""
    calendars = await calendars_for(bundles)
    return [BundleOut(**service.bundle_fields(b, calendar_in(calendars, b))) for b in bundles]


async def bundle_out(bundle: Bundle) -> BundleOut:
    return (await bundles_out([bundle]))[0]


def document_out(d: Document) -> DocumentOut:
    return DocumentOut(id=d.id, filename=d.filename, kind=d.kind, media_type=d.media_type, size=d.size,
                       sha256=d.sha256, pages=d.pages, created_at=d.created_at,
                       findings=[DocumentFinding.model_validate(f) for f in d.findings or []],
                       clean_sha256=d.clean_sha256)


def event_out(e: Event) -> EventOut:
    return EventOut(name=e.name, from_status=e.from_status, to_status=e.to_status, data=e.data, at=e.created_at)


async def bundle_detail_out(bundle: Bundle, documents: list[Document], events: list[Event]) -> BundleDetail:
    calendar = calendar_in(await calendars_for([bundle]), bundle)
    return BundleDetail(**service.bundle_fields(bundle, calendar), documents=[document_out(d) for d in documents],
                        timeline=[event_out(e) for e in events], deny_list_hashes=hash_count(bundle))
