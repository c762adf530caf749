"""Bundles, through the service: create (idempotently), cancel, and every list and read scoped to the caller."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from contracts.api import BundleCreate
from service import clock
from service.bundles import service as bundles
from service.errors import IdempotencyConflict, NotFound, TransitionNotAllowed
from service.models import Bundle, BundleStatus, Event, Offer, OfferStatus
from tests.factories import Tenant, bundle_in, principal

BODY = BundleCreate(reference="DCC-0042", work_type="new_plan")


async def test_a_new_bundle_starts_as_a_draft_of_the_callers_la_with_its_writing_service(tenant: Tenant) -> None:
    bundle, created = await bundles.create_bundle(await principal(tenant, "la_officer"), BODY, idempotency_key=None)
    assert created
    assert (bundle.status, bundle.la_id, bundle.provider_id) == (  # type: ignore[attr-defined]
        BundleStatus.DRAFT, tenant.la.id, tenant.provider.id)
    assert await Event.filter(bundle_id=bundle.id, name="bundle.created").count() == 1


async def test_the_same_idempotency_key_returns_the_first_bundle_and_a_new_body_is_refused(tenant: Tenant) -> None:
    la = await principal(tenant, "la_officer")
    first, _ = await bundles.create_bundle(la, BODY, idempotency_key="case-42")
    again, created = await bundles.create_bundle(la, BODY, idempotency_key="case-42")
    assert (again.id, created) == (first.id, False)
    with pytest.raises(IdempotencyConflict):
        await bundles.create_bundle(la, BODY.model_copy(update={"reference": "DCC-0043"}), idempotency_key="case-42")
    assert await Bundle.filter(la_id=tenant.la.id, idempotency_key="case-42").count() == 1


async def test_cancelling_an_offered_bundle_withdraws_its_pending_offer(tenant: Tenant) -> None:
    bundle = await bundle_in(tenant, BundleStatus.OFFERED)
    offer = await Offer.create(bundle=bundle, writer=tenant.writers["writer1"],
                               expires_at=clock.now() + timedelta(hours=8))
    cancelled = await bundles.cancel(await principal(tenant, "la_officer"), bundle.id)
    assert cancelled.status == BundleStatus.CANCELLED
    await offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN


async def test_a_delivered_bundle_cannot_be_cancelled(tenant: Tenant) -> None:
    bundle = await bundle_in(tenant, BundleStatus.DELIVERED, writer="writer1")
    with pytest.raises(TransitionNotAllowed):
        await bundles.cancel(await principal(tenant, "la_officer"), bundle.id)
    assert (await Bundle.get(id=bundle.id)).status == BundleStatus.DELIVERED


async def test_an_la_lists_and_reads_only_its_own_bundles(tenant: Tenant, other_tenant: Tenant) -> None:
    mine = await bundle_in(tenant, BundleStatus.QUEUED)
    theirs = await bundle_in(other_tenant, BundleStatus.QUEUED)
    la = await principal(tenant, "la_officer")
    listed, _ = await bundles.list_bundles(la, status=None, cursor=None, limit=100)
    assert mine.id in {b.id for b in listed} and theirs.id not in {b.id for b in listed}
    with pytest.raises(NotFound):
        await bundles.get_detail(la, theirs.id)
    with pytest.raises(NotFound):
        await bundles.cancel(la, theirs.id)


async def test_a_writer_sees_only_the_bundles_they_hold(tenant: Tenant) -> None:
    held = await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1")
    await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer2")
    await bundle_in(tenant, BundleStatus.QUEUED)
    listed, _ = await bundles.list_bundles(await principal(tenant, "writer1"), status=None, cursor=None, limit=100)
    assert [b.id for b in listed] == [held.id]


async def test_pages_follow_the_cursor_newest_first_without_repeats(tenant: Tenant) -> None:
    made = [await bundle_in(tenant, BundleStatus.QUEUED) for _ in range(5)]
    la = await principal(tenant, "la_officer")
    seen: list[Bundle] = []
    cursor = None
    while True:
        page, cursor = await bundles.list_bundles(la, status=BundleStatus.QUEUED.value, cursor=cursor, limit=2)
        seen += page
        if cursor is None:
            break
    assert [b.id for b in seen] == [b.id for b in sorted(made, key=lambda b: (b.created_at, b.id), reverse=True)]


async def test_a_second_live_bundle_with_the_same_reference_is_refused_naming_the_first(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    la = tenant.auth("la_officer")
    body = {"reference": "DCC-0099", "work_type": "new_plan"}
    first = (await client.post("/v1/bundles", headers=la, json=body)).json()
    refused = await client.post("/v1/bundles", headers=la, json={**body, "work_type": "phase_transfer"})
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"] == "/problems/duplicate-reference"
    assert problem["existing_bundle_id"] == first["id"] and first["id"] in problem["detail"]
    assert await Bundle.filter(la_id=tenant.la.id, reference="DCC-0099").count() == 1
    # said to be intended: a second is created
    second = await client.post("/v1/bundles", headers=la, json={**body, "duplicate_reference": True})
    assert second.status_code == 201, second.text
    # another LA's references are its own
    assert (await client.post("/v1/bundles", headers=other_tenant.auth("la_officer"), json=body)).status_code == 201
    # once the first is no longer live (cancelled here), the reference is free again for the LA
    await client.post(f"/v1/bundles/{first['id']}/cancel", headers=la)
    await client.post(f"/v1/bundles/{second.json()['id']}/cancel", headers=la)
    assert (await client.post("/v1/bundles", headers=la, json=body)).status_code == 201
