"""Offers, through the service: a writer accepts or declines; an unanswered offer expires; the bundle moves once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service import clock
from service.errors import Conflict, NotFound
from service.models import Bundle, BundleStatus, Event, Offer, OfferStatus
from service.offers import service as offers
from tests.factories import Tenant, bundle_in, principal


async def _offered(tenant: Tenant, writer: str = "writer1", *, hours: float = 8) -> tuple[Bundle, Offer]:
    bundle = await bundle_in(tenant, BundleStatus.OFFERED)
    offer = await Offer.create(bundle=bundle, writer=tenant.writers[writer],
                               expires_at=clock.now() + timedelta(hours=hours))
    return bundle, offer


async def test_accepting_an_offer_allocates_the_bundle_to_that_writer(tenant: Tenant) -> None:
    bundle, offer = await _offered(tenant)
    accepted = await offers.accept(await principal(tenant, "writer1"), offer.id)
    assert accepted.status == OfferStatus.ACCEPTED
    await bundle.refresh_from_db()
    assert bundle.status == BundleStatus.ALLOCATED
    assert bundle.writer_id == tenant.writers["writer1"].id  # type: ignore[attr-defined]


async def test_declining_requeues_the_bundle_and_excludes_that_writer_next_time(tenant: Tenant) -> None:
    bundle, offer = await _offered(tenant)
    declined = await offers.decline(await principal(tenant, "writer1"), offer.id, reason="too much on")
    assert (declined.status, declined.reason) == (OfferStatus.DECLINED, "too much on")
    await bundle.refresh_from_db()
    assert bundle.status == BundleStatus.QUEUED
    assert bundle.excluded_writers == [str(tenant.writers["writer1"].id)]


async def test_an_unanswered_offer_expires_and_goes_back_to_the_queue(tenant: Tenant) -> None:
    bundle, offer = await _offered(tenant, hours=1)
    assert await offers.expire_due_offers(clock.now() + timedelta(hours=2)) >= 1
    await offer.refresh_from_db()
    await bundle.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert bundle.status == BundleStatus.QUEUED
    assert str(tenant.writers["writer1"].id) in bundle.excluded_writers
    assert await Event.filter(bundle_id=bundle.id, name="offer.expired").count() == 1


async def test_expiry_is_idempotent_and_leaves_offers_still_in_their_window(tenant: Tenant) -> None:
    _, due = await _offered(tenant, hours=1)
    _, open_offer = await _offered(tenant, "writer2", hours=5)
    later = clock.now() + timedelta(hours=2)
    await offers.expire_due_offers(later)
    assert await offers.expire_due_offers(later) == 0
    await due.refresh_from_db()
    await open_offer.refresh_from_db()
    assert (due.status, open_offer.status) == (OfferStatus.EXPIRED, OfferStatus.PENDING)


async def test_an_expired_offer_can_no_longer_be_accepted(tenant: Tenant) -> None:
    bundle, offer = await _offered(tenant, hours=-1)  # its window has passed, the sweep has not run yet
    with pytest.raises(Conflict, match="expired"):
        await offers.accept(await principal(tenant, "writer1"), offer.id)
    await bundle.refresh_from_db()
    assert bundle.status == BundleStatus.OFFERED


async def test_a_writer_cannot_answer_another_writers_offer(tenant: Tenant) -> None:
    _, offer = await _offered(tenant, "writer1")
    other = await principal(tenant, "writer2")
    with pytest.raises(NotFound):
        await offers.accept(other, offer.id)
    assert await offers.list_for_writer(other) == []
    assert [o.id for o in await offers.list_for_writer(await principal(tenant, "writer1"))] == [offer.id]
