"""Partial credits: an amount of an invoice line's net with a reason, VAT at the line's rate, once per line."""

from __future__ import annotations

import httpx

from service.models import BillableLine, LineKind
from tests.billing.test_month_close_service import line
from tests.factories import Tenant


async def test_finance_credits_part_of_a_line_up_to_its_net_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    finance = tenant.auth("finance")
    await line(tenant, tenant.la, "2026-11", 45_000)
    original = await BillableLine.get(la_id=tenant.la.id, kind=LineKind.INVOICE)
    path = f"/v1/billing/lines/{original.id}/credit"
    over = await client.post(path, headers=finance, json={"reason": "too much", "amount_pence": 45_001})
    assert over.status_code == 422 and "45000" in over.json()["detail"], over.text
    zero = await client.post(path, headers=finance, json={"reason": "nothing", "amount_pence": 0})
    assert zero.status_code == 422
    part = await client.post(path, headers=finance, json={"reason": "section F rewritten by the LA",
                                                          "amount_pence": 10_001})
    assert part.status_code == 201, part.text
    assert (part.json()["kind"], part.json()["net_pence"], part.json()["vat_pence"],
            part.json()["corrects_line_id"]) == ("credit", -10_001, -2_000, str(original.id))
    credit = await BillableLine.get(id=int(part.json()["line_id"]))
    assert credit.description == "correction: section F rewritten by the LA"
    assert (credit.base_pence, credit.vat_rate_bp) == (-10_001, 2_000)
    again = await client.post(path, headers=finance, json={"reason": "and the rest", "amount_pence": 100})
    assert again.status_code == 409
    # the credit is a credit note of its own: the month's credit notes document shows it, and adds up
    notes = await client.get(f"/v1/billing/months/{credit.month}/credit-notes", params={"format": "json"},
                             headers=finance)
    assert notes.status_code == 200, notes.text
    document = notes.json()
    assert (document["document"], document["status"]) == ("credit-notes", "draft")
    assert (document["header"]["credit_note_count"], document["header"]["net_pence"]) == (1, -10_001)
    [note] = document["credit_notes"]
    assert (note["corrects_line_id"], note["line"]["line_id"], note["reason"]) == (
        original.id, credit.id, "section F rewritten by the LA")
    # and the invoice of the corrected line's month lists only what was invoiced
    invoice = await client.get(f"/v1/billing/months/{original.month}/invoices/{tenant.la.id}",
                               params={"format": "json"}, headers=finance)
    assert invoice.status_code == 200, invoice.text
    assert [line["line_id"] for line in invoice.json()["lines"]] == [original.id]
    assert invoice.json()["header"]["net_pence"] == 45_000


async def test_a_payout_is_reversed_whole_never_in_part(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await line(tenant, tenant.la, "2026-11", 30_000, kind=LineKind.PAYOUT)
    payout = await BillableLine.get(la_id=tenant.la.id, kind=LineKind.PAYOUT)
    refused = await client.post(f"/v1/billing/lines/{payout.id}/credit", headers=tenant.auth("finance"),
                                json={"reason": "half", "amount_pence": 15_000})
    assert refused.status_code == 422 and "invoice line" in refused.json()["detail"]
