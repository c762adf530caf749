"""A month of deliveries through the API, every line and total against pence worked out by hand; the close;
a correction after it landing as a credit line in the next month.

The card (set on the tenant's contract): new plan GBP 500, phase transfer 300, annual review 200; pages 61+ add
GBP 50; express adds 25% of the base; VAT 20% per item; SLA credit 5% per late working day (cap 25%); amendments
GBP 75 outside a 10-working-day window; writers earn 300 / 200 / 160, GBP 40 express bonus, GBP 50 an amendment,
on delivery.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from time_machine import TimeMachineFixture

from service import clock
from service.billing.lines import month_of, next_month
from service.billing.rate_card import PageBand, Surcharge, standard_rate_card
from service.calendar import WorkingCalendar
from service.clock import LONDON
from service.models import BillableLine, Bundle, Event, Invoice, LaContract
from tests.factories import Tenant
from tests.files import DOCX, DRAFT_PLAN, EP_REPORT, PDF, make_pdf
from tests.service_fixtures import eventually

CAL = WorkingCalendar()
CARD = standard_rate_card(
    prices_pence={"new_plan": 50_000, "phase_transfer": 30_000, "annual_review_amendment": 20_000,
                  "reassessment": 45_000, "statement_transfer": 30_000},
    page_bands=(PageBand(from_page=61, surcharge=Surcharge.fixed(5_000)),
                PageBand(from_page=121, surcharge=Surcharge.fixed(10_000))),
    payouts_pence={"new_plan": 30_000, "phase_transfer": 20_000, "annual_review_amendment": 16_000,
                   "reassessment": 30_000, "statement_transfer": 20_000},
)
LARGE_REPORT = make_pdf([f"Educational psychology advice, page {n}: observations in class." for n in range(70)])


async def status_of(client: httpx.AsyncClient, tenant: Tenant, bundle_id: str) -> str:
    return str((await client.get(f"/v1/bundles/{bundle_id}", headers=tenant.auth("la_officer"))).json()["status"])


async def submitted(client: httpx.AsyncClient, tenant: Tenant, reference: str, work_type: str, tier: str,
                    report: bytes) -> str:
    la = tenant.auth("la_officer")
    created = await client.post("/v1/bundles", headers=la,
                                json={"reference": reference, "work_type": work_type, "tier": tier})
    assert created.status_code == 201, created.text
    bundle_id = str(created.json()["id"])
    uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "advice.pdf"},
                                 content=report, headers={**la, "Content-Type": PDF})
    assert uploaded.status_code == 201, uploaded.text
    answer = await client.post(f"/v1/bundles/{bundle_id}/submit", headers=la)
    assert answer.status_code == 200 and answer.json()["status"] == "submitted", answer.text
    return bundle_id


async def drafted(client: httpx.AsyncClient, tenant: Tenant, bundle_id: str) -> str:
    """Offered, accepted and read by a writer, a draft uploaded: the writer's key."""
    async def offered() -> bool:
        return await status_of(client, tenant, bundle_id) == "offered"

    await eventually(offered)
    for key in ("writer1", "writer2", "writer3"):
        offers = (await client.get("/v1/offers", headers=tenant.auth(key))).json()["items"]
        mine = [o for o in offers if o["bundle_id"] == bundle_id]
        if mine:
            writer = tenant.auth(key)
            assert (await client.post(f"/v1/offers/{mine[0]['id']}/accept", headers=writer)).status_code == 200
            detail = (await client.get(f"/v1/bundles/{bundle_id}", headers=writer)).json()
            document = detail["documents"][0]["id"]
            assert (await client.get(f"/v1/bundles/{bundle_id}/documents/{document}/content",
                                     headers=writer)).status_code == 200
            await upload_draft(client, tenant, key, bundle_id)
            return key
    raise AssertionError("no writer was offered the bundle")


async def upload_draft(client: httpx.AsyncClient, tenant: Tenant, key: str, bundle_id: str) -> None:
    draft = await client.post(f"/v1/bundles/{bundle_id}/drafts", params={"filename": "draft.docx"},
                              content=DRAFT_PLAN, headers={**tenant.auth(key), "Content-Type": DOCX})
    assert draft.status_code == 201, draft.text


async def passed(client: httpx.AsyncClient, tenant: Tenant, bundle_id: str) -> None:
    """QA claims the bundle's draft in review, sets its automated errors aside with a reason, and passes it."""
    reviewer = tenant.auth("qa_reviewer")
    queue = (await client.get("/v1/qa/queue", headers=reviewer)).json()["items"]
    draft_id = next(d["id"] for d in queue if d["bundle_id"] == bundle_id)
    assert (await client.post(f"/v1/drafts/{draft_id}/claim", headers=reviewer)).status_code == 200
    sheet = (await client.get(f"/v1/drafts/{draft_id}/review", headers=reviewer)).json()
    for finding in sheet["findings"]:
        if finding["severity"] == "error":
            await client.post(f"/v1/drafts/{draft_id}/findings/{finding['index']}/dismiss", headers=reviewer,
                              json={"reason": "a short test plan, by design"})
    answer = await client.post(f"/v1/drafts/{draft_id}/pass", headers=reviewer,
                               json={"checklist": {item["key"]: True for item in sheet["manual_items"]}})
    assert answer.status_code == 200, answer.text
    assert await status_of(client, tenant, bundle_id) == "delivered"


async def deliver(client: httpx.AsyncClient, tenant: Tenant, reference: str, work_type: str, tier: str = "standard",
                  report: bytes = EP_REPORT, late_days: int = 0) -> str:
    bundle_id = await submitted(client, tenant, reference, work_type, tier, report)
    await drafted(client, tenant, bundle_id)
    if late_days:
        # the bundle was queued long enough ago that today is `late_days` working days past its due date
        today = clock.today()
        queued_on = next(today - timedelta(days=n) for n in range(1, 90)
                         if CAL.working_days_between(CAL.add_working_days(today - timedelta(days=n), 10),
                                                     today) == late_days)
        await Event.filter(bundle_id=bundle_id, to_status="queued").update(
            created_at=datetime(queued_on.year, queued_on.month, queued_on.day, 12, tzinfo=UTC))
    await passed(client, tenant, bundle_id)
    return bundle_id


async def document(client: httpx.AsyncClient, tenant: Tenant, path: str, role: str = "finance") -> Any:
    answer = await client.get(path, params={"format": "json"}, headers=tenant.auth(role))
    assert answer.status_code == 200, answer.text
    return json.loads(answer.content)


FIGURES = ("bundle_reference", "kind", "cause", "pages", "express", "late_working_days", "base_pence",
           "page_band_pence", "express_pence", "sla_credit_pence", "net_pence", "vat_pence", "gross_pence")


def figures(line: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(line[key] for key in FIGURES)


async def test_a_month_of_deliveries_is_billed_to_the_penny_closed_once_and_corrected_in_the_next(
    client: httpx.AsyncClient, tenant: Tenant, worker: None, time_machine: TimeMachineFixture,
) -> None:
    await LaContract.filter(la_id=tenant.la.id).update(rate_card=CARD.model_dump(mode="json"),
                                                       amendment_window_days=10)
    month = month_of(clock.now())
    plain = await deliver(client, tenant, "M-1-plain", "new_plan")
    express = await deliver(client, tenant, "M-2-express", "new_plan", tier="express")
    await deliver(client, tenant, "M-3-large", "phase_transfer", report=LARGE_REPORT)
    await deliver(client, tenant, "M-4-late", "annual_review_amendment", late_days=3)

    # an amendment inside the free window costs nothing: no line
    free = await client.post(f"/v1/bundles/{express}/amendments", headers=tenant.auth("la_officer"),
                             json={"reason": "Section F wording"})
    assert free.status_code == 200, free.text
    # one asked for four weeks after delivery is charged at once, and paid to the writer when re-delivered
    await Bundle.filter(id=plain).update(delivered_at=clock.now() - timedelta(days=28))
    charged = await client.post(f"/v1/bundles/{plain}/amendments", headers=tenant.auth("la_officer"),
                                json={"reason": "the annual review changed the placement"})
    assert charged.status_code == 200, charged.text
    writer_id = (await Bundle.get(id=plain)).writer_id  # type: ignore[attr-defined]
    writer_key = next(k for k, w in tenant.writers.items() if w.id == writer_id)
    await upload_draft(client, tenant, writer_key, plain)
    await passed(client, tenant, plain)

    invoice_path = f"/v1/billing/months/{month}/invoices/{tenant.la.id}"
    invoice = await document(client, tenant, invoice_path)
    assert invoice["status"] == "draft" and invoice["header"]["invoice_number"] is None
    #                 reference        kind       cause       pages exp.   late base    band   express credit
    #                 net     VAT     gross
    assert [figures(line) for line in invoice["lines"]] == [
        ("M-1-plain", "invoice", "delivery", 2, False, 0, 50_000, 0, 0, 0, 50_000, 10_000, 60_000),
        ("M-2-express", "invoice", "delivery", 2, True, 0, 50_000, 0, 12_500, 0, 62_500, 12_500, 75_000),
        ("M-3-large", "invoice", "delivery", 70, False, 0, 30_000, 5_000, 0, 0, 35_000, 7_000, 42_000),
        # 3 late working days: 15% of GBP 200 credited, VAT 4,000 - 600
        ("M-4-late", "invoice", "delivery", 2, False, 3, 20_000, 0, 0, -3_000, 17_000, 3_400, 20_400),
        ("M-1-plain", "invoice", "amendment", 0, False, 0, 7_500, 0, 0, 0, 7_500, 1_500, 9_000),
    ]
    assert all(line["po_number"] == invoice["header"]["po_numbers"][0] for line in invoice["lines"])
    header = invoice["header"]
    assert (header["line_count"], header["net_pence"], header["vat_pence"], header["gross_pence"]) == (
        5, 172_000, 34_400, 206_400)

    payouts = await document(client, tenant, f"/v1/billing/months/{month}/payouts")
    assert [(p["bundle_reference"], p["cause"], p["base_pence"], p["express_bonus_pence"], p["net_pence"])
            for p in payouts["lines"]] == [
        ("M-1-plain", "delivery", 30_000, 0, 30_000),
        ("M-2-express", "delivery", 30_000, 4_000, 34_000),
        ("M-3-large", "delivery", 20_000, 0, 20_000),
        ("M-4-late", "delivery", 16_000, 0, 16_000),
        ("M-1-plain", "amendment", 5_000, 0, 5_000),
    ]
    assert payouts["header"]["net_pence"] == 105_000
    summary = await document(client, tenant, f"/v1/billing/months/{month}/summary")
    assert (summary["summary"]["invoices_net_pence"], summary["summary"]["payouts_pence"],
            summary["summary"]["margin_pence"]) == (172_000, 105_000, 67_000)

    # the LA reads its own invoice; the order it was charged to shows what was spent
    assert (await document(client, tenant, invoice_path, role="la_admin"))["lines"] == invoice["lines"]
    orders = (await client.get("/v1/billing/purchase-orders", headers=tenant.auth("la_admin"))).json()["items"]
    assert orders[0]["spent_pence"] == 172_000 and orders[0]["committed_pence"] == 0

    # month end: finance closes it, once (on the 2nd of the next month, so the correction below lands there)
    year, number = int(next_month(month)[:4]), int(next_month(month)[5:])
    time_machine.move_to(datetime(year, number, 2, 12, tzinfo=LONDON), tick=True)
    first = await client.post(f"/v1/billing/months/{month}/close", headers=tenant.auth("finance"))
    assert first.status_code == 200, first.text
    assert first.json()["closed_now"] is True
    number = first.json()["invoices"][0]["invoice_number"]
    assert number == "INV-000001" and first.json()["invoices"][0]["gross_pence"] == 206_400
    final_csv = (await client.get(invoice_path, headers=tenant.auth("finance"))).content
    final_xlsx = (await client.get(invoice_path, params={"format": "xlsx"}, headers=tenant.auth("finance"))).content
    again = await client.post(f"/v1/billing/months/{month}/close", headers=tenant.auth("finance"))
    assert again.status_code == 200 and again.json()["closed_now"] is False
    assert again.json()["invoices"] == first.json()["invoices"]
    assert await Invoice.filter(provider_id=tenant.provider.id).count() == 1
    assert (await client.get(invoice_path, headers=tenant.auth("finance"))).content == final_csv
    xlsx_again = await client.get(invoice_path, params={"format": "xlsx"}, headers=tenant.auth("finance"))
    assert xlsx_again.content == final_xlsx
    records = list(csv.DictReader(io.StringIO(final_csv.decode())))
    assert {r["document_status"] for r in records} == {"final"} and records[0]["invoice_number"] == number
    assert records[0]["gross_gbp"] == "2064.00"

    # a correction after close: a credit line in the next month, the closed month untouched
    late_line = await BillableLine.get(bundle__reference="M-4-late", kind="invoice")
    credit = await client.post(f"/v1/billing/lines/{late_line.id}/credit", headers=tenant.auth("finance"),
                               json={"reason": "the LA's advice arrived late; the delivery was not charged"})
    assert credit.status_code == 201, credit.text
    assert credit.json()["month"] == next_month(month) and credit.json()["kind"] == "credit"
    assert (credit.json()["net_pence"], credit.json()["vat_pence"]) == (-17_000, -3_400)
    twice = await client.post(f"/v1/billing/lines/{late_line.id}/credit", headers=tenant.auth("finance"),
                              json={"reason": "again"})
    assert twice.status_code == 409
    assert (await client.get(invoice_path, headers=tenant.auth("finance"))).content == final_csv
    # the credit is a credit note of its own: the next month has no invoice for this LA, only the credit note
    no_invoice = await client.get(f"/v1/billing/months/{next_month(month)}/invoices/{tenant.la.id}",
                                  params={"format": "json"}, headers=tenant.auth("finance"))
    assert no_invoice.status_code == 404
    following = await document(client, tenant, f"/v1/billing/months/{next_month(month)}/credit-notes")
    assert following["status"] == "draft" and following["header"]["net_pence"] == -17_000
    [note] = following["credit_notes"]
    assert figures(note["line"]) == (
        "M-4-late", "credit", "correction", 2, False, 3, -20_000, 0, 0, 3_000, -17_000, -3_400, -20_400)
    assert (note["corrects_line_id"], note["corrects_invoice_number"]) == (late_line.id, number)
    assert isinstance(date.fromisoformat(note["line"]["event_on"]), date)
    summary = await document(client, tenant, f"/v1/billing/months/{next_month(month)}/summary")
    [la] = summary["invoices"]
    assert (la["document_type"], la["line_count"], la["net_pence"], la["credits_net_pence"],
            la["credit_note_count"], la["balance_gross_pence"]) == ("credit_note", 0, 0, -17_000, 1, -20_400)
