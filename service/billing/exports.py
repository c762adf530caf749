"""Billing exports: an LA's invoice, the month's credit notes, the writers' payouts and the month summary, as CSV,
XLSX or JSON. An invoice carries only its own lines (a credit is a credit note of its own, never an invoice line).

Pure and streaming: rows come in as iterables (a generator over a million lines is fine), bytes go out to a
binary file object, and memory stays bounded (XLSX uses xlsxwriter's constant_memory mode, which flushes each
row as it is written). Deterministic: the same input gives byte-identical files; the XLSX workbook's creation
time and properties come from the input, never the clock. Self-checking: every export passes its rows through
the checks in `service.billing.totals`, so it raises `BillingMismatch` after the last row if anything does not
add up (discard the output then). A month that is not closed exports as a draft: status `draft` on every CSV
record and in the JSON, a DRAFT title and sheet name in the XLSX, and DRAFT in the file name.

Money: integer pence inside and in JSON (as in `contracts/billing.py`); pounds with two decimals, formatted from
the integer (never through a float), in CSV; pounds as numbers with a currency format in XLSX. Ids of ledger
lines (`line_id`, `corrects_line_id`) are whole numbers and `vat_rate_percent` a number in percent (20 for 20%)
in every format. The CSV column contract is `contracts/billing-csv.md`.

An XLSX workbook has two sheets: the report (a title, the document's facts, then its table and a totals row,
for people) and a plain table (one header row with the CSV's column names, then one row of typed cells per
line, nothing else: `TABLE_SHEETS`), which `pandas.read_excel(sheet_name=...)` and Power Query read as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from operator import attrgetter
from typing import IO, Any, Literal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from contracts.billing import (
    CreditNoteOut,
    CreditNotesHeader,
    DocumentStatus,
    InvoiceHeader,
    InvoiceLine,
    LaMonthTotals,
    MonthSummary,
    PayoutHeader,
    PayoutLine,
)
from service.billing.totals import (
    verified_credit_notes,
    verified_invoice_lines,
    verified_invoices,
    verified_payout_lines,
)

ExportFormat = Literal["csv", "xlsx", "json"]
Document = Literal["invoice", "payouts", "summary", "credit-notes"]
CellKind = Literal["text", "int", "money", "date", "bool", "rate"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "xlsx", "json")
XLSX_MAX_ROWS = 1_048_576
# the plain table sheet of each document's XLSX; its name never changes (a draft says so in document_status)
TABLE_SHEETS: dict[str, str] = {"Invoice": "Lines", "Payouts": "Lines", "Summary": "Invoices",
                                "Credit notes": "Notes"}
TABLE_STATUS_COLUMN = "document_status"
CSV_CHUNK_ROWS = 2_000


class ExportTooLarge(ValueError):
    """More rows than one XLSX sheet holds (1,048,576); export CSV or JSON instead."""


@dataclass(frozen=True)
class Column:
    """One exported column: its contract name, the kind of cell, and the row attribute it shows."""

    name: str
    kind: CellKind
    attribute: str


INVOICE_LINE_COLUMNS: tuple[Column, ...] = (
    Column("line_id", "int", "line_id"),
    Column("kind", "text", "kind"),
    Column("cause", "text", "cause"),
    Column("po_number", "text", "po_number"),
    Column("bundle_reference", "text", "bundle_reference"),
    Column("work_type", "text", "work_type"),
    Column("pages", "int", "pages"),
    Column("express", "bool", "express"),
    Column("late_working_days", "int", "late_working_days"),
    Column("event_on", "date", "event_on"),
    Column("base_gbp", "money", "base_pence"),
    Column("page_band_gbp", "money", "page_band_pence"),
    Column("express_gbp", "money", "express_pence"),
    Column("sla_credit_gbp", "money", "sla_credit_pence"),
    Column("net_gbp", "money", "net_pence"),
    Column("vat_rate_percent", "rate", "vat_rate_bp"),
    Column("vat_gbp", "money", "vat_pence"),
    Column("gross_gbp", "money", "gross_pence"),
    Column("corrects_line_id", "int", "corrects_line_id"),
    Column("description", "text", "description"),
    Column("quantity", "int", "quantity"),
    Column("unit_price_gbp", "money", "unit_price_pence"),
)
# the parties and terms of a full VAT invoice, on every record after the line columns (added later, so at the end)
INVOICE_PARTY_COLUMNS: tuple[str, ...] = (
    "supplier_name", "supplier_address", "supplier_vat_number", "customer_address", "time_of_supply",
    "payment_terms", "due_on",
)
INVOICE_CSV_COLUMNS: tuple[str, ...] = (
    "record", "document_status", "invoice_number", "document_type", "month", "la_id", "la_name", "issued_on",
    "line_count", *(column.name for column in INVOICE_LINE_COLUMNS), *INVOICE_PARTY_COLUMNS,
)
PAYOUT_LINE_COLUMNS: tuple[Column, ...] = (
    Column("line_id", "int", "line_id"),
    Column("cause", "text", "cause"),
    Column("writer_id", "text", "writer_id"),
    Column("writer_name", "text", "writer_name"),
    Column("bundle_reference", "text", "bundle_reference"),
    Column("work_type", "text", "work_type"),
    Column("pages", "int", "pages"),
    Column("express", "bool", "express"),
    Column("event_on", "date", "event_on"),
    Column("base_gbp", "money", "base_pence"),
    Column("express_bonus_gbp", "money", "express_bonus_pence"),
    Column("net_gbp", "money", "net_pence"),
    Column("corrects_line_id", "int", "corrects_line_id"),
)
PAYOUT_CSV_COLUMNS: tuple[str, ...] = (
    "record", "document_status", "month", "line_count", *(column.name for column in PAYOUT_LINE_COLUMNS),
)
SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("invoice_number", "text", "invoice_number"),
    Column("document_type", "text", "document_type"),
    Column("la_id", "text", "la_id"),
    Column("la_name", "text", "la_name"),
    Column("line_count", "int", "line_count"),
    Column("net_gbp", "money", "net_pence"),
    Column("vat_gbp", "money", "vat_pence"),
    Column("gross_gbp", "money", "gross_pence"),
    Column("credits_gbp", "money", "credits_net_pence"),
)
# what was credited beside what was invoiced, and the balance (added when credits left the invoice, so at the end)
SUMMARY_CREDIT_COLUMNS: tuple[Column, ...] = (
    Column("credit_note_count", "int", "credit_note_count"),
    Column("credits_vat_gbp", "money", "credits_vat_pence"),
    Column("credits_gross_gbp", "money", "credits_gross_pence"),
    Column("balance_net_gbp", "money", "balance_net_pence"),
    Column("balance_vat_gbp", "money", "balance_vat_pence"),
    Column("balance_gross_gbp", "money", "balance_gross_pence"),
)
SUMMARY_CSV_COLUMNS: tuple[str, ...] = (
    "record", "document_status", "month", *(column.name for column in SUMMARY_COLUMNS),
    "invoice_count", "payout_line_count", "payouts_gbp", "margin_gbp",
    *(column.name for column in SUMMARY_CREDIT_COLUMNS),
)
# a credit note: the document, the invoice and line it corrects, then its one line (`CreditNoteRow`)
CREDIT_NOTE_COLUMNS: tuple[Column, ...] = (
    Column("credit_note_number", "text", "credit_note_number"),
    Column("issued_on", "date", "issued_on"),
    Column("la_id", "text", "la_id"),
    Column("la_name", "text", "customer_name"),
    Column("reason", "text", "reason"),
    Column("corrects_invoice_number", "text", "corrects_invoice_number"),
    Column("corrects_month", "text", "corrects_month"),
    Column("corrects_line_id", "int", "corrects_line_id"),
    Column("line_id", "int", "line.line_id"),
    Column("cause", "text", "line.cause"),
    Column("po_number", "text", "line.po_number"),
    Column("bundle_reference", "text", "line.bundle_reference"),
    Column("work_type", "text", "line.work_type"),
    Column("event_on", "date", "line.event_on"),
    Column("description", "text", "line.description"),
    Column("quantity", "int", "line.quantity"),
    Column("unit_price_gbp", "money", "line.unit_price_pence"),
    Column("net_gbp", "money", "net_pence"),
    Column("vat_rate_percent", "rate", "line.vat_rate_bp"),
    Column("vat_gbp", "money", "vat_pence"),
    Column("gross_gbp", "money", "gross_pence"),
)
CREDIT_NOTE_PARTY_COLUMNS: tuple[str, ...] = ("supplier_name", "supplier_address", "supplier_vat_number",
                                              "customer_address")
CREDIT_NOTES_CSV_COLUMNS: tuple[str, ...] = (
    "record", "document_status", "month", "credit_note_count", *(column.name for column in CREDIT_NOTE_COLUMNS),
    *CREDIT_NOTE_PARTY_COLUMNS,
)


def pounds(pence: int) -> str:
    """Integer pence as pounds with two decimals ('-12.05'), by integer arithmetic."""
    whole, part = divmod(abs(pence), 100)
    return f"{'-' if pence < 0 else ''}{whole}.{part:02d}"


def percent(basis_points: int) -> str:
    """Basis points as a percentage with two decimals ('20.00')."""
    whole, part = divmod(basis_points, 100)
    return f"{whole}.{part:02d}"


def export_filename(document: Document, month: str, fmt: ExportFormat, status: DocumentStatus,
                    party: str | None = None) -> str:
    """`planwright-invoice-<party>-2027-01.csv`; a draft ends `-DRAFT` before the extension."""
    parts = ["planwright", document, *([party] if party else []), month, *(["DRAFT"] if status == "draft" else [])]
    return "-".join(parts) + f".{fmt}"


# ---- public entry points -------------------------------------------------------------------------------------


def export_invoice(header: InvoiceHeader, lines: Iterable[InvoiceLine], out: IO[bytes], fmt: ExportFormat) -> None:
    """Write one LA's invoice for a month (header, then lines) to `out`, checking that the lines sum to `header`."""
    checked = verified_invoice_lines(header, lines)
    if fmt == "csv":
        _write_chunks(out, _invoice_csv(header, checked))
    elif fmt == "json":
        _write_chunks(out, _json_document("invoice", header.status, "header", header.model_dump_json(), "lines",
                                          (line.model_dump_json() for line in checked)))
    elif fmt == "xlsx":
        title = (f"Invoice {header.invoice_number} - {header.la_name} - {header.month}" if header.status == "final"
                 else f"DRAFT invoice - {header.la_name} - {header.month} - month not closed, figures may change")
        facts: list[tuple[str, CellKind, object]] = [
            ("Status", "text", header.status.upper()), ("Invoice number", "text", header.invoice_number),
            ("Document type", "text", header.document_type), ("Provider", "text", header.provider_name),
            ("LA", "text", header.la_name), ("LA id", "text", header.la_id), ("Month", "text", header.month),
            ("Issued on", "date", header.issued_on),
            ("Supplier address", "text", postal_address(header.supplier_address_lines, header.supplier_postcode)),
            ("Supplier VAT number", "text", header.supplier_vat_number or ""),
            ("Customer address", "text", postal_address(header.customer_address_lines, header.customer_postcode)),
            ("Time of supply", "date", header.time_of_supply), ("Payment terms", "text", header.payment_terms or ""),
            ("Due on", "date", header.due_on), ("PO numbers", "text", "; ".join(header.po_numbers)),
            ("Lines", "int", header.line_count), ("Net", "money", header.net_pence),
            ("VAT", "money", header.vat_pence), ("Gross", "money", header.gross_pence),
        ]
        _write_xlsx(out, sheet="Invoice", status=header.status, title=title, author=header.provider_name,
                    created=_created(header.month, header.issued_on), facts=facts, columns=INVOICE_LINE_COLUMNS,
                    rows=checked, expected_rows=header.line_count)
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def export_payouts(header: PayoutHeader, lines: Iterable[PayoutLine], out: IO[bytes], fmt: ExportFormat) -> None:
    """Write a month's writer payouts (all writers, or the one the header names), checking the lines sum up."""
    checked = verified_payout_lines(header, lines)
    if fmt == "csv":
        _write_chunks(out, _payout_csv(header, checked))
    elif fmt == "json":
        _write_chunks(out, _json_document("payouts", header.status, "header", header.model_dump_json(), "lines",
                                          (line.model_dump_json() for line in checked)))
    elif fmt == "xlsx":
        who = header.writer_name or "all writers"
        title = (f"Writer payouts - {who} - {header.month}" if header.status == "final"
                 else f"DRAFT writer payouts - {who} - {header.month} - month not closed, figures may change")
        facts: list[tuple[str, CellKind, object]] = [
            ("Status", "text", header.status.upper()), ("Provider", "text", header.provider_name),
            ("Writer", "text", header.writer_name or "all writers"), ("Writer id", "text", header.writer_id),
            ("Month", "text", header.month), ("Lines", "int", header.line_count),
            ("Net", "money", header.net_pence),
        ]
        _write_xlsx(out, sheet="Payouts", status=header.status, title=title, author=header.provider_name,
                    created=_created(header.month, None), facts=facts, columns=PAYOUT_LINE_COLUMNS, rows=checked,
                    expected_rows=header.line_count)
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def export_month_summary(
    summary: MonthSummary, invoices: Iterable[LaMonthTotals], payouts: PayoutHeader, out: IO[bytes],
    fmt: ExportFormat,
) -> None:
    """Write the month summary (one row per LA: invoiced, credited and the balance; then the month's totals,
    payouts and margin), checking that the rows add up to the summary and that invoices net plus credits net minus
    payouts is its margin."""
    checked = verified_invoices(summary, invoices, payouts)
    if fmt == "csv":
        _write_chunks(out, _summary_csv(summary, checked))
    elif fmt == "json":
        _write_chunks(out, _json_document("summary", summary.status, "summary", summary.model_dump_json(),
                                          "invoices", (header.model_dump_json() for header in checked)))
    elif fmt == "xlsx":
        title = (f"Month summary - {summary.month}" if summary.status == "final"
                 else f"DRAFT month summary - {summary.month} - month not closed, figures may change")
        facts: list[tuple[str, CellKind, object]] = [
            ("Status", "text", summary.status.upper()), ("Provider", "text", summary.provider_name),
            ("Month", "text", summary.month), ("Invoices", "int", summary.invoice_count),
            ("Invoice lines", "int", summary.invoice_line_count),
            ("Invoices net", "money", summary.invoices_net_pence),
            ("Invoices VAT", "money", summary.invoices_vat_pence),
            ("Invoices gross", "money", summary.invoices_gross_pence),
            ("Credit notes", "int", summary.credit_note_count),
            ("Credits net", "money", summary.credits_net_pence), ("Credits VAT", "money", summary.credits_vat_pence),
            ("Credits gross", "money", summary.credits_gross_pence),
            ("Balance net (invoices + credits)", "money", summary.balance_net_pence),
            ("Payout lines", "int", summary.payout_line_count), ("Payouts", "money", summary.payouts_pence),
            ("Margin (invoices + credits net - payouts)", "money", summary.margin_pence),
        ]
        _write_xlsx(out, sheet="Summary", status=summary.status, title=title, author=summary.provider_name,
                    created=_created(summary.month, None), facts=facts,
                    columns=(*SUMMARY_COLUMNS, *SUMMARY_CREDIT_COLUMNS), rows=checked,
                    expected_rows=summary.invoice_count,
                    margin=(summary.payouts_pence, summary.margin_pence))
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def export_credit_notes(header: CreditNotesHeader, notes: Iterable[CreditNoteOut], out: IO[bytes],
                        fmt: ExportFormat) -> None:
    """Write a month's credit notes (of one LA, or all) as a document of their own, never inside an invoice:
    the header's totals, then one record per credit note, checking that the notes sum to `header`."""
    checked = verified_credit_notes(header, notes)
    if fmt == "csv":
        _write_chunks(out, _credit_notes_csv(header, checked))
    elif fmt == "json":
        _write_chunks(out, _json_document("credit-notes", header.status, "header", header.model_dump_json(),
                                          "credit_notes", (note.model_dump_json() for note in checked)))
    elif fmt == "xlsx":
        whose = header.la_name or "all LAs"
        title = (f"Credit notes - {whose} - {header.month}" if header.status == "final"
                 else f"DRAFT credit notes - {whose} - {header.month} - month not closed, more may be issued")
        facts: list[tuple[str, CellKind, object]] = [
            ("Status", "text", header.status.upper()), ("Provider", "text", header.provider_name),
            ("LA", "text", whose), ("LA id", "text", header.la_id), ("Month", "text", header.month),
            ("Credit notes", "int", header.credit_note_count), ("Net", "money", header.net_pence),
            ("VAT", "money", header.vat_pence), ("Gross", "money", header.gross_pence),
        ]
        _write_xlsx(out, sheet="Credit notes", status=header.status, title=title, author=header.provider_name,
                    created=_created(header.month, None), facts=facts, columns=CREDIT_NOTE_COLUMNS, rows=checked,
                    expected_rows=header.credit_note_count)
    else:
        raise ValueError(f"unknown export format {fmt!r}")


# ---- CSV -----------------------------------------------------------------------------------------------------


def _csv_bool(value: object) -> str:
    return "true" if value else "false"


def _csv_date(value: object) -> str:
    return value.isoformat()  # type: ignore[attr-defined,no-any-return]


# how each kind of cell is written in CSV; text and whole numbers go as they are (csv writes None as "")
_CSV_CONVERT: dict[CellKind, Callable[[Any], object] | None] = {
    "text": None, "int": None, "money": pounds, "rate": percent, "bool": _csv_bool, "date": _csv_date,
}


def _csv_row_maker(columns: Sequence[Column]) -> Callable[[object], list[object]]:
    """A function from a row to its CSV cells, built once per export (this is the inner loop of a large month)."""
    fetch = attrgetter(*(column.attribute for column in columns))
    converters = [_CSV_CONVERT[column.kind] for column in columns]

    def make(row: object) -> list[object]:
        return [value if convert is None or value is None else convert(value)
                for value, convert in zip(fetch(row), converters, strict=True)]

    return make


def csv_chunks(rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180 line ends
    pending = 0
    for row in rows:
        writer.writerow(row)
        pending += 1
        if pending >= CSV_CHUNK_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def _invoice_csv(header: InvoiceHeader, lines: Iterable[InvoiceLine]) -> Iterator[bytes]:
    def rows() -> Iterator[Sequence[object]]:
        yield INVOICE_CSV_COLUMNS
        common = [header.status, header.invoice_number or "", header.document_type, header.month, header.la_id,
                  header.la_name, header.issued_on.isoformat() if header.issued_on else ""]
        totals = {"po_number": "; ".join(header.po_numbers), "net_gbp": pounds(header.net_pence),
                  "vat_gbp": pounds(header.vat_pence), "gross_gbp": pounds(header.gross_pence)}
        parties = _invoice_parties(header)
        yield ["invoice", *common, header.line_count, *(totals.get(c.name, "") for c in INVOICE_LINE_COLUMNS),
               *parties]
        cells = _csv_row_maker(INVOICE_LINE_COLUMNS)
        for line in lines:
            yield ["line", *common, "", *cells(line), *parties]

    return csv_chunks(rows())


def postal_address(lines: Sequence[str], postcode: str | None) -> str:
    """An address on one line: its lines and postcode joined by `, ` (empty when none is kept)."""
    return ", ".join([*lines, *([postcode] if postcode else [])])


def _invoice_parties(header: InvoiceHeader) -> list[str]:
    """The `INVOICE_PARTY_COLUMNS` cells of an invoice."""
    return [header.provider_name, postal_address(header.supplier_address_lines, header.supplier_postcode),
            header.supplier_vat_number or "",
            postal_address(header.customer_address_lines, header.customer_postcode),
            header.time_of_supply.isoformat() if header.time_of_supply else "", header.payment_terms or "",
            header.due_on.isoformat() if header.due_on else ""]


def _payout_csv(header: PayoutHeader, lines: Iterable[PayoutLine]) -> Iterator[bytes]:
    def rows() -> Iterator[Sequence[object]]:
        yield PAYOUT_CSV_COLUMNS
        totals = {"writer_id": header.writer_id or "", "writer_name": header.writer_name or "",
                  "net_gbp": pounds(header.net_pence)}
        yield ["payouts", header.status, header.month, header.line_count,
               *(totals.get(c.name, "") for c in PAYOUT_LINE_COLUMNS)]
        cells = _csv_row_maker(PAYOUT_LINE_COLUMNS)
        for line in lines:
            yield ["line", header.status, header.month, "", *cells(line)]

    return csv_chunks(rows())


def _summary_csv(summary: MonthSummary, invoices: Iterable[LaMonthTotals]) -> Iterator[bytes]:
    def rows() -> Iterator[Sequence[object]]:
        yield SUMMARY_CSV_COLUMNS
        cells = _csv_row_maker(SUMMARY_COLUMNS)
        credit_cells = _csv_row_maker(SUMMARY_CREDIT_COLUMNS)
        for row in invoices:
            yield ["invoice", summary.status, summary.month, *cells(row), "", "", "", "", *credit_cells(row)]
        yield ["month", summary.status, summary.month, "", "", "", "", summary.invoice_line_count,
               pounds(summary.invoices_net_pence), pounds(summary.invoices_vat_pence),
               pounds(summary.invoices_gross_pence), pounds(summary.credits_net_pence), summary.invoice_count,
               summary.payout_line_count, pounds(summary.payouts_pence), pounds(summary.margin_pence),
               summary.credit_note_count, pounds(summary.credits_vat_pence), pounds(summary.credits_gross_pence),
               pounds(summary.balance_net_pence), pounds(summary.balance_vat_pence),
               pounds(summary.balance_gross_pence)]

    return csv_chunks(rows())


def _credit_notes_csv(header: CreditNotesHeader, notes: Iterable[CreditNoteOut]) -> Iterator[bytes]:
    def rows() -> Iterator[Sequence[object]]:
        yield CREDIT_NOTES_CSV_COLUMNS
        totals = {"la_id": header.la_id or "", "la_name": header.la_name or "", "net_gbp": pounds(header.net_pence),
                  "vat_gbp": pounds(header.vat_pence), "gross_gbp": pounds(header.gross_pence)}
        yield ["credit_notes", header.status, header.month, header.credit_note_count,
               *(totals.get(c.name, "") for c in CREDIT_NOTE_COLUMNS), *("" for _ in CREDIT_NOTE_PARTY_COLUMNS)]
        cells = _csv_row_maker(CREDIT_NOTE_COLUMNS)
        for note in notes:
            yield ["credit_note", header.status, header.month, "", *cells(note), note.supplier_name,
                   postal_address(note.supplier_address_lines, note.supplier_postcode), note.supplier_vat_number or "",
                   postal_address(note.customer_address_lines, note.customer_postcode)]

    return csv_chunks(rows())


# ---- JSON ----------------------------------------------------------------------------------------------------


def _json_document(document: Document, status: DocumentStatus, head_key: str, head_json: str, items_key: str,
                   items: Iterable[str]) -> Iterator[bytes]:
    """`{"document":..,"status":..,"<head>":{..},"<items>":[\\n{..},\\n{..}\\n]}`, one item per line, streamed."""
    yield (f'{{"document":"{document}","status":"{status}","{head_key}":{head_json},'
           f'"{items_key}":[').encode()
    pieces: list[str] = []
    first = True
    for item in items:
        pieces.append(("\n" if first else ",\n") + item)
        first = False
        if len(pieces) >= CSV_CHUNK_ROWS:
            yield "".join(pieces).encode("utf-8")
            pieces.clear()
    pieces.append("\n]}\n")
    yield "".join(pieces).encode("utf-8")


def _write_chunks(out: IO[bytes], chunks: Iterable[bytes]) -> None:
    for chunk in chunks:
        out.write(chunk)


# ---- XLSX ----------------------------------------------------------------------------------------------------


def _created(month: str, issued_on: date | None) -> datetime:
    # a fixed, input-derived creation time is what makes the workbook's bytes repeat
    day = issued_on or date(int(month[:4]), int(month[5:7]), 1)
    return datetime.combine(day, time(0, 0))


def _xlsx_money(pence: int) -> Decimal:
    # the cell's text is written from this Decimal exactly ('123.45'), so no binary fraction is ever computed
    return Decimal(pence).scaleb(-2)


def _write_xlsx(
    out: IO[bytes], *, sheet: str, status: DocumentStatus, title: str, author: str, created: datetime,
    facts: Sequence[tuple[str, CellKind, object]], columns: Sequence[Column], rows: Iterable[object],
    expected_rows: int, margin: tuple[int, int] | None = None,
) -> None:
    table_top = len(facts) + 3  # title, blank, facts, blank, then the column headings
    if table_top + 1 + expected_rows + 3 > XLSX_MAX_ROWS:
        raise ExportTooLarge(f"{expected_rows} rows do not fit one XLSX sheet; export CSV or JSON instead")
    workbook = xlsxwriter.Workbook(out, {
        "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
        "strings_to_urls": False,
    })
    workbook.set_properties({
        "title": title, "subject": f"Planwright {sheet.lower()} ({status})", "author": author, "company": author,
        "keywords": status.upper(), "comments": "DRAFT: the month is not closed" if status == "draft" else "final",
        "created": created,
    })
    formats = {
        "bold": workbook.add_format({"bold": True}),
        "title": workbook.add_format({"bold": True, "font_size": 14,
                                      **({"font_color": "#C00000"} if status == "draft" else {})}),
        "money": workbook.add_format({"num_format": "£#,##0.00;-£#,##0.00"}),
        "money_total": workbook.add_format({"num_format": "£#,##0.00;-£#,##0.00", "bold": True, "top": 1}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "rate": workbook.add_format({"num_format": "0.00"}),
    }
    ws = workbook.add_worksheet(f"DRAFT {sheet}" if status == "draft" else sheet)
    table = workbook.add_worksheet(TABLE_SHEETS[sheet])
    for index, column in enumerate(columns):
        width = 14 if column.kind in ("money", "date") else max(10, len(column.name) + 2)
        ws.set_column(index, index, width)
        table.set_column(index + 1, index + 1, width)
    table.set_column(0, 0, len(TABLE_STATUS_COLUMN) + 2)
    table.write_string(0, 0, TABLE_STATUS_COLUMN)
    for index, column in enumerate(columns, start=1):
        table.write_string(0, index, column.name)
    table.freeze_panes(1, 0)
    ws.write_string(0, 0, title, formats["title"])
    for offset, (label, kind, value) in enumerate(facts, start=2):
        ws.write_string(offset, 0, label, formats["bold"])
        _write_cell(ws, offset, 1, kind, value, formats)
    for index, column in enumerate(columns):
        ws.write_string(table_top, index, column.name, formats["bold"])
    sums = {index: 0 for index, column in enumerate(columns) if column.kind == "money"}
    money_columns = tuple(sums)
    fetch = attrgetter(*(column.attribute for column in columns))
    writers = [_cell_writer(ws, column.kind, formats) for column in columns]
    table_writers = [_cell_writer(table, column.kind, formats) for column in columns]
    row_number = table_top
    for row in rows:
        row_number += 1
        table_row = row_number - table_top
        values = fetch(row)
        table.write_string(table_row, 0, status)
        for index, write in enumerate(writers):
            value = values[index]
            if value is not None:
                write(row_number, index, value)
                table_writers[index](table_row, index + 1, value)
        for index in money_columns:
            sums[index] += values[index]
    totals_row = row_number + 1
    ws.write_string(totals_row, 0, "Total", formats["bold"])
    for index, total in sums.items():
        first, last = xl_rowcol_to_cell(table_top + 1, index), xl_rowcol_to_cell(row_number, index)
        # no lines: a SUM over the empty range would point at the totals row itself
        formula = f"=SUM({first}:{last})" if row_number > table_top else "=0"
        ws.write_formula(totals_row, index, formula, formats["money_total"], _xlsx_money(total))
    if margin is not None:
        # the month summary ends with the payouts and the margin, the margin a formula over the cells above it
        payouts_pence, margin_pence = margin
        net_index = next(index for index, column in enumerate(columns) if column.name == "balance_net_gbp")
        ws.write_string(totals_row + 1, 0, "Payouts", formats["bold"])
        ws.write_number(totals_row + 1, net_index, _xlsx_money(payouts_pence), formats["money_total"])
        ws.write_string(totals_row + 2, 0, "Margin (balance net - payouts)", formats["bold"])
        net_cell, payouts_cell = xl_rowcol_to_cell(totals_row, net_index), xl_rowcol_to_cell(totals_row + 1, net_index)
        ws.write_formula(totals_row + 2, net_index, f"={net_cell}-{payouts_cell}", formats["money_total"],
                         _xlsx_money(margin_pence))
    workbook.close()


def _cell_writer(ws: Worksheet, kind: CellKind, formats: dict[str, Format]) -> Callable[[int, int, Any], object]:
    """How a cell of this kind is written: numbers as numbers, dates as dates, each with its format."""
    if kind == "money":
        money = formats["money"]
        return lambda row, col, pence: ws.write_number(row, col, _xlsx_money(pence), money)
    if kind == "int":
        return lambda row, col, value: ws.write_number(row, col, value)
    if kind == "rate":
        rate = formats["rate"]
        return lambda row, col, bp: ws.write_number(row, col, Decimal(bp).scaleb(-2), rate)  # percent, as in CSV
    if kind == "date":
        day = formats["date"]
        return lambda row, col, value: ws.write_datetime(row, col, value, day)
    if kind == "bool":
        return lambda row, col, value: ws.write_boolean(row, col, bool(value))
    return lambda row, col, value: ws.write_string(row, col, str(value))


def _write_cell(ws: Worksheet, row: int, col: int, kind: CellKind, value: object, formats: dict[str, Format]) -> None:
    if value is not None:
        _cell_writer(ws, kind, formats)(row, col, value)
