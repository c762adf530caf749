"""Bundle serialisers: bundle, document and timeline rows into their API bodies."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from contracts.api import BundleDetail, BundleOut, DocumentFinding, DocumentOut, EventOut
from service.auth.principal import Principal
from service.auth.pseudonyms import pseudonym
from service.bundles import service
from service.intake.denylists import hash_count
from service.models import Bundle, Document, Event
from service.sla.service import calendar_in, calendars_for

# the keys under which a timeline event's data or an allocation note names one of the provider's people
PERSON_KEYS = frozenset({"writer_id", "from_writer_id", "pinned_writer_id", "preferred_writer", "writer",
                         "actor_id", "user_id", "reviewer_id"})


def for_la(la_id: UUID, value: Any) -> Any:
    """`value` as LA `la_id` may read it: every provider person named in it replaced by their pseudonym."""
    if isinstance(value, dict):
        return {key: (pseudonym(la_id, UUID(str(item))) if key in PERSON_KEYS and _is_id(item) else for_la(la_id, item))
                for key, item in value.items()}
    if isinstance(value, list):
        return [for_la(la_id, item) for item in value]
    return value


def _is_id(value: Any) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return value is not None


def _fields(bundle: Bundle, calendar: Any, viewer: Principal) -> dict[str, Any]:
    fields = service.bundle_fields(bundle, calendar)
    if viewer.is_la:
        writer_id = fields.pop("writer_id")
        fields.update(writer_id=None, pinned_writer_id=None,
                      writer=pseudonym(viewer.organisation_id, writer_id) if writer_id else None,
                      allocation_note=for_la(viewer.organisation_id, fields.get("allocation_note")))
    return fields


async def bundles_out(bundles: list[Bundle], viewer: Principal) -> list[BundleOut]:
    """Bundles for the API, their clocks on their contracts' calendars (loaded once for the whole list); an LA
    reads its writers as pseudonyms."""
    calendars = await calendars_for(bundles)
    return [BundleOut(**_fields(b, calendar_in(calendars, b), viewer)) for b in bundles]


async def bundle_out(bundle: Bundle, viewer: Principal) -> BundleOut:
    return (await bundles_out([bundle], viewer))[0]


def document_out(d: Document) -> DocumentOut:
    return DocumentOut(id=d.id, filename=d.filename, kind=d.kind, media_type=d.media_type, size=d.size,
                       sha256=d.sha256, pages=d.pages, created_at=d.created_at,
                       findings=[DocumentFinding.model_validate(f) for f in d.findings or []],
                       clean_sha256=d.clean_sha256)


def event_out(e: Event, viewer: Principal) -> EventOut:
    data = for_la(viewer.organisation_id, e.data) if viewer.is_la else e.data
    return EventOut(name=e.name, from_status=e.from_status, to_status=e.to_status, data=data, at=e.created_at)


async def bundle_detail_out(viewer: Principal, bundle: Bundle, documents: list[Document],
                            events: list[Event]) -> BundleDetail:
    calendar = calendar_in(await calendars_for([bundle]), bundle)
    return BundleDetail(**_fields(bundle, calendar, viewer), documents=[document_out(d) for d in documents],
                        timeline=[event_out(e, viewer) for e in events], deny_list_hashes=hash_count(bundle))
