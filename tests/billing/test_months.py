"""The months of the books: from the first billable month to the current one, each with its state and totals."""

from __future__ import annotations

from itertools import pairwise

import httpx

from service import clock
from service.billing.lines import month_of, next_month
from service.models import LineKind
from tests.billing.test_month_close_service import line
from tests.factories import Tenant


async def test_months_list_state_and_totals_from_the_books_start(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant,
) -> None:
    finance = tenant.auth("finance")
    empty = (await client.get("/v1/billing/months", headers=finance)).json()
    assert empty == {"books_start": None, "first_closable_month": None, "items": []}
    await line(tenant, tenant.la, "2026-03", 45_000)
    await line(tenant, tenant.la, "2026-03", -10_000, kind=LineKind.CREDIT)
    await line(tenant, tenant.la, "2026-03", 30_000, kind=LineKind.PAYOUT)
    await line(tenant, tenant.la, "2026-05", 20_000)
    await line(other_tenant, other_tenant.la, "2025-01", 99_000)  # another writing service's books
    assert (await client.post("/v1/billing/months/2026-03/close", headers=finance)).status_code == 200

    listed = await client.get("/v1/billing/months", headers=finance)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    current = month_of(clock.now())
    assert body["books_start"] == "2026-03" and body["first_closable_month"] == "2026-04"
    months = [item["month"] for item in body["items"]]
    assert months[0] == "2026-03" and months[-1] == current
    assert all(next_month(a) == b for a, b in pairwise(months))
    by_month = {item["month"]: item for item in body["items"]}
    march = by_month["2026-03"]
    # the payout line is not invoiced; the credit is credited apart, never inside what was invoiced
    assert (march["state"], march["invoice_lines"], march["invoices_net_pence"], march["invoices_vat_pence"],
            march["invoices_gross_pence"], march["credits_net_pence"], march["payout_lines"],
            march["payouts_pence"], march["invoice_numbers"]) == (
        "closed", 1, 45_000, 9_000, 54_000, -10_000, 1, 30_000, ["INV-000001"])
    assert by_month["2026-04"]["state"] == "closable" and by_month["2026-04"]["invoice_lines"] == 0
    assert by_month["2026-05"]["state"] == "ended" and by_month["2026-05"]["invoices_net_pence"] == 20_000
    assert by_month[current]["state"] == "current"
    assert (await client.get("/v1/billing/months", headers=tenant.auth("la_admin"))).status_code == 403


async def test_finance_sets_an_earlier_books_start_until_a_month_is_closed(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    finance = tenant.auth("finance")
    await line(tenant, tenant.la, "2026-03", 45_000)
    future = await client.put("/v1/billing/books/start", headers=finance, json={"starts_month": "2099-01"})
    assert future.status_code == 422
    earlier = await client.put("/v1/billing/books/start", headers=finance, json={"starts_month": "2026-01"})
    assert earlier.status_code == 200, earlier.text
    assert (earlier.json()["books_start"], earlier.json()["first_closable_month"]) == ("2026-01", "2026-01")
    assert earlier.json()["items"][0] == {
        "month": "2026-01", "state": "closable", "invoice_lines": 0, "invoices_net_pence": 0,
        "invoices_vat_pence": 0, "invoices_gross_pence": 0, "credits_net_pence": 0, "payout_lines": 0,
        "payouts_pence": 0, "invoice_numbers": []}
    skipped = await client.post("/v1/billing/months/2026-03/close", headers=finance)
    assert skipped.status_code == 409 and "close 2026-01 before 2026-03" in skipped.json()["detail"]
    january = await client.post("/v1/billing/months/2026-01/close", headers=finance)
    assert january.status_code == 200 and january.json() == {"month": "2026-01", "closed_now": True, "invoices": []}
    fixed = await client.put("/v1/billing/books/start", headers=finance, json={"starts_month": "2025-06"})
    assert fixed.status_code == 409
    assert (await client.post("/v1/billing/months/2025-12/close", headers=finance)).status_code == 422
