"""Actors are idempotent: a repeated or late message finds the row moved on and does nothing."""

from __future__ import annotations

import httpx

from service.intake.screening_service import screen_bundle
from service.models import Bundle, BundleStatus, Event
from service.offers.service import expire_due_offers
from tests.factories import Tenant
from tests.service.test_tenancy import new_bundle


async def test_screening_twice_screens_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id, _ = await new_bundle(client, tenant)
    await client.post(f"/v1/bundles/{bundle_id}/submit", headers=tenant.auth("la_officer"))
    first = await screen_bundle(bundle_id)  # type: ignore[arg-type]
    second = await screen_bundle(bundle_id)  # type: ignore[arg-type]
    assert first == BundleStatus.QUEUED and second is None
    assert await Event.filter(bundle_id=bundle_id, to_status="queued").count() == 1
    assert (await Bundle.get(id=bundle_id)).page_count == 2


async def test_screening_resumes_a_bundle_left_in_screening(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id, _ = await new_bundle(client, tenant)
    await Bundle.filter(id=bundle_id).update(status=BundleStatus.SCREENING)  # a worker died mid-job
    assert await screen_bundle(bundle_id) == BundleStatus.QUEUED  # type: ignore[arg-type]


async def test_a_cancelled_bundle_is_not_screened(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id, _ = await new_bundle(client, tenant)
    la = tenant.auth("la_officer")
    await client.post(f"/v1/bundles/{bundle_id}/submit", headers=la)
    await client.post(f"/v1/bundles/{bundle_id}/cancel", headers=la)
    assert await screen_bundle(bundle_id) is None  # type: ignore[arg-type]
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.CANCELLED


async def test_a_corrupt_pdf_is_rejected_with_a_reason_the_la_can_act_on(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    from tests.files import PDF

    la = tenant.auth("la_officer")
    bundle_id, _ = await new_bundle(client, tenant, with_document=False)
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n"  # no pages, no xref
    uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "broken.pdf"},
                                 content=broken, headers={**la, "Content-Type": PDF})
    assert uploaded.status_code == 201
    await client.post(f"/v1/bundles/{bundle_id}/submit", headers=la)
    assert await screen_bundle(bundle_id) == BundleStatus.REJECTED  # type: ignore[arg-type]
    detail = (await client.get(f"/v1/bundles/{bundle_id}", headers=la)).json()
    assert detail["status"] == "rejected"
    reasons = [d["reason"] for d in detail["rejection"]["documents"]]
    assert reasons and all(len(r) > 20 for r in reasons)


async def test_expiry_sweep_is_idempotent() -> None:
    await expire_due_offers()
    assert await expire_due_offers() == 0
