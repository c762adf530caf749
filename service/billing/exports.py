"""Billing exports: an LA's invoice, the writers' payouts and the month summary, as CSV, XLSX or JSON.

Pure and streaming: rows come in as iterables (a generator over a million lines is fine), bytes go out to a
binary file object, and memory stays bounded (XLSX uses xlsxwriter's constant_memory mode, which flushes each
row as it is written). Deterministic: the same input gives byte-identical files; the XLSX workbook's creation
time and properties come from the input, never the clock. Self-checking: every export passes its rows through
the checks in `service.billing.totals`, so it raises `BillingMismatch` after the last row if anything does not
add up (discard the output then). A month that is not closed exports as a draft: status `draft` on every CSV
record and in the JSON, a DRAFT title and sheet name in the XLSX, and DRAFT in the file name.

Money: integer pence inside and in JSON (as in `contracts/billing.py`); pounds with two decimals, formatted from
the integer (never through a float), in CSV; pounds as numbers with a currency format in XLSX. The CSV column
contract is `contracts/billing-csv.md`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any, Literal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from contracts.billing import DocumentStatus, InvoiceHeader, InvoiceLine, MonthSummary, PayoutHeader, PayoutLine
from service.billing.totals import verified_invoice_lines, verified_invoices, verified_payout_lines

ExportFormat = Literal["csv", "xlsx", "json"]
Document = Literal["invoice", "payouts", "summary"]
CellKind = Literal["text", "int", "money", "date", "bool", "rate"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "xlsx", "json")
XLSX_MAX_ROWS = 1_048_576
CSV_CHUNK_ROWS = 2_000


class ExportTooLarge(ValueError):
    """More rows than one XLSX sheet holds (1,048,576); export CSV or JSON instead."""


@dataclass(frozen=True)
class Column:
    """One exported column: its contract name, the kind of cell, and how to read it from a row."""

    name: str
    kind: CellKind
    value: Callable[[Any], object]


def _field(name: str) -> Callable[[Any], object]:
    return lambda row: getattr(row, name)


INVOICE_LINE_COLUMNS: tuple[Column, ...] = (
    Column("line_id", "text", _field("line_id")),
    Column("kind", "text", _field("kind")),
    Column("cause", "text", _field("cause")),
    Column("po_number", "text", _field("po_number")),
    Column("bundle_reference", "text", _field("bundle_reference")),
    Column("work_type", "text", _field("work_type")),
    Column("pages", "int", _field("pages")),
    Column("express", "bool", _field("express")),
    Column("late_working_days", "int", _field("late_working_days")),
    Column("event_on", "date", _field("event_on")),
    Column("base_gbp", "money", _field("base_pence")),
    Column("page_band_gbp", "money", _field("page_band_pence")),
    Column("express_gbp", "money", _field("express_pence")),
    Column("sla_credit_gbp", "money", _field("sla_credit_pence")),
    Column("net_gbp", "money", _field("net_pence")),
    Column("vat_rate_percent", "rate", _field("vat_rate_bp")),
    Column("vat_gbp", "money", _field("vat_pence")),
    Column("gross_gbp", "money", _field("gross_pence")),
    Column("corrects_line_id", "text", _field("corrects_line_id")),
)
INVOICE_CSV_COLUMNS: tuple[str, ...] = (
    "record", "document_status", "invoice_number", "document_type", "month", "la_id", "la_name", "issued_on",
    "line_count", *(column.name for column in INVOICE_LINE_COLUMNS),
)
PAYOUT_LINE_COLUMNS: tuple[Column, ...] = (
    Column("line_id", "text", _field("line_id")),
    Column("cause", "text", _field("cause")),
    Column("writer_id", "text", _field("writer_id")),
    Column("writer_name", "text", _field("writer_name")),
    Column("bundle_reference", "text", _field("bundle_reference")),
    Column("work_type", "text", _field("work_type")),
    Column("pages", "int", _field("pages")),
    Column("express", "bool", _field("express")),
    Column("event_on", "date", _field("event_on")),
    Column("base_gbp", "money", _field("base_pence")),
    Column("express_bonus_gbp", "money", _field("express_bonus_pence")),
    Column("net_gbp", "money", _field("net_pence")),
    Column("corrects_line_id", "text", _field("corrects_line_id")),
)
PAYOUT_CSV_COLUMNS: tuple[str, ...] = (
    "record", "document_status", "month", "line_count", *(column.name for column in PAYOUT_LINE_COLUMNS),
)
SUMMARY_COLUMNS: tuple[Column, ...] = (
    Column("invoice_number", "text", _field("invoice_number")),
    Column("document_type", "text", _field("document_type")),
    Column("la_id", "text", _field("la_id")),
    Column("la_name", "text", _field("la_name")),
    Column("line_count", "int", _field("line_count")),
    Column("net_gbp", "money", _field("net_pence")),
    Column("vat_gbp", "money", _field("vat_pence")),
    Column("gross_gbp", "money", _field("gross_pence")),
    Column("credits_gbp", "money", _field("credits_net_pence")),
)
SUMMARY_CSV_COLUMNS: tuple[str, ...] = (
    "record", "document_status", "month", *(column.name for column in SUMMARY_COLUMNS),
    "invoice_count", "payout_line_count", "payouts_gbp", "margin_gbp",
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
            ("Issued on", "date", header.issued_on), ("PO numbers", "text", "; ".join(header.po_numbers)),
            ("Lines", "int", header.line_count), ("Net", "money", header.net_pence),
            ("VAT", "money", header.vat_pence), ("Gross", "money", header.gross_pence),
            ("Of which credits (net)", "money", header.credits_net_pence),
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
    summary: MonthSummary, invoices: Iterable[InvoiceHeader], payouts: PayoutHeader, out: IO[bytes],
    fmt: ExportFormat,
) -> None:
    """Write the month summary (one row per LA invoice, then the month's totals, payouts and margin), checking
    that the invoices add up to the summary and that invoices net minus payouts is its margin."""
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
            ("Of which credits (net)", "money", summary.credits_net_pence),
            ("Payout lines", "int", summary.payout_line_count), ("Payouts", "money", summary.payouts_pence),
            ("Margin (invoices net - payouts)", "money", summary.margin_pence),
        ]
        _write_xlsx(out, sheet="Summary", status=summary.status, title=title, author=summary.provider_name,
                    created=_created(summary.month, None), facts=facts, columns=SUMMARY_COLUMNS, rows=checked,
                    expected_rows=summary.invoice_count,
                    margin=(summary.payouts_pence, summary.margin_pence))
    else:
        raise ValueError(f"unknown export format {fmt!r}")


# ---- CSV -----------------------------------------------------------------------------------------------------


def _csv_cell(kind: CellKind, value: object) -> object:
    if value is None:
        return ""
    if kind == "money":
        return pounds(value)  # type: ignore[arg-type]
    if kind == "rate":
        return percent(value)  # type: ignore[arg-type]
    if kind == "bool":
        return "true" if value else "false"
    if kind == "date":
        return value.isoformat()  # type: ignore[attr-defined]
    return value


def _csv_chunks(rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
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


def _line_cells(columns: Sequence[Column], row: object) -> list[object]:
    return [_csv_cell(column.kind, column.value(row)) for column in columns]


def _invoice_csv(header: InvoiceHeader, lines: Iterable[InvoiceLine]) -> Iterator[bytes]:
    def rows() -> Iterator[Sequence[object]]:
        yield INVOICE_CSV_COLUMNS
        common = [header.status, header.invoice_number or "", header.document_type, header.month, header.la_id,
                  header.la_name, header.issued_on.isoformat() if header.issued_on else ""]
        totals = {"po_number": "; ".join(header.po_numbers), "net_gbp": pounds(header.net_pence),
                  "vat_gbp": pounds(header.vat_pence), "gross_gbp": pounds(header.gross_pence)}
        yield ["invoice", *common, header.line_count, *(totals.get(c.name, "") for c in INVOICE_LINE_COLUMNS)]
        for line in lines:
            yield ["line", *common, "", *_line_cells(INVOICE_LINE_COLUMNS, line)]

    return _csv_chunks(rows())


def _payout_csv(header: PayoutHeader, lines: Iterable[PayoutLine]) -> Iterator[bytes]:
    def rows() -> Iterator[Sequence[object]]:
        yield PAYOUT_CSV_COLUMNS
        totals = {"writer_id": header.writer_id or "", "writer_name": header.writer_name or "",
                  "net_gbp": pounds(header.net_pence)}
        yield ["payouts", header.status, header.month, header.line_count,
               *(totals.get(c.name, "") for c in PAYOUT_LINE_COLUMNS)]
        for line in lines:
            yield ["line", header.status, header.month, "", *_line_cells(PAYOUT_LINE_COLUMNS, line)]

    return _csv_chunks(rows())


def _summary_csv(summary: MonthSummary, invoices: Iterable[InvoiceHeader]) -> Iterator[bytes]:
    def rows() -> Iterator[Sequence[object]]:
        yield SUMMARY_CSV_COLUMNS
        for header in invoices:
            yield ["invoice", summary.status, summary.month, *_line_cells(SUMMARY_COLUMNS, header), "", "", "", ""]
        yield ["month", summary.status, summary.month, "", "", "", "", summary.invoice_line_count,
               pounds(summary.invoices_net_pence), pounds(summary.invoices_vat_pence),
               pounds(summary.invoices_gross_pence), pounds(summary.credits_net_pence), summary.invoice_count,
               summary.payout_line_count, pounds(summary.payouts_pence), pounds(summary.margin_pence)]

    return _csv_chunks(rows())


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
    return Decimal(pounds(pence))


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
        "rate": workbook.add_format({"num_format": "0.00%"}),
    }
    ws = workbook.add_worksheet(f"DRAFT {sheet}" if status == "draft" else sheet)
    for index, column in enumerate(columns):
        ws.set_column(index, index, 14 if column.kind in ("money", "date") else max(10, len(column.name) + 2))
    ws.write_string(0, 0, title, formats["title"])
    for offset, (label, kind, value) in enumerate(facts, start=2):
        ws.write_string(offset, 0, label, formats["bold"])
        _write_cell(ws, offset, 1, kind, value, formats)
    for index, column in enumerate(columns):
        ws.write_string(table_top, index, column.name, formats["bold"])
    sums = {index: 0 for index, column in enumerate(columns) if column.kind == "money"}
    row_number = table_top
    getters = [(index, column.kind, column.value) for index, column in enumerate(columns)]
    for row in rows:
        row_number += 1
        for index, kind, value in getters:
            cell = value(row)
            _write_cell(ws, row_number, index, kind, cell, formats)
            if kind == "money":
                sums[index] += cell  # type: ignore[operator]
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
        net_index = next(index for index, column in enumerate(columns) if column.name == "net_gbp")
        ws.write_string(totals_row + 1, 0, "Payouts", formats["bold"])
        ws.write_number(totals_row + 1, net_index, _xlsx_money(payouts_pence), formats["money_total"])
        ws.write_string(totals_row + 2, 0, "Margin (net - payouts)", formats["bold"])
        net_cell, payouts_cell = xl_rowcol_to_cell(totals_row, net_index), xl_rowcol_to_cell(totals_row + 1, net_index)
        ws.write_formula(totals_row + 2, net_index, f"={net_cell}-{payouts_cell}", formats["money_total"],
                         _xlsx_money(margin_pence))
    workbook.close()


def _write_cell(ws: Worksheet, row: int, col: int, kind: CellKind, value: object, formats: dict[str, Format]) -> None:
    if value is None:
        return
    if kind == "money":
        ws.write_number(row, col, _xlsx_money(value), formats["money"])  # type: ignore[arg-type]
    elif kind == "int":
        ws.write_number(row, col, value)
    elif kind == "rate":
        ws.write_number(row, col, Decimal(value).scaleb(-4), formats["rate"])  # type: ignore[arg-type]
    elif kind == "date":
        ws.write_datetime(row, col, value, formats["date"])
    elif kind == "bool":
        ws.write_boolean(row, col, bool(value))
    else:
        ws.write_string(row, col, str(value))
