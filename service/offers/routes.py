"""Offer endpoints for writers: list, accept, decline."""

from __future__ import annotations

from contracts.api import OfferDecline, OfferList, OfferOut
from service.http import Call, Endpoint
from service.models import Offer, Role
from service.offers import service as offers
from service.offers.views import offer_out

WRITER = frozenset({Role.WRITER})


async def list_offers(call: Call) -> OfferList:
    return OfferList(items=[offer_out(o) for o in await offers.list_for_writer(call.principal)])


async def _out(offer: Offer) -> OfferOut:
    await offer.fetch_related("bundle")
    return offer_out(offer)


async def accept_offer(call: Call) -> OfferOut:
    return await _out(await offers.accept(call.principal, call.path_uuid("offer_id")))


async def decline_offer(call: Call) -> OfferOut:
    body: OfferDecline = call.body
    return await _out(await offers.decline(call.principal, call.path_uuid("offer_id"), reason=body.reason))


ENDPOINTS = [
    Endpoint("GET", "/v1/offers", list_offers, WRITER, "The writer's pending offers", "offers", response=OfferList),
    Endpoint("POST", "/v1/offers/{offer_id}/accept", accept_offer, WRITER, "Accept an offer", "offers",
             response=OfferOut, errors=(404, 409)),
    Endpoint("POST", "/v1/offers/{offer_id}/decline", decline_offer, WRITER, "Decline an offer", "offers",
             body=OfferDecline, response=OfferOut, errors=(404, 409, 422)),
]
