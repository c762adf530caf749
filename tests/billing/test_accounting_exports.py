"""A closed month as finance hands it to accounting software: full VAT invoices, credit notes of their own, and the
Xero and Sage 50 import layouts checked column for column against the published templates."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import time_machine

from contracts.api import uk_vat_number
from service.models import AuditEntry, BillableLine, Bundle, CreditNote, LineKind, Organisation, WorkType
from tests.billing.test_month_close_service import planwright
from tests.clocked import clocked_command
from tests.factories import Tenant

# Xero, "Import customer invoices" (https://central.xero.com/s/article/Import-customer-invoices): the header row of
# its SalesInvoiceTemplate.csv, written out by hand so a slip in the code cannot hide itself
XERO_SALES_TEMPLATE = [
    "*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "Reference", "*InvoiceDate", "*DueDate",
    "Total", "InventoryItemCode", "*Description", "*Quantity", "*UnitAmount", "Discount", "*AccountCode",
    "*TaxType", "TaxAmount", "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency",
    "BrandingTheme",
]
# Xero, "Import bills" (https://central.xero.com/s/article/Import-bills): PurchaseInvoiceTemplate.csv's header row
XERO_BILL_TEMPLATE = [
    "*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "*InvoiceDate", "*DueDate", "Total",
    "InventoryItemCode", "Description", "*Quantity", "*UnitAmount", "*AccountCode", "*TaxType", "TaxAmount",
    "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency",
]
# Sage 50 Accounts, "Import audit trail transactions" (https://gb-kb.sage.com/portal/app/portlets/results/
# viewsolution.jsp?solutionid=200427112214163, the Audit Trail Transaction template's fields in order)
SAGE_AUDIT_TRAIL_TEMPLATE = [
    "Type", "Account Reference", "Nominal A/C Ref", "Department Code", "Date", "Reference", "Details",
    "Net Amount", "Tax Code", "Tax Amount", "Exchange Rate", "Extra Reference", "User Name", "Project Refn",
    "Cost Code Refn",
]
SUPPLIER_VAT = "GB123456782"  # 1234567 and check digits 82: (8+14+18+20+20+18+14) + 82 = 194 = 2 x 97


async def _line(tenant: Tenant, month: str, net: int, kind: LineKind = LineKind.INVOICE, day: int = 10) -> int:
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference=f"CASE-{month}-{net}-{kind}", work_type=WorkType.NEW_PLAN, page_count=30)
    row = await BillableLine.create(
        kind=kind, provider=tenant.provider, la=tenant.la, bundle=bundle, month=month, work_type="new_plan",
        description="new_plan delivered" if kind == LineKind.INVOICE else "new_plan payout", cause="delivery",
        base_pence=net, net_pence=net, vat_rate_bp=2_000 if kind == LineKind.INVOICE else 0,
        vat_pence=net // 5 if kind == LineKind.INVOICE else 0, pages=30,
        writer=tenant.writers["writer1"] if kind == LineKind.PAYOUT else None,
        event_on=date(int(month[:4]), int(month[5:]), day))
    return row.id


def _rows(body: bytes) -> list[dict[str, str]]:
    assert not body.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _header(body: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def _money(cell: str) -> Decimal:
    value = Decimal(cell)
    assert value.as_tuple().exponent == -2, f"{cell!r}: two decimals"
    return value


def _day(cell: str) -> date:
    return datetime.strptime(cell, "%d/%m/%Y").date()


async def _closed_month(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, int]:
    """April: two invoice lines and a payout, closed in May; a partial and a whole credit in May; May closed in
    June. The parties' invoice details set through the API (the LA) and on the provider's row."""
    finance = tenant.auth("finance")
    await Organisation.filter(id=tenant.provider.id).update(
        address_lines=["1 Quill Lane", "Leeds"], postcode="LS1 4AP", vat_number=SUPPLIER_VAT, payment_terms_days=21)
    details = await client.patch(f"/v1/organisations/{tenant.la.id}", headers=tenant.auth("admin"), json={
        "address_lines": ["County Hall", "Wakefield"], "postcode": "wf1 2qw"})
    assert details.status_code == 200 and details.json()["postcode"] == "WF1 2QW", details.text
    first = await _line(tenant, "2026-04", 45_000)
    second = await _line(tenant, "2026-04", 30_000, day=20)
    await _line(tenant, "2026-04", 28_000, LineKind.PAYOUT)
    with time_machine.travel(datetime(2026, 5, 5, 9, tzinfo=UTC), tick=False):
        closed = await client.post("/v1/billing/months/2026-04/close", headers=finance)
        assert closed.status_code == 200, closed.text
        part = await client.post(f"/v1/billing/lines/{first}/credit", headers=finance,
                                 json={"reason": "section F rewritten by the LA", "amount_pence": 10_000})
        whole = await client.post(f"/v1/billing/lines/{second}/credit", headers=finance,
                                  json={"reason": "delivered twice"})
    assert (part.status_code, whole.status_code) == (201, 201), (part.text, whole.text)
    assert (part.json()["credit_note_number"], whole.json()["credit_note_number"]) == ("CN-000001", "CN-000002")
    with time_machine.travel(datetime(2026, 6, 3, 9, tzinfo=UTC), tick=False):
        assert (await client.post("/v1/billing/months/2026-05/close", headers=finance)).status_code == 200
    return {"first": first, "second": second}


async def test_an_invoice_carries_what_hmrc_asks_of_a_full_vat_invoice(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    await _closed_month(client, tenant)
    got = await client.get(f"/v1/billing/months/2026-04/invoices/{tenant.la.id}", params={"format": "json"},
                           headers=tenant.auth("finance"))
    assert got.status_code == 200, got.text
    document = got.json()
    header = document["header"]
    assert header["invoice_number"] == "INV-000001" and header["issued_on"] == "2026-05-05"
    assert (header["provider_name"], header["supplier_address_lines"], header["supplier_postcode"],
            header["supplier_vat_number"]) == (tenant.provider.name, ["1 Quill Lane", "Leeds"], "LS1 4AP",
                                               SUPPLIER_VAT)
    assert (header["la_name"], header["customer_address_lines"], header["customer_postcode"]) == (
        tenant.la.name, ["County Hall", "Wakefield"], "WF1 2QW")
    # issued within 14 days of the month's end: the date of issue is the tax point
    assert header["time_of_supply"] == "2026-05-05"
    assert (header["payment_terms_days"], header["payment_terms"], header["due_on"]) == (
        21, "Payment within 21 days of the invoice date", "2026-05-26")
    assert (header["net_pence"], header["vat_pence"], header["gross_pence"]) == (75_000, 15_000, 90_000)
    lines = document["lines"]
    assert [(line["description"], line["quantity"], line["unit_price_pence"], line["vat_rate_percent"],
             line["net_pence"]) for line in lines] == [
        ("New plan delivered (case CASE-2026-04-45000-invoice, 30 pages)", 1, 45_000, 20.0, 45_000),
        ("New plan delivered (case CASE-2026-04-30000-invoice, 30 pages)", 1, 30_000, 20.0, 30_000)]
    # the CSV carries the same, in columns added at the end
    csv_rows = _rows((await client.get(f"/v1/billing/months/2026-04/invoices/{tenant.la.id}",
                                       headers=tenant.auth("finance"))).content)
    assert {(row["supplier_vat_number"], row["customer_address"], row["due_on"]) for row in csv_rows} == {
        (SUPPLIER_VAT, "County Hall, Wakefield, WF1 2QW", "2026-05-26")}


async def test_credit_notes_are_documents_of_their_own_naming_the_invoice_and_line(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant,
) -> None:
    lines = await _closed_month(client, tenant)
    notes = await client.get("/v1/billing/credit-notes", params={"month": "2026-05"}, headers=tenant.auth("finance"))
    assert notes.status_code == 200, notes.text
    items = notes.json()["items"]
    assert [(n["credit_note_number"], n["corrects_invoice_number"], n["corrects_line_id"], n["net_pence"],
             n["vat_pence"], n["reason"], n["supplier_vat_number"]) for n in items] == [
        ("CN-000001", "INV-000001", lines["first"], -10_000, -2_000, "section F rewritten by the LA", SUPPLIER_VAT),
        ("CN-000002", "INV-000001", lines["second"], -30_000, -6_000, "delivered twice", SUPPLIER_VAT)]
    one = await client.get("/v1/billing/credit-notes", params={"number": "CN-000002"},
                           headers=tenant.auth("la_admin"))
    assert [n["credit_note_number"] for n in one.json()["items"]] == ["CN-000002"]  # the LA reads its own
    theirs = await client.get("/v1/billing/credit-notes", params={"la_id": str(other_tenant.la.id)},
                              headers=tenant.auth("la_officer"))
    assert theirs.status_code == 404
    assert (await client.get("/v1/billing/credit-notes", headers=other_tenant.auth("finance"))).json() == {
        "items": []}
    assert (await client.get("/v1/billing/credit-notes", headers=tenant.auth("writer"))).status_code == 403


async def test_a_months_credit_notes_export_as_a_document_of_their_own(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, tmp_path: Path,
) -> None:
    lines = await _closed_month(client, tenant)
    finance = tenant.auth("finance")
    path = "/v1/billing/months/2026-05/credit-notes"
    csv_answer = await client.get(path, headers=finance)
    assert csv_answer.status_code == 200, csv_answer.text
    assert "planwright-credit-notes-2026-05.csv" in csv_answer.headers["content-disposition"]
    rows = _rows(csv_answer.content)
    assert [(r["record"], r["credit_note_number"], r["corrects_invoice_number"], r["corrects_line_id"],
             r["net_gbp"], r["vat_gbp"], r["gross_gbp"]) for r in rows] == [
        ("credit_notes", "", "", "", "-400.00", "-80.00", "-480.00"),
        ("credit_note", "CN-000001", "INV-000001", str(lines["first"]), "-100.00", "-20.00", "-120.00"),
        ("credit_note", "CN-000002", "INV-000001", str(lines["second"]), "-300.00", "-60.00", "-360.00")]
    assert {r["document_status"] for r in rows} == {"final"}
    assert rows[1]["supplier_vat_number"] == SUPPLIER_VAT and rows[1]["customer_address"].endswith("WF1 2QW")
    xlsx = await client.get(path, params={"format": "xlsx"}, headers=finance)
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    # in the import layouts: the credit notes alone, as the summary's import shows them
    for fmt, number in (("xero", "*InvoiceNumber"), ("sage", "Reference")):
        layout = await client.get(path, params={"format": fmt}, headers=finance)
        assert layout.status_code == 200, layout.text
        assert [row[number] for row in _rows(layout.content)] == ["CN-000001", "CN-000002"]
    # April's invoice in Xero's layout carries its own lines only, never a credit
    april = _rows((await client.get(f"/v1/billing/months/2026-04/invoices/{tenant.la.id}",
                                    params={"format": "xero"}, headers=finance)).content)
    assert {row["*InvoiceNumber"] for row in april} == {"INV-000001"}
    # the month summary: no invoice for the LA in May, its credits apart
    [la] = (await client.get("/v1/billing/months/2026-05/summary", params={"format": "json"},
                             headers=finance)).json()["invoices"]
    assert (la["invoice_number"], la["document_type"], la["net_pence"], la["credits_net_pence"],
            la["credit_note_count"], la["balance_gross_pence"]) == (None, "credit_note", 0, -40_000, 2, -48_000)
    # an LA reads its own (and only its own); another tenant's LA is unknown; a writer may not
    own = await client.get(path, params={"format": "json"}, headers=tenant.auth("la_officer"))
    assert own.status_code == 200 and own.json()["header"]["la_id"] == str(tenant.la.id), own.text
    assert len(own.json()["credit_notes"]) == 2
    theirs = await client.get(path, params={"la_id": str(other_tenant.la.id)}, headers=tenant.auth("la_officer"))
    assert theirs.status_code == 404
    assert (await client.get(path, params={"la_id": str(other_tenant.la.id)}, headers=finance)).status_code == 404
    assert (await client.get(path, headers=tenant.auth("writer"))).status_code == 403
    # and by the command, the same bytes
    user = str(tenant.users["finance"].id)
    done = planwright("export", "credit-notes", "--month", "2026-05", "--user", user, "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "planwright-credit-notes-2026-05.csv").read_bytes() == csv_answer.content
    la_user = str(tenant.users["la_officer"].id)
    refused = planwright("export", "credit-notes", "--month", "2026-05", "--user", la_user)
    assert refused.returncode == 2 and "its own" in refused.stderr


async def test_credit_note_numbers_stay_gapless_when_credits_come_at_once(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    ids = [await _line(tenant, "2026-04", 1_000 + n) for n in range(8)]
    finance = tenant.auth("finance")
    answers = await asyncio.gather(*(client.post(f"/v1/billing/lines/{line_id}/credit", headers=finance,
                                                 json={"reason": "at once"}) for line_id in ids))
    assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
    numbers = sorted(a.json()["credit_note_number"] for a in answers)
    assert numbers == [f"CN-{n:06d}" for n in range(1, 9)]
    assert await CreditNote.filter(provider_id=tenant.provider.id).count() == 8
    # a payout reversal is no credit note
    payout = await _line(tenant, "2026-04", 5_000, LineKind.PAYOUT)
    reversal = await client.post(f"/v1/billing/lines/{payout}/credit", headers=finance, json={"reason": "no"})
    assert reversal.status_code == 201 and reversal.json()["credit_note_number"] is None


async def test_xero_layouts_are_the_published_templates(client: httpx.AsyncClient, tenant: Tenant) -> None:
    lines = await _closed_month(client, tenant)
    finance = tenant.auth("finance")
    april = await client.get(f"/v1/billing/months/2026-04/invoices/{tenant.la.id}", params={"format": "xero"},
                             headers=finance)
    assert april.status_code == 200, april.text
    assert april.headers["content-type"].startswith("text/csv")
    assert f"planwright-invoice-{tenant.la.id}-2026-04-xero.csv" in april.headers["content-disposition"]
    assert _header(april.content) == XERO_SALES_TEMPLATE
    rows = _rows(april.content)
    assert [row["*InvoiceNumber"] for row in rows] == ["INV-000001", "INV-000001"]
    for row in rows:
        assert row["*ContactName"] == tenant.la.name
        assert (row["POAddressLine1"], row["POAddressLine2"], row["POPostalCode"]) == (
            "County Hall", "Wakefield", "WF1 2QW")
        assert (_day(row["*InvoiceDate"]), _day(row["*DueDate"])) == (date(2026, 5, 5), date(2026, 5, 26))
        assert (row["*Quantity"], row["*AccountCode"], row["*TaxType"], row["Currency"]) == (
            "1", "200", "20% (VAT on Income)", "GBP")
        assert _money(row["TaxAmount"]) == _money(row["*UnitAmount"]) * Decimal("0.2")
        assert _money(row["Total"]) == Decimal("900.00")  # the invoice's gross, on each of its rows
    assert sum(_money(r["*UnitAmount"]) * int(r["*Quantity"]) + _money(r["TaxAmount"]) for r in rows) == Decimal(
        "900.00")

    # May's sales: no invoice lines of its own, two credit notes, each its own document with quantity -1
    may = await client.get("/v1/billing/months/2026-05/summary", params={"format": "xero"}, headers=finance)
    assert may.status_code == 200, may.text
    assert _header(may.content) == XERO_SALES_TEMPLATE
    credits = _rows(may.content)
    assert [(r["*InvoiceNumber"], r["Reference"], r["*Quantity"], r["*UnitAmount"], r["TaxAmount"], r["Total"])
            for r in credits] == [
        ("CN-000001", f"INV-000001 line {lines['first']}", "-1", "100.00", "-20.00", "-120.00"),
        ("CN-000002", f"INV-000001 line {lines['second']}", "-1", "300.00", "-60.00", "-360.00")]
    assert all(_day(r["*InvoiceDate"]) == date(2026, 5, 5) for r in credits)

    bills = await client.get("/v1/billing/months/2026-04/payouts", params={"format": "xero"}, headers=finance)
    assert bills.status_code == 200, bills.text
    assert _header(bills.content) == XERO_BILL_TEMPLATE
    [bill] = _rows(bills.content)
    writer = tenant.writers["writer1"]
    assert bill["*InvoiceNumber"] == f"PAY-2026-04-{writer.id.hex[:8].upper()}"
    assert (_day(bill["*InvoiceDate"]), _day(bill["*DueDate"])) == (date(2026, 4, 30), date(2026, 5, 14))
    assert (bill["*Quantity"], _money(bill["*UnitAmount"]), bill["*AccountCode"], bill["*TaxType"],
            _money(bill["TaxAmount"]), _money(bill["Total"])) == ("1", Decimal("280.00"), "310", "No VAT",
                                                                   Decimal("0.00"), Decimal("280.00"))


async def test_sage_50_audit_trail_layout(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await _closed_month(client, tenant)
    finance = tenant.auth("finance")
    account = ("LA" + tenant.la.id.hex.upper())[:8]
    april = await client.get(f"/v1/billing/months/2026-04/invoices/{tenant.la.id}", params={"format": "sage"},
                             headers=finance)
    may = await client.get("/v1/billing/months/2026-05/summary", params={"format": "sage"}, headers=finance)
    bills = await client.get("/v1/billing/months/2026-04/payouts", params={"format": "sage"}, headers=finance)
    rows = []
    for answer in (april, may, bills):
        assert answer.status_code == 200, answer.text
        assert _header(answer.content) == SAGE_AUDIT_TRAIL_TEMPLATE
        rows += _rows(answer.content)
    for row in rows:
        assert len(row["Account Reference"]) <= 8 and " " not in row["Account Reference"]
        assert len(row["Reference"]) <= 30 and len(row["Details"]) <= 60 and len(row["Extra Reference"]) <= 30
        _day(row["Date"])
        assert _money(row["Net Amount"]) > 0 and _money(row["Tax Amount"]) >= 0  # the type says which way
    assert [(r["Type"], r["Account Reference"], r["Nominal A/C Ref"], r["Reference"], r["Net Amount"],
             r["Tax Code"], r["Tax Amount"]) for r in rows] == [
        ("SI", account, "4000", "INV-000001", "450.00", "T1", "90.00"),
        ("SI", account, "4000", "INV-000001", "300.00", "T1", "60.00"),
        ("SC", account, "4000", "CN-000001", "100.00", "T1", "20.00"),
        ("SC", account, "4000", "CN-000002", "300.00", "T1", "60.00"),
        ("PI", ("W" + tenant.writers["writer1"].id.hex.upper())[:8], "5000",
         f"PAY-2026-04-{tenant.writers['writer1'].id.hex[:8].upper()}", "280.00", "T9", "0.00")]
    assert [_day(r["Date"]) for r in rows] == [date(2026, 5, 5)] * 4 + [date(2026, 4, 30)]


async def test_an_open_month_has_no_accounting_import(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await _line(tenant, "2026-04", 45_000)
    for fmt in ("xero", "sage"):
        answer = await client.get("/v1/billing/months/2026-04/summary", params={"format": fmt},
                                  headers=tenant.auth("finance"))
        assert answer.status_code == 409 and "not closed" in answer.json()["detail"], answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_the_export_command_writes_the_layouts(client: httpx.AsyncClient, tenant: Tenant,
                                                     tmp_path: Path) -> None:
    await _closed_month(client, tenant)
    user = str(tenant.users["finance"].id)
    for fmt, template in (("xero", XERO_SALES_TEMPLATE), ("sage", SAGE_AUDIT_TRAIL_TEMPLATE)):
        done = planwright("export", "summary", "--month", "2026-05", "--format", fmt, "--user", user,
                          "-o", str(tmp_path))
        assert done.returncode == 0, done.stderr
        assert _header((tmp_path / f"planwright-sales-2026-05-{fmt}.csv").read_bytes()) == template
    bad = planwright("export", "summary", "--month", "2026-05", "--format", "quickbooks", "--user", user)
    assert bad.returncode == 2


@pytest.mark.parametrize(("given", "stored"), [("GB123456782", "GB123456782"), ("123 4567 82", "GB123456782")])
def test_a_vat_number_is_checked_by_its_check_digits(given: str, stored: str) -> None:
    assert uk_vat_number(given) == stored
    with pytest.raises(ValueError, match="check digits"):
        uk_vat_number("GB123456783")
    with pytest.raises(ValueError, match="9 digits"):
        uk_vat_number("GB12345")


async def test_party_details_are_validated_and_audited(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = tenant.auth("admin")
    for body in ({"vat_number": "GB123456783"}, {"postcode": "not a postcode"}, {"payment_terms_days": 400},
                 {"address_lines": ["a", "b", "c", "d", "e"]}, {}):
        refused = await client.patch(f"/v1/organisations/{tenant.la.id}", headers=admin, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    made = await client.post("/v1/organisations", headers=admin, json={
        "name": "Borough with terms", "vat_number": "123 4567 82", "payment_terms_days": 45})
    assert made.status_code == 201 and (made.json()["vat_number"], made.json()["payment_terms_days"]) == (
        "GB123456782", 45), made.text
    set_ = await client.patch(f"/v1/organisations/{tenant.la.id}", headers=admin, json={"payment_terms_days": 10})
    assert set_.status_code == 200 and set_.json()["name"] == tenant.la.name
    assert await AuditEntry.filter(action="organisation.invoice_details_set", object_id=str(tenant.la.id)).exists()
    cleared = await client.patch(f"/v1/organisations/{tenant.la.id}", headers=admin, json={"address_lines": None})
    assert cleared.status_code == 200 and cleared.json()["address_lines"] == [], cleared.text


async def test_an_las_billing_contact_and_sage_account_reach_the_imports(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    admin = tenant.auth("admin")
    path = f"/v1/organisations/{tenant.la.id}"
    for body in ({"billing_email": "not an email"}, {"billing_email": "a@b"}, {"sage_account_reference": "TOO-LONG1"},
                 {"sage_account_reference": "WAKEFIELD1"}):
        refused = await client.patch(path, headers=admin, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    set_ = await client.patch(path, headers=admin, json={"billing_email": "invoices@wakefield.gov.uk",
                                                         "sage_account_reference": "wake01"})
    assert set_.status_code == 200, set_.text
    assert (set_.json()["billing_email"], set_.json()["sage_account_reference"]) == (
        "invoices@wakefield.gov.uk", "WAKE01")
    audited = await AuditEntry.filter(action="organisation.invoice_details_set", object_id=str(tenant.la.id)).all()
    assert any({"billing_email", "sage_account_reference"} <= set(entry.data["fields"]) for entry in audited)
    made = await client.post("/v1/organisations", headers=admin, json={
        "name": "Borough with a contact", "billing_email": "ap@borough.gov.uk"})
    assert made.status_code == 201 and made.json()["billing_email"] == "ap@borough.gov.uk", made.text
    assert made.json()["sage_account_reference"] is None  # the default, made from its id, as before
    await _closed_month(client, tenant)
    finance = tenant.auth("finance")
    xero = _rows((await client.get("/v1/billing/months/2026-05/summary", params={"format": "xero"},
                                   headers=finance)).content)
    assert [row["EmailAddress"] for row in xero] == ["invoices@wakefield.gov.uk"] * 2
    sage = _rows((await client.get(f"/v1/billing/months/2026-04/invoices/{tenant.la.id}",
                                   params={"format": "sage"}, headers=finance)).content)
    assert {row["Account Reference"] for row in sage} == {"WAKE01"}
    # the command sets them too, checked alike (exit 2 naming the option)
    def org(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(clocked_command("service.cli", "org", "rename", "--provider", str(tenant.provider.id),
                                              "--la", str(tenant.la.id), "--name", tenant.la.name, *args),
                              capture_output=True, text=True, env=dict(os.environ), timeout=120, check=False)

    bad = await asyncio.to_thread(org, "--billing-email", "nobody")
    assert bad.returncode == 2 and "--billing-email" in bad.stderr, bad.stderr
    done = await asyncio.to_thread(org, "--billing-email", "finance@wakefield.gov.uk", "--sage-account-reference",
                                   "WMDC")
    assert done.returncode == 0, done.stderr
    la = await Organisation.get(id=tenant.la.id)
    assert (la.billing_email, la.sage_account_reference) == ("finance@wakefield.gov.uk", "WMDC")


async def test_the_provider_command_sets_the_supplier_details(tenant: Tenant) -> None:
    def org(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(clocked_command("service.cli", "org", "provider", *args), capture_output=True,
                              text=True, env=dict(os.environ), timeout=120, check=False)

    bad = org("--name", tenant.provider.name, "--vat-number", "GB123456783")
    assert bad.returncode == 2 and "--vat-number" in bad.stderr, bad.stderr
    done = org("--name", tenant.provider.name, "--address-line", "1 Quill Lane", "--postcode", "ls14ap",
               "--vat-number", SUPPLIER_VAT, "--payment-terms-days", "14")
    assert done.returncode == 0, done.stderr
    provider = await Organisation.get(id=tenant.provider.id)
    assert (provider.address_lines, provider.postcode, provider.vat_number, provider.payment_terms_days) == (
        ["1 Quill Lane"], "LS1 4AP", SUPPLIER_VAT, 14)


async def test_finance_adds_a_manual_line_to_an_open_month_audited(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant,
) -> None:
    await _line(tenant, "2026-04", 45_000)
    finance = tenant.auth("finance")
    path = f"/v1/billing/months/2026-04/invoices/{tenant.la.id}/lines"
    with time_machine.travel(datetime(2026, 5, 4, 9, tzinfo=UTC), tick=False):
        for body in ({"description": "x", "amount_pence": 0}, {"description": "x", "amount_pence": 100,
                                                                "vat_rate_bp": 1_700},
                     {"description": " ", "amount_pence": 100}, {"amount_pence": 100}):
            refused = await client.post(path, headers=finance, json=body)
            assert refused.status_code == 422, (body, refused.text)
            assert refused.headers["content-type"].startswith("application/problem+json")
        future = await client.post(f"/v1/billing/months/2026-06/invoices/{tenant.la.id}/lines", headers=finance,
                                   json={"description": "later", "amount_pence": 100})
        assert future.status_code == 422 and "not begun" in future.json()["detail"]
        theirs = await client.post(f"/v1/billing/months/2026-04/invoices/{other_tenant.la.id}/lines",
                                   headers=finance, json={"description": "x", "amount_pence": 100})
        assert theirs.status_code == 404
        la_admin = await client.post(path, headers=tenant.auth("la_admin"), json={"description": "x",
                                                                                  "amount_pence": 100})
        assert la_admin.status_code == 403
        added = await client.post(path, headers=finance, json={
            "description": "Tribunal attendance, 3 hours", "amount_pence": 36_000, "vat_rate_bp": 0})
        assert added.status_code == 201, added.text
        assert (added.json()["net_pence"], added.json()["vat_pence"], added.json()["bundle_id"]) == (36_000, 0, None)
        entry = await AuditEntry.get(action="billing.manual_line_added", object_id=added.json()["line_id"])
        assert entry.data["amount_pence"] == 36_000
        draft = (await client.get(f"/v1/billing/months/2026-04/invoices/{tenant.la.id}", params={"format": "json"},
                                  headers=finance)).json()
        assert [(line["cause"], line["description"], line["net_pence"]) for line in draft["lines"]][-1] == (
            "manual", "Tribunal attendance, 3 hours", 36_000)
        assert (await client.post("/v1/billing/months/2026-04/close", headers=finance)).status_code == 200
        closed = await client.post(path, headers=finance, json={"description": "too late", "amount_pence": 100})
        assert closed.status_code == 409 and "2026-05" in closed.json()["detail"]
    xero = _rows((await client.get("/v1/billing/months/2026-04/summary", params={"format": "xero"},
                                   headers=finance)).content)
    assert [(r["*Description"], r["*TaxType"], r["TaxAmount"]) for r in xero][-1] == (
        "Tribunal attendance, 3 hours", "No VAT", "0.00")
    sage = _rows((await client.get("/v1/billing/months/2026-04/summary", params={"format": "sage"},
                                   headers=finance)).content)
    assert [(r["Type"], r["Details"], r["Net Amount"], r["Tax Code"]) for r in sage][-1] == (
        "SI", "Tribunal attendance, 3 hours", "360.00", "T0")


async def test_an_issued_document_keeps_the_parties_it_was_issued_to(
    client: httpx.AsyncClient, tenant: Tenant,
) -> None:
    await _closed_month(client, tenant)
    finance = tenant.auth("finance")
    path = f"/v1/billing/months/2026-04/invoices/{tenant.la.id}"
    before = {fmt: (await client.get(path, params={"format": fmt}, headers=finance)).content
              for fmt in ("csv", "xero", "sage")}
    moved = await client.patch(f"/v1/organisations/{tenant.la.id}", headers=tenant.auth("admin"), json={
        "address_lines": ["New Civic Centre"], "postcode": "WF1 1AA", "payment_terms_days": 60})
    assert moved.status_code == 200, moved.text
    await Organisation.filter(id=tenant.provider.id).update(vat_number="GB999999973")
    # a closed month's files are byte-identical: the invoice keeps the parties and terms it was issued with
    assert {fmt: (await client.get(path, params={"format": fmt}, headers=finance)).content
            for fmt in ("csv", "xero", "sage")} == before
    [note] = (await client.get("/v1/billing/credit-notes", params={"number": "CN-000001"},
                               headers=finance)).json()["items"]
    assert (note["customer_address_lines"], note["supplier_vat_number"]) == (["County Hall", "Wakefield"],
                                                                             SUPPLIER_VAT)
