"""Concurrency on PostgreSQL: racing requests and rounds leave one consistent outcome."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from service import clock
from service.allocation.rounds import RoundBusy, run_round
from service.models import Bundle, BundleStatus, Event, Offer, OfferStatus, WorkType
from tests.factories import Tenant
from tests.service.test_tenancy import new_bundle
from tests.service_fixtures import requires_postgres

pytestmark = requires_postgres


async def _queued(tenant: Tenant, n: int) -> list[Bundle]:
    return [
        await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                            reference=f"RACE-{i}", work_type=WorkType.NEW_PLAN, status=BundleStatus.QUEUED,
                            queued_at=clock.now(), turnaround_due=clock.today() + timedelta(days=14))
        for i in range(n)
    ]


async def test_racing_rounds_never_offer_a_bundle_twice_or_overfill_a_writer(tenant: Tenant) -> None:
    bundles = await _queued(tenant, 12)
    results = await asyncio.gather(*(run_round() for _ in range(6)), return_exceptions=True)
    busy = [r for r in results if isinstance(r, RoundBusy)]
    plans = [r for r in results if isinstance(r, dict)]
    assert len(busy) + len(plans) == 6 and plans  # one at a time: the others were refused, not run twice
    # this tenant's offers only: a round also serves what other tests left queued for their own writing services
    mine = tenant.provider.id
    made = [len(by_provider[mine].offers) for by_provider in plans if mine in by_provider]
    ids = [b.id for b in bundles]
    pending = await Offer.filter(bundle_id__in=ids, status=OfferStatus.PENDING)
    assert sum(made) == len(pending)
    assert len({o.bundle_id for o in pending}) == len(pending)  # type: ignore[attr-defined]
    per_writer: dict[object, int] = {}
    for offer in pending:
        per_writer[offer.writer_id] = per_writer.get(offer.writer_id, 0) + 1  # type: ignore[attr-defined]
    assert per_writer and max(per_writer.values()) <= 2  # each test writer has two slots
    offered = await Bundle.filter(id__in=ids, status=BundleStatus.OFFERED).count()
    assert offered == len(pending) == 6  # three writers x two slots


async def test_racing_accept_and_decline_leave_one_outcome(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for _ in range(5):
        (bundle,) = await _queued(tenant, 1)
        await run_round()
        offer = await Offer.get(bundle_id=bundle.id, status=OfferStatus.PENDING)
        key = next(k for k, w in tenant.writers.items() if w.id == offer.writer_id)  # type: ignore[attr-defined]
        writer = tenant.auth(key)
        accept, decline = await asyncio.gather(
            client.post(f"/v1/offers/{offer.id}/accept", headers=writer),
            client.post(f"/v1/offers/{offer.id}/decline", headers=writer, json={"reason": "busy"}),
        )
        assert sorted([accept.status_code, decline.status_code]) == [200, 409], (accept.text, decline.text)
        final = await Offer.get(id=offer.id)
        fresh = await Bundle.get(id=bundle.id)
        if accept.status_code == 200:
            assert final.status == OfferStatus.ACCEPTED and fresh.status == BundleStatus.ALLOCATED
        else:
            assert final.status == OfferStatus.DECLINED and fresh.status in {BundleStatus.QUEUED, BundleStatus.OFFERED}
        moves = await Event.filter(bundle_id=bundle.id, from_status=BundleStatus.OFFERED.value).count()
        assert moves == 1
        # free the writer's slot for the next lap
        await Bundle.filter(id=bundle.id).update(status=BundleStatus.CANCELLED)
        await Offer.filter(bundle_id=bundle.id, status=OfferStatus.PENDING).update(status=OfferStatus.WITHDRAWN)


async def test_racing_submits_move_the_bundle_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id, _ = await new_bundle(client, tenant)
    la = tenant.auth("la_officer")
    answers = await asyncio.gather(*(client.post(f"/v1/bundles/{bundle_id}/submit", headers=la) for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409]
    assert await Event.filter(bundle_id=bundle_id, to_status="submitted").count() == 1


async def test_racing_hand_assignments_never_exceed_a_writers_slots(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundles = await _queued(tenant, 6)
    writer = tenant.writers["writer1"]  # two slots
    coordinator = tenant.auth("coordinator")
    answers = await asyncio.gather(*(
        client.post(f"/v1/bundles/{b.id}/assign", headers=coordinator,
                    json={"writer_id": str(writer.id), "reason": "race"}) for b in bundles))
    assert sorted(a.status_code for a in answers) == [200, 200, 409, 409, 409, 409]
    assert await Bundle.filter(writer_id=writer.id, status=BundleStatus.ALLOCATED).count() == 2


async def test_rounds_racing_hand_assignments_keep_every_writer_within_slots(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundles = await _queued(tenant, 10)
    coordinator = tenant.auth("coordinator")
    writers = list(tenant.writers.values())
    assigns = [client.post(f"/v1/bundles/{b.id}/assign", headers=coordinator,
                           json={"writer_id": str(writers[i % 3].id), "reason": "race"})
               for i, b in enumerate(bundles[:5])]
    await asyncio.gather(*assigns, *(run_round() for _ in range(4)), return_exceptions=True)
    for writer in writers:
        held = await Bundle.filter(writer_id=writer.id, status=BundleStatus.ALLOCATED).count()
        pending = await Offer.filter(writer_id=writer.id, status=OfferStatus.PENDING).count()
        assert held + pending <= 2, (held, pending)
    for b in bundles:
        assert await Offer.filter(bundle_id=b.id, status=OfferStatus.PENDING).count() <= 1


async def test_accept_racing_a_release_leaves_one_consistent_outcome(client: httpx.AsyncClient, tenant: Tenant) -> None:
    (bundle,) = await _queued(tenant, 1)
    await run_round()
    offer = await Offer.get(bundle_id=bundle.id, status=OfferStatus.PENDING)
    key = next(k for k, w in tenant.writers.items() if w.id == offer.writer_id)  # type: ignore[attr-defined]
    accept, release = await asyncio.gather(
        client.post(f"/v1/offers/{offer.id}/accept", headers=tenant.auth(key)),
        client.post(f"/v1/writers/{offer.writer_id}/release", headers=tenant.auth("coordinator"),  # type: ignore[attr-defined]
                    json={"reason": "sick"}),
    )
    assert release.status_code == 200
    fresh = await Bundle.get(id=bundle.id)
    final = await Offer.get(id=offer.id)
    # whichever came first, the bundle ends back in the queue without that writer, or it was never accepted
    assert fresh.status == BundleStatus.QUEUED and fresh.writer_id is None  # type: ignore[attr-defined]
    assert str(offer.writer_id) in fresh.excluded_writers  # type: ignore[attr-defined]
    assert final.status in {OfferStatus.ACCEPTED, OfferStatus.WITHDRAWN}
    assert accept.status_code in {200, 409}


async def test_racing_creations_with_one_reference_make_one_live_bundle(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    la = tenant.auth("la_officer")
    body = {"reference": "RACE-REF-1", "work_type": "new_plan"}
    answers = await asyncio.gather(*(client.post("/v1/bundles", headers={**la, "Idempotency-Key": f"race-{n}"},
                                                 json=body) for n in range(5)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409, 409]
    assert await Bundle.filter(la_id=tenant.la.id, reference="RACE-REF-1").count() == 1
    # the same key racing itself: one bundle, every answer naming it
    again = await asyncio.gather(*(client.post("/v1/bundles", headers={**la, "Idempotency-Key": "one-key"},
                                               json={**body, "reference": "RACE-REF-2"}) for _ in range(5)))
    assert sorted(a.status_code for a in again) == [200, 200, 200, 200, 201]
    assert len({a.json()["id"] for a in again}) == 1
