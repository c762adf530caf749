"""Exports: CSV, XLSX and JSON read back with the same figures, repeat byte for byte, mark drafts, refuse
figures that do not add up, and stream a large month in bounded memory."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from contracts.billing import (
    CreditNoteOut,
    InvoiceHeader,
    InvoiceLine,
    LaMonthTotals,
    MonthSummary,
    PayoutHeader,
    PayoutLine,
)
from service.billing.exports import (
    CREDIT_NOTE_COLUMNS,
    CREDIT_NOTES_CSV_COLUMNS,
    FORMATS,
    INVOICE_CSV_COLUMNS,
    PAYOUT_CSV_COLUMNS,
    SUMMARY_CSV_COLUMNS,
    ExportFormat,
    ExportTooLarge,
    export_credit_notes,
    export_filename,
    export_invoice,
    export_month_summary,
    export_payouts,
)
from service.billing.lines import credit_line
from service.billing.totals import (
    BillingMismatch,
    credit_notes_header,
    invoice_header,
    la_month,
    month_summary,
    payout_header,
)
from tests.billing.month import (
    LA_ID,
    LA_NAME,
    MONTH,
    PROVIDER,
    contract_card,
    credit_note,
    generated_lines,
    january_lines,
)


def january(status: str = "final") -> tuple[InvoiceHeader, list[InvoiceLine], PayoutHeader, list[PayoutLine],
                                             MonthSummary]:
    lines, payouts = january_lines(contract_card())
    final = status == "final"
    header = invoice_header(lines, status=status, month=MONTH, provider_name=PROVIDER, la_id=LA_ID,  # type: ignore[arg-type]
                            la_name=LA_NAME, invoice_number="NP-000001" if final else None,
                            issued_on=date(2027, 2, 1) if final else None)
    paid = payout_header(payouts, status=status, month=MONTH, provider_name=PROVIDER)  # type: ignore[arg-type]
    summary = month_summary(las(header), paid, status=status, month=MONTH, provider_name=PROVIDER)  # type: ignore[arg-type]
    return header, lines, paid, payouts, summary


def las(header: InvoiceHeader) -> list[LaMonthTotals]:
    """The month per LA: January's invoice beside one credit note (a correction of its first line), so credits
    travel through the summary in every format, apart from the invoice."""
    lines, _ = january_lines(contract_card())
    note = credit_note(lines[0], line_id=1001, number="CN-000001", issued_on=date(2027, 1, 29))
    return [la_month(header, [note], status=header.status, month=MONTH, la_id=LA_ID, la_name=LA_NAME)]


def export(fn: Callable[[io.BytesIO], None]) -> bytes:
    out = io.BytesIO()
    fn(out)
    return out.getvalue()


def test_invoice_csv_reads_back_with_the_header_first_and_lines_summing_to_it() -> None:
    header, lines, *_ = january()
    data = export(lambda out: export_invoice(header, lines, out, "csv"))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert tuple(rows[0].keys()) == INVOICE_CSV_COLUMNS
    assert [row["record"] for row in rows] == ["invoice"] + ["line"] * len(lines)
    head, body = rows[0], rows[1:]
    assert (head["invoice_number"], head["document_status"], head["line_count"]) == ("NP-000001", "final", "5")
    assert head["net_gbp"] == "1570.00" and head["vat_gbp"] == "314.00" and head["gross_gbp"] == "1884.00"
    for column in ("net_gbp", "vat_gbp", "gross_gbp"):
        assert sum(Decimal(row[column]) for row in body) == Decimal(head[column])
    assert [row["bundle_reference"] for row in body] == [line.bundle_reference for line in lines]
    assert body[2]["sla_credit_gbp"] == "-125.00" and body[1]["page_band_gbp"] == "45.00"
    assert {row["kind"] for row in body} == {"invoice"}  # a credit is a credit note of its own
    assert body[0]["vat_rate_percent"] == "20.00"
    assert body[0]["event_on"] == "2027-01-08" and body[0]["express"] == "true"


def test_invoice_xlsx_has_typed_cells_and_a_totals_row_with_formulas_and_cached_values() -> None:
    header, lines, *_ = january()
    data = export(lambda out: export_invoice(header, lines, out, "xlsx"))
    formulas = openpyxl.load_workbook(io.BytesIO(data)).active
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True).active
    assert formulas is not None and values is not None
    rows = list(values.iter_rows(values_only=True))
    heading = next(i for i, row in enumerate(rows) if row[0] == "line_id")
    names = list(rows[heading])
    body = rows[heading + 1: heading + 1 + len(lines)]
    total = rows[heading + 1 + len(lines)]
    assert total[0] == "Total"
    at = {name: index for index, name in enumerate(names)}
    first = body[0]
    assert isinstance(first[at["pages"]], int) and first[at["pages"]] == 40
    assert isinstance(first[at["event_on"]], datetime) and first[at["event_on"]].date() == date(2027, 1, 8)
    assert first[at["express"]] is True
    assert isinstance(first[at["net_gbp"]], float) and first[at["net_gbp"]] == 375.0
    assert formulas.cell(row=heading + 2, column=at["net_gbp"] + 1).number_format.startswith("£")
    for name, pence in (("net_gbp", header.net_pence), ("vat_gbp", header.vat_pence),
                        ("gross_gbp", header.gross_pence)):
        column = at[name]
        assert sum(Decimal(str(row[column])) for row in body) * 100 == pence
        assert Decimal(str(total[column])) * 100 == pence  # the cached value
        formula = formulas.cell(row=heading + 2 + len(lines), column=column + 1).value
        assert isinstance(formula, str) and formula.startswith("=SUM(")
    facts = {row[0]: row[1] for row in rows[2:heading] if row[0]}
    assert facts["Invoice number"] == "NP-000001" and facts["Status"] == "FINAL"
    assert isinstance(facts["Issued on"], datetime) and facts["Lines"] == 5
    assert Decimal(str(facts["Gross"])) * 100 == header.gross_pence


def test_a_bundle_reference_that_looks_like_a_formula_stays_text_in_xlsx() -> None:
    header, lines, *_ = january()
    tricky = [line.model_copy(update={"bundle_reference": "=HYPERLINK(\"x\")"}) for line in lines]
    data = export(lambda out: export_invoice(header, tricky, out, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=HYPERLINK(\"x\")"]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_invoice_json_parses_into_the_contract_models() -> None:
    header, lines, *_ = january()
    document = json.loads(export(lambda out: export_invoice(header, lines, out, "json")))
    assert document["document"] == "invoice" and document["status"] == "final"
    assert InvoiceHeader.model_validate(document["header"]) == header
    assert [InvoiceLine.model_validate(item) for item in document["lines"]] == lines


def test_payouts_export_in_every_format_adds_up() -> None:
    _, _, paid, payouts, _ = january()
    rows = list(csv.DictReader(io.StringIO(export(lambda out: export_payouts(paid, payouts, out, "csv")).decode())))
    assert rows[0]["record"] == "payouts" and rows[0]["net_gbp"] == "1050.00"
    assert sum(Decimal(row["net_gbp"]) for row in rows[1:]) == Decimal("1050.00")
    document = json.loads(export(lambda out: export_payouts(paid, payouts, out, "json")))
    assert [PayoutLine.model_validate(item) for item in document["lines"]] == payouts
    sheet = openpyxl.load_workbook(io.BytesIO(export(lambda out: export_payouts(paid, payouts, out, "xlsx"))),
                                   data_only=True).active
    assert sheet is not None
    total = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Total")
    assert Decimal(str(max(v for v in total[1:] if isinstance(v, float)))) == Decimal("1050")


def test_month_summary_export_shows_invoices_payouts_and_margin() -> None:
    header, _, paid, _, summary = january()
    rows = list(csv.DictReader(io.StringIO(
        export(lambda out: export_month_summary(summary, las(header), paid, out, "csv")).decode())))
    assert [row["record"] for row in rows] == ["invoice", "month"]
    month = rows[-1]
    # invoiced, credited and the balance apart: the margin is on the balance
    assert (month["net_gbp"], month["credits_gbp"], month["balance_net_gbp"]) == ("1570.00", "-375.00", "1195.00")
    assert (month["payouts_gbp"], month["margin_gbp"]) == ("1050.00", "145.00")
    assert (month["credit_note_count"], month["credits_gross_gbp"], month["balance_gross_gbp"]) == (
        "1", "-450.00", "1434.00")
    la = rows[0]
    assert (la["net_gbp"], la["credits_gbp"], la["credits_vat_gbp"], la["balance_gross_gbp"]) == (
        "1570.00", "-375.00", "-75.00", "1434.00")
    document = json.loads(export(lambda out: export_month_summary(summary, las(header), paid, out, "json")))
    assert MonthSummary.model_validate(document["summary"]) == summary
    data = export(lambda out: export_month_summary(summary, las(header), paid, out, "xlsx"))
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True).active
    formulas = openpyxl.load_workbook(io.BytesIO(data)).active
    assert values is not None and formulas is not None
    margin = next(row for row in values.iter_rows() if row[0].value == "Margin (balance net - payouts)")
    cached = next(cell for cell in margin[1:] if cell.value is not None)
    assert Decimal(str(cached.value)) == Decimal("145")
    assert str(formulas.cell(row=cached.row, column=cached.column).value).startswith("=")


@pytest.mark.parametrize("fmt", FORMATS)
def test_exporting_the_same_month_twice_gives_identical_bytes(fmt: ExportFormat) -> None:
    header, lines, paid, payouts, summary = january()
    first = [export(lambda out: export_invoice(header, lines, out, fmt)),
             export(lambda out: export_payouts(paid, payouts, out, fmt)),
             export(lambda out: export_month_summary(summary, las(header), paid, out, fmt))]
    if fmt == "xlsx":
        time.sleep(1.1)  # the workbook's own clock would move on by a second; ours is fixed by the input
    second = [export(lambda out: export_invoice(header, iter(lines), out, fmt)),
              export(lambda out: export_payouts(paid, iter(payouts), out, fmt)),
              export(lambda out: export_month_summary(summary, iter(las(header)), paid, out, fmt))]
    assert first == second


def test_a_month_not_closed_exports_as_a_clearly_marked_draft() -> None:
    header, lines, paid, _, summary = january(status="draft")
    assert header.invoice_number is None
    rows = list(csv.DictReader(io.StringIO(export(lambda out: export_invoice(header, lines, out, "csv")).decode())))
    assert {row["document_status"] for row in rows} == {"draft"}
    assert json.loads(export(lambda out: export_invoice(header, lines, out, "json")))["status"] == "draft"
    book = openpyxl.load_workbook(io.BytesIO(export(lambda out: export_invoice(header, lines, out, "xlsx"))))
    assert book.sheetnames == ["DRAFT Invoice", "Lines"]  # the table's name is the same draft or final
    assert {row[0] for row in book["Lines"].iter_rows(min_row=2, values_only=True)} == {"draft"}
    assert book.properties.title is not None and book.properties.title.startswith("DRAFT")
    assert book.active is not None and str(book.active["A1"].value).startswith("DRAFT")
    summary_book = openpyxl.load_workbook(io.BytesIO(
        export(lambda out: export_month_summary(summary, las(header), paid, out, "xlsx"))))
    assert summary_book.sheetnames == ["DRAFT Summary", "Invoices"]
    assert export_filename("invoice", MONTH, "csv", "draft", LA_ID) == "planwright-invoice-la-durham-2027-01-DRAFT.csv"
    assert export_filename("summary", MONTH, "xlsx", "final") == "planwright-summary-2027-01.xlsx"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_tampered_line_is_caught_by_the_self_check(fmt: ExportFormat) -> None:
    header, lines, *_ = january()
    # a consistent-looking line whose amounts were raised by a pound: only the header total betrays it
    raised = lines[1].model_copy(update={"base_pence": lines[1].base_pence + 100,
                                         "net_pence": lines[1].net_pence + 100,
                                         "gross_pence": lines[1].gross_pence + 100})
    with pytest.raises(BillingMismatch, match="invoice net_pence") as caught:
        export_invoice(header, [lines[0], raised, *lines[2:]], io.BytesIO(), fmt)
    assert (caught.value.expected, caught.value.actual) == (header.net_pence, header.net_pence + 100)
    # a line whose own arithmetic is off
    broken = lines[1].model_copy(update={"gross_pence": lines[1].gross_pence + 1})
    with pytest.raises(BillingMismatch, match="gross_pence"):
        export_invoice(header, [lines[0], broken, *lines[2:]], io.BytesIO(), fmt)
    # a line dropped on the way
    with pytest.raises(BillingMismatch, match="line_count"):
        export_invoice(header, lines[:-1], io.BytesIO(), fmt)


def test_a_summary_whose_margin_does_not_match_is_caught() -> None:
    header, _, paid, payouts, summary = january()
    wrong_margin = MonthSummary.model_construct(**{**summary.model_dump(), "margin_pence": summary.margin_pence + 1})
    with pytest.raises(BillingMismatch, match="margin"):
        export_month_summary(wrong_margin, las(header), paid, io.BytesIO(), "csv")
    fewer_payouts = paid.model_copy(update={"net_pence": paid.net_pence - 5_000})
    with pytest.raises(BillingMismatch, match="payouts_pence"):
        export_month_summary(summary, las(header), fewer_payouts, io.BytesIO(), "json")
    tampered_payout = payouts[0].model_copy(update={"base_pence": 1, "net_pence": 4_001})
    with pytest.raises(BillingMismatch, match="payout net_pence"):
        export_payouts(paid, [tampered_payout, *payouts[1:]], io.BytesIO(), "csv")


def test_an_empty_month_exports_zero_totals() -> None:
    header = invoice_header([], status="draft", month=MONTH, provider_name=PROVIDER, la_id=LA_ID, la_name=LA_NAME)
    for fmt in FORMATS:
        assert export(lambda out, fmt=fmt: export_invoice(header, [], out, fmt))  # type: ignore[misc]
    sheet = openpyxl.load_workbook(io.BytesIO(export(lambda out: export_invoice(header, [], out, "xlsx"))),
                                   data_only=True).active
    assert sheet is not None
    total = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Total")
    assert [v for v in total[1:] if v is not None] and all(v == 0 for v in total[1:] if v is not None)


def peak_bytes(fmt: ExportFormat, count: int) -> int:
    """Peak memory the export itself allocates (the lines are built before tracing starts)."""
    lines = list(generated_lines(count))
    header = invoice_header(lines, status="draft", month=MONTH, provider_name=PROVIDER, la_id=LA_ID,
                            la_name=LA_NAME)
    tracemalloc.start()
    try:
        export_invoice(header, iter(lines), _Discard(), fmt)  # type: ignore[arg-type]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        return len(data)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_exports_stream_lines_without_holding_them(fmt: ExportFormat) -> None:
    small, large = peak_bytes(fmt, 2_000), peak_bytes(fmt, 12_000)
    # six times the lines, about the same memory: nothing grows with the month
    assert large < small * 2 + 512 * 1024, (small, large)


def documented_columns(section: str) -> tuple[str, ...]:
    text = (Path(__file__).parents[2] / "contracts" / "billing-csv.md").read_text(encoding="utf-8")
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return tuple(re.findall(r"^\| \d+ \| `(\w+)` \|", body, flags=re.MULTILINE))


def test_csv_columns_are_the_documented_contract() -> None:
    assert documented_columns("Invoice") == INVOICE_CSV_COLUMNS
    assert documented_columns("Payouts") == PAYOUT_CSV_COLUMNS
    assert documented_columns("Month summary") == SUMMARY_CSV_COLUMNS
    assert documented_columns("Credit notes") == CREDIT_NOTES_CSV_COLUMNS


@pytest.mark.parametrize("status", ["final", "draft"])
def test_credit_notes_are_a_document_of_their_own_in_every_format(status: str) -> None:
    lines, _ = january_lines(contract_card())
    notes = [credit_note(lines[0], line_id=1001, number="CN-000001", issued_on=date(2027, 1, 29)),
             credit_note(lines[2], line_id=1002, number="CN-000002", issued_on=date(2027, 1, 30), reason="late")]
    header = credit_notes_header(notes, status=status, month=MONTH, provider_name=PROVIDER)  # type: ignore[arg-type]
    text = export(lambda out: export_credit_notes(header, notes, out, "csv")).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CREDIT_NOTES_CSV_COLUMNS
    assert [row["record"] for row in rows] == ["credit_notes", "credit_note", "credit_note"]
    assert {row["document_status"] for row in rows} == {status}
    assert (rows[0]["credit_note_count"], rows[0]["net_gbp"], rows[0]["gross_gbp"]) == ("2", "-750.00", "-900.00")
    first = rows[1]
    assert (first["credit_note_number"], first["corrects_line_id"], first["line_id"], first["net_gbp"]) == (
        "CN-000001", str(lines[0].line_id), "1001", "-375.00")
    assert (first["supplier_vat_number"], first["customer_address"]) == ("GB123456782", "County Hall, DH1 5UL")
    for column in ("net_gbp", "vat_gbp", "gross_gbp"):
        assert sum(Decimal(row[column]) for row in rows[1:]) == Decimal(rows[0][column])
    document = json.loads(export(lambda out: export_credit_notes(header, notes, out, "json")))
    assert (document["document"], document["status"]) == ("credit-notes", status)
    assert [CreditNoteOut.model_validate(item) for item in document["credit_notes"]] == notes
    book = openpyxl.load_workbook(io.BytesIO(export(lambda out: export_credit_notes(header, notes, out, "xlsx"))))
    assert book.sheetnames == ["Credit notes" if status == "final" else "DRAFT Credit notes", "Notes"]
    table = list(book["Notes"].iter_rows(values_only=True))
    assert table[0] == ("document_status", *(column.name for column in CREDIT_NOTE_COLUMNS))
    assert [row[1] for row in table[1:]] == ["CN-000001", "CN-000002"]
    # a note dropped on the way, or one of another month, is caught
    with pytest.raises(BillingMismatch, match="credit_note_count"):
        export_credit_notes(header, notes[:1], io.BytesIO(), "csv")
    elsewhere = notes[1].model_copy(update={"month": "2027-02"})
    with pytest.raises(BillingMismatch, match="another month"):
        export_credit_notes(header, [notes[0], elsewhere], io.BytesIO(), "json")


def test_an_invoice_never_carries_a_credit_line() -> None:
    _, lines, *_ = january()
    credit = credit_line(lines[0], line_id=1001, month=MONTH, event_on=date(2027, 1, 29))
    with_credit = invoice_header([*lines, credit], status="draft", month=MONTH, provider_name=PROVIDER, la_id=LA_ID,
                                 la_name=LA_NAME)
    with pytest.raises(BillingMismatch, match="credit note of its own"):
        export_invoice(with_credit, [*lines, credit], io.BytesIO(), "csv")


def test_json_amounts_are_whole_pence() -> None:
    header, lines, *_ = january()
    floats: list[str] = []
    document = json.loads(export(lambda out: export_invoice(header, lines, out, "json")),
                          parse_float=lambda text: floats.append(text) or Decimal(text))
    amounts = [value for line in document["lines"] for key, value in line.items() if key.endswith("_pence")]
    assert amounts and all(type(value) is int for value in amounts)
    # the one number with a fraction is the rate in percent, beside its basis points
    assert len(floats) == len(lines) and all(line["vat_rate_percent"] * 100 == line["vat_rate_bp"]
                                             for line in document["lines"])


def test_an_invoice_too_long_for_one_sheet_is_refused_before_writing() -> None:
    header, *_ = january()
    huge = header.model_copy(update={"line_count": 1_048_576})
    out = io.BytesIO()
    with pytest.raises(ExportTooLarge, match="CSV or JSON"):
        export_invoice(huge, [], out, "xlsx")
    assert out.getvalue() == b""
