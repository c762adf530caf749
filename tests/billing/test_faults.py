"""The four faults finance found, each as it was reported: a writer paid twice, a writer never paid, months before
the books closed (and `closed_now` claiming a close nobody made), and a rate card missing a work type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from tortoise.transactions import in_transaction

from service.billing.rate_card import RateCard, standard_rate_card
from service.billing.service import write_delivery_lines
from service.billing.terms import PriceMissing
from service.models import BillableLine, BillingBook, Bundle, BundleStatus, LaContract, LineKind, PurchaseOrder
from tests.billing.test_ledger_month import deliver, drafted, submitted
from tests.billing.test_month_close_service import line
from tests.factories import Tenant
from tests.files import EP_REPORT


async def put_card(client: httpx.AsyncClient, tenant: Tenant, card: RateCard | dict[str, Any]) -> httpx.Response:
    body = card.model_dump(mode="json") if isinstance(card, RateCard) else card
    return await client.put(f"/v1/billing/rate-cards/{tenant.la.id}", headers=tenant.auth("finance"), json=body)


async def job_payouts(bundle_id: str) -> list[tuple[str, int]]:
    return [(p.cause, p.net_pence) for p in await BillableLine.filter(bundle_id=bundle_id, kind=LineKind.PAYOUT)]


async def test_a_card_paying_on_acceptance_put_after_delivery_does_not_pay_the_writer_twice(
    client: httpx.AsyncClient, tenant: Tenant, worker: None,
) -> None:
    assert (await put_card(client, tenant, standard_rate_card(payout_earned_on="delivery"))).status_code == 200
    bundle_id = await deliver(client, tenant, "TWICE-1", "new_plan")
    assert await job_payouts(bundle_id) == [("delivery", 30_000)]
    dearer = standard_rate_card(payout_earned_on="acceptance",
                                payouts_pence={**standard_rate_card().payouts_pence, "new_plan": 99_000})
    assert (await put_card(client, tenant, dearer)).status_code == 200
    accepted = await client.post(f"/v1/bundles/{bundle_id}/accept", headers=tenant.auth("la_officer"))
    assert accepted.status_code == 200, accepted.text
    assert await job_payouts(bundle_id) == [("delivery", 30_000)]  # one payout, at the terms it was committed on


async def test_a_card_paying_on_delivery_put_between_delivery_and_acceptance_still_pays_the_writer(
    client: httpx.AsyncClient, tenant: Tenant, worker: None,
) -> None:
    assert (await put_card(client, tenant, standard_rate_card(payout_earned_on="acceptance"))).status_code == 200
    bundle_id = await deliver(client, tenant, "NEVER-1", "new_plan")
    assert await job_payouts(bundle_id) == []
    assert (await put_card(client, tenant, standard_rate_card(payout_earned_on="delivery"))).status_code == 200
    accepted = await client.post(f"/v1/bundles/{bundle_id}/accept", headers=tenant.auth("la_officer"))
    assert accepted.status_code == 200, accepted.text
    assert await job_payouts(bundle_id) == [("acceptance", 30_000)]


async def test_months_before_the_books_start_cannot_be_closed_and_closed_now_is_only_the_closing_call(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    finance = tenant.auth("finance")
    fresh = await client.post("/v1/billing/months/0000-01/close", headers=finance)
    assert fresh.status_code == 422 and "nothing has been billed" in fresh.json()["detail"]
    await line(tenant, tenant.la, "2026-03", 45_000)
    for before in ("0000-01", "2020-01", "2026-02"):
        refused = await client.post(f"/v1/billing/months/{before}/close", headers=finance)
        assert refused.status_code == 422, refused.text
        assert refused.json()["first_closable_month"] == "2026-03" and "2026-03" in refused.json()["detail"]
    assert not await BillingBook.filter(provider_id=tenant.provider.id, last_closed_month__isnull=False).exists()
    first = await client.post("/v1/billing/months/2026-03/close", headers=finance)
    assert first.status_code == 200 and first.json()["closed_now"] is True
    assert (await client.post("/v1/billing/months/2026-03/close", headers=finance)).json()["closed_now"] is False
    # a month before the books is not "already closed": nobody closed it
    assert (await client.post("/v1/billing/months/2020-01/close", headers=finance)).status_code == 422
    after = await client.post("/v1/billing/months/2026-04/close", headers=finance)
    assert after.status_code == 200 and after.json()["closed_now"] is True


async def test_books_closed_at_0000_01_before_this_fix_go_on_from_their_first_billed_month(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    await line(tenant, tenant.la, "2026-03", 45_000)
    await BillingBook.create(provider=tenant.provider, last_closed_month="0000-01")
    closed = await client.post("/v1/billing/months/2026-03/close", headers=tenant.auth("finance"))
    assert closed.status_code == 200 and closed.json()["closed_now"] is True, closed.text


async def test_a_rate_card_missing_a_work_type_is_refused_naming_each_gap(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    body = standard_rate_card().model_dump(mode="json")
    del body["prices_pence"]["reassessment"]
    del body["amendment_payouts_pence"]["statement_transfer"]
    refused = await put_card(client, tenant, body)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"].endswith("/rate-card-incomplete")
    assert problem["missing"] == ["prices_pence.reassessment", "amendment_payouts_pence.statement_transfer"]
    assert {e["field"] for e in problem["errors"]} == {"body.prices_pence.reassessment",
                                                      "body.amendment_payouts_pence.statement_transfer"}
    assert (await LaContract.get(la_id=tenant.la.id)).rate_card["prices_pence"]["reassessment"] == 45_000


async def test_a_work_type_without_a_price_never_reaches_submission(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    # a card stored before cards were checked (written straight to the row)
    card = standard_rate_card().model_dump(mode="json")
    del card["prices_pence"]["reassessment"]
    await LaContract.filter(la_id=tenant.la.id).update(rate_card=card)
    la = tenant.auth("la_officer")
    created = await client.post("/v1/bundles", headers=la, json={"reference": "NOPRICE-1",
                                                                  "work_type": "reassessment"})
    assert created.status_code == 201, created.text
    bundle_id = created.json()["id"]
    await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "advice.pdf"},
                      content=EP_REPORT, headers={**la, "Content-Type": "application/pdf"})
    refused = await client.post(f"/v1/bundles/{bundle_id}/submit", headers=la)
    assert refused.status_code == 422, refused.text
    assert refused.json()["missing"] == ["prices_pence.reassessment"]
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.DRAFT


async def test_a_price_missing_at_a_qa_pass_is_a_retryable_409_and_the_pass_succeeds_once_priced(
    client: httpx.AsyncClient, tenant: Tenant, worker: None,
) -> None:
    bundle_id = await submitted(client, tenant, "QA-NOPRICE", "new_plan", "standard", EP_REPORT)
    await drafted(client, tenant, bundle_id)
    # a bundle committed before terms were kept per bundle, and a card that since lost its price
    await Bundle.filter(id=bundle_id).update(rate_terms=None)
    card = standard_rate_card().model_dump(mode="json")
    del card["prices_pence"]["new_plan"]
    await LaContract.filter(la_id=tenant.la.id).update(rate_card=card)
    reviewer = tenant.auth("qa_reviewer")
    queue = (await client.get("/v1/qa/queue", headers=reviewer)).json()["items"]
    draft_id = next(d["id"] for d in queue if d["bundle_id"] == bundle_id)
    assert (await client.post(f"/v1/drafts/{draft_id}/claim", headers=reviewer)).status_code == 200
    sheet = (await client.get(f"/v1/drafts/{draft_id}/review", headers=reviewer)).json()
    for finding in sheet["findings"]:
        if finding["severity"] == "error":
            await client.post(f"/v1/drafts/{draft_id}/findings/{finding['index']}/dismiss", headers=reviewer,
                              json={"reason": "a short test plan, by design"})
    checklist = {"checklist": {item["key"]: True for item in sheet["manual_items"]}}
    refused = await client.post(f"/v1/drafts/{draft_id}/pass", headers=reviewer, json=checklist)
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/price-missing") and refused.json()["retryable"] is True
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.IN_QA
    assert not await BillableLine.filter(bundle_id=bundle_id).exists()
    assert (await put_card(client, tenant, standard_rate_card())).status_code == 200
    again = await client.post(f"/v1/drafts/{draft_id}/pass", headers=reviewer, json=checklist)
    assert again.status_code == 200, again.text
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.DELIVERED


async def test_terms_are_fixed_at_commit_so_a_later_card_never_reprices_the_delivery(tenant: Tenant) -> None:
    order = await PurchaseOrder.get(la_id=tenant.la.id)
    terms = standard_rate_card().model_dump(mode="json")
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference="FIXED-1", work_type="new_plan", status=BundleStatus.DELIVERED,
                                 writer=tenant.writers["writer1"], page_count=5, purchase_order=order,
                                 rate_terms=terms)
    card = standard_rate_card().model_dump(mode="json")
    del card["prices_pence"]["new_plan"]
    await LaContract.filter(la_id=tenant.la.id).update(rate_card=card)
    async with in_transaction() as conn:
        await write_delivery_lines(bundle, delivered_at=datetime(2026, 6, 18, 14, tzinfo=UTC), conn=conn)
    assert [(row.kind, row.net_pence) for row in await BillableLine.filter(bundle_id=bundle.id).order_by("id")] == [
        (LineKind.INVOICE, 45_000), (LineKind.PAYOUT, 30_000)]
    bare = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                               reference="BARE-1", work_type="new_plan", status=BundleStatus.DELIVERED,
                               writer=tenant.writers["writer1"], page_count=5, purchase_order=order)
    try:
        async with in_transaction() as conn:
            await write_delivery_lines(bare, delivered_at=datetime(2026, 6, 18, 14, tzinfo=UTC), conn=conn)
    except PriceMissing as exc:
        assert "new_plan" in exc.detail
    else:
        raise AssertionError("a missing price must be a typed error")
