"""Purchase orders a finance team can manage: a new value (never below spent and committed), closing one, a
statement of every line charged to it, and the 80% warning re-armed when value is added."""

from __future__ import annotations

from datetime import date

import httpx
from tortoise.transactions import in_transaction

from service import clock
from service.bundles.submission import submit_bundle
from service.models import BillableLine, Bundle, BundleStatus, LineKind, PurchaseOrder, WorkType
from tests.factories import Tenant, bundle_in


async def charged(tenant: Tenant, order: PurchaseOrder, reference: str, net: int,
                  kind: LineKind = LineKind.INVOICE) -> BillableLine:
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference=reference, work_type=WorkType.NEW_PLAN, purchase_order=order,
                                 delivered_at=clock.now(), status=BundleStatus.DELIVERED)
    return await BillableLine.create(kind=kind, provider=tenant.provider, la=tenant.la, bundle=bundle,
                                     month="2026-11", work_type="new_plan", description="delivered",
                                     cause="delivery", net_pence=net, vat_pence=net // 5, vat_rate_bp=2_000,
                                     purchase_order=order, event_on=date(2026, 11, 10))


async def test_a_purchase_order_value_is_changed_never_below_what_is_spent_and_the_warning_rearms(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    finance = tenant.auth("finance")
    order = await PurchaseOrder.create(la=tenant.la, provider=tenant.provider, po_number="PO-EDIT",
                                       value_pence=100_000, warned_at=clock.now())
    await charged(tenant, order, "EDIT-1", 90_000)
    path = f"/v1/billing/purchase-orders/{order.id}"
    below = await client.patch(path, headers=finance, json={"value_pence": 89_999})
    assert below.status_code == 422, below.text
    assert below.json()["spent_pence"] == 90_000 and "90000 pence spent" in below.json()["detail"]
    assert (await PurchaseOrder.get(id=order.id)).value_pence == 100_000
    # still at 80% or more of the new value: the LA stays warned
    small = await client.patch(path, headers=finance, json={"value_pence": 110_000})
    assert small.status_code == 200 and small.json()["warned"] is True, small.text
    added = await client.patch(path, headers=tenant.auth("la_admin"), json={"value_pence": 200_000})
    assert added.status_code == 200, added.text
    assert (added.json()["value_pence"], added.json()["spent_pence"], added.json()["warned"]) == (
        200_000, 90_000, False)
    assert (await client.patch(path, headers=tenant.auth("la_officer"), json={"value_pence": 300_000})
            ).status_code == 403


async def test_raising_a_value_releases_held_bundles_and_a_closed_order_takes_no_new_work(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    finance = tenant.auth("finance")
    big = await PurchaseOrder.get(la_id=tenant.la.id)
    closed = await client.post(f"/v1/billing/purchase-orders/{big.id}/close", headers=finance)
    assert closed.status_code == 200 and closed.json()["closed"] is True
    again = await client.post(f"/v1/billing/purchase-orders/{big.id}/close", headers=finance)
    assert again.status_code == 200 and again.json() == closed.json()
    small = await PurchaseOrder.create(la=tenant.la, provider=tenant.provider, po_number="PO-SMALL",
                                       value_pence=1_000)
    bundle = await bundle_in(tenant, BundleStatus.DRAFT)
    async with in_transaction() as conn:
        held = await submit_bundle(bundle, actor_id=tenant.users["la_officer"].id, conn=conn)
    assert held.status == BundleStatus.HELD  # the big order is closed, the small one too small
    raised = await client.patch(f"/v1/billing/purchase-orders/{small.id}", headers=finance,
                                json={"value_pence": 1_000_000})
    assert raised.status_code == 200, raised.text
    assert raised.json()["released"] == [str(bundle.id)]
    assert (await Bundle.get(id=bundle.id)).purchase_order_id == small.id  # type: ignore[attr-defined]


async def test_a_purchase_order_statement_lists_every_line_charged_to_it_with_its_bundle(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant,
) -> None:
    order = await PurchaseOrder.create(la=tenant.la, provider=tenant.provider, po_number="PO-STMT",
                                       value_pence=500_000)
    first = await charged(tenant, order, "STMT-1", 45_000)
    await charged(tenant, order, "STMT-2", -5_000, kind=LineKind.CREDIT)
    await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                        reference="STMT-3", work_type=WorkType.NEW_PLAN, purchase_order=order,
                        po_committed_pence=52_000, status=BundleStatus.DRAFTING)
    path = f"/v1/billing/purchase-orders/{order.id}/statement"
    for role in ("finance", "la_admin", "la_officer"):
        answer = await client.get(path, headers=tenant.auth(role))
        assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(line["line_id"], line["bundle_reference"], line["kind"], line["net_pence"], line["gross_pence"])
            for line in body["lines"]] == [(first.id, "STMT-1", "invoice", 45_000, 54_000),
                                           (first.id + 1, "STMT-2", "credit", -5_000, -6_000)]
    assert body["commitments"] == [{"bundle_reference": "STMT-3", "status": "drafting", "committed_pence": 52_000}]
    assert (body["order"]["spent_pence"], body["order"]["committed_pence"], body["order"]["remaining_pence"]) == (
        40_000, 52_000, 408_000)
    assert (await client.get(path, headers=other_tenant.auth("finance"))).status_code == 404
    assert (await client.get(path, headers=other_tenant.auth("la_admin"))).status_code == 404
