"""Offer serialisers: an offer row (with its bundle loaded) into the API body."""

from __future__ import annotations

from contracts.api import OfferOut
from service.models import Offer


def offer_out(offer: Offer) -> OfferOut:
    b = offer.bundle
    return OfferOut(id=offer.id, bundle_id=b.id, status=offer.status.value, work_type=b.work_type.value,
                    tier=b.tier.value, page_count=b.page_count, turnaround_due=b.turnaround_due,
                    expires_at=offer.expires_at, reason=offer.reason)
