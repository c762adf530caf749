"""Purchase orders through the API: a submission past the cap is held with its reason until the LA adds a PO,
the LA is warned at 80%, and two racing submissions never both pass a cap (PostgreSQL)."""

from __future__ import annotations

import asyncio

import httpx

from service.models import Bundle, Event, PurchaseOrder
from tests.factories import Tenant
from tests.files import EP_REPORT, PDF
from tests.service_fixtures import requires_postgres

# the test card: a new plan is GBP 420 net; before screening counts the pages a submission is committed at the
# most it can cost, with the top page band (121+ pages, GBP 100): 52,000 pence
COMMITTED = 52_000


async def draft_bundle(client: httpx.AsyncClient, tenant: Tenant, reference: str) -> str:
    la = tenant.auth("la_officer")
    created = await client.post("/v1/bundles", headers=la, json={"reference": reference, "work_type": "new_plan"})
    assert created.status_code == 201, created.text
    bundle_id = str(created.json()["id"])
    uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep.pdf"},
                                 content=EP_REPORT, headers={**la, "Content-Type": PDF})
    assert uploaded.status_code == 201, uploaded.text
    return bundle_id


async def only_order(client: httpx.AsyncClient, tenant: Tenant, po_number: str, value_pence: int) -> None:
    """Replace the fixture's roomy PO with one of this value, added by the LA admin."""
    await PurchaseOrder.filter(la_id=tenant.la.id).delete()
    added = await client.post("/v1/billing/purchase-orders", headers=tenant.auth("la_admin"),
                              json={"po_number": po_number, "value_pence": value_pence})
    assert added.status_code == 201, added.text


async def test_a_submission_past_the_cap_is_held_until_a_purchase_order_releases_it(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    await only_order(client, tenant, "PO-1", 130_000)
    first, second, third = [await draft_bundle(client, tenant, f"PO-CAP-{n}") for n in range(3)]
    la = tenant.auth("la_officer")
    assert (await client.post(f"/v1/bundles/{first}/submit", headers=la)).json()["status"] == "submitted"
    second_answer = (await client.post(f"/v1/bundles/{second}/submit", headers=la)).json()
    assert second_answer["status"] == "submitted"
    # 104,000 of 130,000 committed: 80%, so the LA is warned (once) on the bundle that crossed it
    warning = await Event.get(bundle_id=second, name="purchase_order.warning")
    assert warning.data["po_number"] == "PO-1"
    held = await client.post(f"/v1/bundles/{third}/submit", headers=la)
    assert held.status_code == 200 and held.json()["status"] == "held"
    assert held.json()["hold_reason"] == (
        f"needs {COMMITTED} pence net but the open purchase orders have at most 26000 pence left: "
        "add a purchase order to release this bundle")
    assert await Event.filter(bundle_id=third, name="bundle.held").exists()
    # submitting again changes nothing while there is no room
    assert (await client.post(f"/v1/bundles/{third}/submit", headers=la)).json()["status"] == "held"

    orders = (await client.get("/v1/billing/purchase-orders", headers=la)).json()["items"]
    assert [(o["po_number"], o["committed_pence"], o["remaining_pence"], o["warned"]) for o in orders] == [
        ("PO-1", 2 * COMMITTED, 130_000 - 2 * COMMITTED, True)]

    # an officer may not add a PO; finance must name an LA of its own; the LA admin's PO releases the bundle
    refused = await client.post("/v1/billing/purchase-orders", headers=la,
                                json={"po_number": "PO-2", "value_pence": 60_000})
    assert refused.status_code == 403
    unnamed = await client.post("/v1/billing/purchase-orders", headers=tenant.auth("finance"),
                                json={"po_number": "PO-2", "value_pence": 60_000})
    assert unnamed.status_code == 422
    added = await client.post("/v1/billing/purchase-orders", headers=tenant.auth("finance"),
                              json={"po_number": "PO-2", "value_pence": 60_000, "la_id": str(tenant.la.id)})
    assert added.status_code == 201, added.text
    assert added.json()["released"] == [third] and added.json()["committed_pence"] == COMMITTED
    released = await Bundle.get(id=third)
    assert released.status.value == "submitted" and released.hold_reason is None
    duplicate = await client.post("/v1/billing/purchase-orders", headers=tenant.auth("la_admin"),
                                  json={"po_number": "PO-2", "value_pence": 1})
    assert duplicate.status_code == 409


async def test_purchase_orders_stay_within_their_tenancy(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant,
) -> None:
    elsewhere = await client.post("/v1/billing/purchase-orders", headers=tenant.auth("finance"),
                                  json={"po_number": "PO-X", "value_pence": 1_000, "la_id": str(other_tenant.la.id)})
    assert elsewhere.status_code == 404
    theirs = await client.post("/v1/billing/purchase-orders", headers=tenant.auth("la_admin"),
                               json={"po_number": "PO-X", "value_pence": 1_000, "la_id": str(other_tenant.la.id)})
    assert theirs.status_code == 404
    mine = (await client.get("/v1/billing/purchase-orders", headers=tenant.auth("la_officer"))).json()["items"]
    assert {o["la_id"] for o in mine} == {str(tenant.la.id)}
    bad = await client.post("/v1/billing/purchase-orders", headers=tenant.auth("la_admin"),
                            json={"po_number": "PO-Y", "value_pence": 12.5})
    assert bad.status_code == 422


@requires_postgres
async def test_racing_submissions_never_both_pass_a_cap(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await only_order(client, tenant, "PO-RACE", COMMITTED + COMMITTED // 2)
    racers = [await draft_bundle(client, tenant, f"RACE-{n}") for n in range(6)]
    answers = await asyncio.gather(*(client.post(f"/v1/bundles/{b}/submit", headers=tenant.auth("la_officer"))
                                     for b in racers))
    statuses = sorted(answer.json()["status"] for answer in answers)
    assert statuses == ["held"] * 5 + ["submitted"], statuses
    orders = (await client.get("/v1/billing/purchase-orders", headers=tenant.auth("la_admin"))).json()["items"]
    assert orders[0]["committed_pence"] == COMMITTED


async def test_a_held_bundle_tells_the_las_endpoints_and_may_be_cancelled(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    from service.webhooks.topics import webhook_type

    assert webhook_type("bundle.held", "draft", "held") == "bundle.held"
    assert webhook_type("purchase_order.warning", None, None) == "purchase_order.warning"
    await PurchaseOrder.filter(la_id=tenant.la.id).delete()
    bundle_id = await draft_bundle(client, tenant, "HELD-1")
    held = await client.post(f"/v1/bundles/{bundle_id}/submit", headers=tenant.auth("la_officer"))
    assert held.json()["status"] == "held"
    assert held.json()["hold_reason"] == "no open purchase order: add one to release this bundle"
    assert held.json()["sla"]["state"] == "not_started"
    cancelled = await client.post(f"/v1/bundles/{bundle_id}/cancel", headers=tenant.auth("la_officer"))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
