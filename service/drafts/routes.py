"""Endpoints for the writing work: offers, drafts, QA review and the LA's return of the passed draft."""

from __future__ import annotations

from starlette.responses import Response

from contracts.api import BundleOut, DraftOut, DraftUploadQuery, OfferDecline, OfferList, OfferOut, QaQueue, QaReturn
from service.auth import scope
from service.bundles.routes import bundle_out
from service.delivery import service as delivery
from service.documents.access import stream_object
from service.documents.service import check_length
from service.drafts import service as drafts
from service.errors import Forbidden
from service.http import Call, Endpoint
from service.models import Draft, DraftStatus, Offer, Role
from service.offers import service as offers
from service.reviews import service as reviews
from service.runtime import current

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LA = frozenset({Role.LA_OFFICER, Role.LA_ADMIN})
WRITER = frozenset({Role.WRITER})
REVIEWER = frozenset({Role.QA_REVIEWER})


def offer_out(offer: Offer) -> OfferOut:
    b = offer.bundle
    return OfferOut(id=offer.id, bundle_id=b.id, status=offer.status.value, work_type=b.work_type.value,
                    tier=b.tier.value, page_count=b.page_count, turnaround_due=b.turnaround_due,
                    expires_at=offer.expires_at, reason=offer.reason)


def draft_out(d: Draft) -> DraftOut:
    return DraftOut(id=d.id, bundle_id=d.bundle_id, cycle=d.cycle, status=d.status.value, size=d.size,  # type: ignore[attr-defined]
                    sha256=d.sha256, qa_findings=d.qa_findings, created_at=d.created_at)


async def list_offers(call: Call) -> OfferList:
    return OfferList(items=[offer_out(o) for o in await offers.list_for_writer(call.principal)])


async def _offer(offer: Offer) -> OfferOut:
    await offer.fetch_related("bundle")
    return offer_out(offer)


async def accept_offer(call: Call) -> OfferOut:
    return await _offer(await offers.accept(call.principal, call.path_uuid("offer_id")))


async def decline_offer(call: Call) -> OfferOut:
    body: OfferDecline = call.body
    return await _offer(await offers.decline(call.principal, call.path_uuid("offer_id"), reason=body.reason))


async def upload_draft(call: Call) -> DraftOut:
    check_length(call.request.headers.get("content-length"), current().settings.max_draft_bytes)
    q: DraftUploadQuery = call.query
    draft = await drafts.upload(call.principal, call.path_uuid("bundle_id"), call.request.stream(),
                                filename=q.filename, content_type=call.request.headers.get("content-type"))
    return draft_out(draft)


async def download_draft(call: Call) -> Response:
    draft = await scope.get_draft(call.principal, call.path_uuid("draft_id"))
    if call.principal.role == Role.QA_REVIEWER and draft.status != DraftStatus.IN_QA:
        raise Forbidden("reviewers read drafts while they are in QA")
    return await stream_object(
        call.principal, current().storage, action="draft.download", object_type="draft", object_id=draft.id,
        bundle_id=draft.bundle_id, storage_key=draft.storage_key, sha256=draft.sha256,  # type: ignore[attr-defined]
        media_type=DOCX, download_name=f"draft-{draft.id}.docx",
    )


async def qa_queue(call: Call) -> QaQueue:
    return QaQueue(items=[draft_out(d) for d in await reviews.queue(call.principal)])


async def pass_draft(call: Call) -> DraftOut:
    return draft_out(await reviews.pass_draft(call.principal, call.path_uuid("draft_id")))


async def return_draft(call: Call) -> DraftOut:
    body: QaReturn = call.body
    return draft_out(await reviews.return_draft(call.principal, call.path_uuid("draft_id"), body.comments))


async def download_delivered(call: Call) -> Response:
    bundle, draft = await delivery.delivered_draft(call.principal, call.path_uuid("bundle_id"))
    return await stream_object(
        call.principal, current().storage, action="delivered_draft.download", object_type="draft",
        object_id=draft.id, bundle_id=bundle.id, storage_key=draft.storage_key, sha256=draft.sha256,
        media_type=DOCX, download_name=f"{bundle.reference}-draft.docx",
    )


async def accept_delivery(call: Call) -> BundleOut:
    return bundle_out(await delivery.accept(call.principal, call.path_uuid("bundle_id")))


ENDPOINTS = [
    Endpoint("GET", "/v1/offers", list_offers, WRITER, "The writer's pending offers", "offers", response=OfferList),
    Endpoint("POST", "/v1/offers/{offer_id}/accept", accept_offer, WRITER, "Accept an offer", "offers",
             response=OfferOut, errors=(404, 409)),
    Endpoint("POST", "/v1/offers/{offer_id}/decline", decline_offer, WRITER, "Decline an offer", "offers",
             body=OfferDecline, response=OfferOut, errors=(404, 409, 422)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/drafts", upload_draft, WRITER, "Upload a draft plan (DOCX, streamed)",
             "drafts", query=DraftUploadQuery, response=DraftOut, status=201, raw_body=(DOCX,),
             errors=(404, 409, 413, 415)),
    Endpoint("GET", "/v1/drafts/{draft_id}/content", download_draft, frozenset({Role.WRITER, Role.QA_REVIEWER}),
             "Download a draft (authorised and audited)", "drafts", produces=DOCX, errors=(403, 404)),
    Endpoint("GET", "/v1/qa/queue", qa_queue, REVIEWER, "Drafts awaiting review, most at risk first", "qa",
             response=QaQueue),
    Endpoint("POST", "/v1/drafts/{draft_id}/pass", pass_draft, REVIEWER, "Pass a draft: it is delivered to the LA",
             "qa", response=DraftOut, errors=(404, 409)),
    Endpoint("POST", "/v1/drafts/{draft_id}/return", return_draft, REVIEWER, "Return a draft to the writer",
             "qa", body=QaReturn, response=DraftOut, errors=(404, 409, 422)),
    Endpoint("GET", "/v1/bundles/{bundle_id}/delivered-draft", download_delivered, LA,
             "Download the passed draft (audited; checksum header)", "delivery", produces=DOCX, errors=(404, 409)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/accept", accept_delivery, LA, "Accept the delivered draft",
             "delivery", response=BundleOut, errors=(404, 409)),
]
