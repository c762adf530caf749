"""The XLSX exports' plain table sheet, read by pandas as an analyst reads it, and the column types that are the
same in every format: `line_id` a whole number, `vat_rate_percent` a number in percent, in CSV, XLSX and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from numbers import Real

import openpyxl
import pandas as pd
from pandas.api import types

from service.billing.exports import (
    INVOICE_LINE_COLUMNS,
    PAYOUT_LINE_COLUMNS,
    SUMMARY_COLUMNS,
    SUMMARY_CREDIT_COLUMNS,
    export_invoice,
    export_month_summary,
    export_payouts,
)
from tests.billing.test_exports import export, january, las


def test_the_invoice_table_sheet_reads_straight_into_pandas_with_typed_columns() -> None:
    header, lines, *_ = january()
    data = export(lambda out: export_invoice(header, lines, out, "xlsx"))
    table = pd.read_excel(io.BytesIO(data), sheet_name="Lines")
    assert list(table.columns) == ["document_status", *(column.name for column in INVOICE_LINE_COLUMNS)]
    assert len(table) == len(lines)  # one header row, one row per line, nothing else (no title, no totals)
    assert set(table["document_status"]) == {"final"}
    assert list(table["bundle_reference"]) == [line.bundle_reference for line in lines]
    assert types.is_integer_dtype(table["line_id"]) and list(table["line_id"]) == [line.line_id for line in lines]
    assert types.is_integer_dtype(table["pages"]) and types.is_bool_dtype(table["express"])
    assert types.is_datetime64_any_dtype(table["event_on"])
    assert list(table["event_on"].dt.date) == [line.event_on for line in lines]
    for column, attribute in (("net_gbp", "net_pence"), ("vat_gbp", "vat_pence"), ("gross_gbp", "gross_pence")):
        assert types.is_numeric_dtype(table[column])  # pounds (pandas reads whole ones as integers)
        assert [round(value * 100) for value in table[column]] == [getattr(line, attribute) for line in lines]
        assert round(table[column].sum() * 100) == getattr(header, attribute)
    assert set(table["kind"]) == {"invoice"}  # credits are credit notes of their own
    # the report sheet is still first, as it was: title, facts, the table from its heading row, totals
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["Invoice", "Lines"]
    assert str(next(book["Invoice"].iter_rows(values_only=True))[0]).startswith("Invoice NP-000001")


def test_the_payouts_and_summary_tables_read_into_pandas_too() -> None:
    header, _, paid, payouts, summary = january()
    table = pd.read_excel(io.BytesIO(export(lambda out: export_payouts(paid, payouts, out, "xlsx"))),
                          sheet_name="Lines")
    assert list(table.columns) == ["document_status", *(column.name for column in PAYOUT_LINE_COLUMNS)]
    assert list(table["line_id"]) == [line.line_id for line in payouts]
    assert round(table["net_gbp"].sum() * 100) == paid.net_pence
    invoices = pd.read_excel(io.BytesIO(export(lambda out: export_month_summary(summary, las(header), paid, out,
                                                                                  "xlsx"))), sheet_name="Invoices")
    assert list(invoices.columns) == ["document_status",
                                      *(column.name for column in (*SUMMARY_COLUMNS, *SUMMARY_CREDIT_COLUMNS))]
    assert list(invoices["invoice_number"]) == [header.invoice_number]
    assert round(invoices["gross_gbp"].sum() * 100) == summary.invoices_gross_pence


def test_line_id_and_vat_rate_percent_have_one_type_in_csv_xlsx_and_json() -> None:
    header, lines, *_ = january()
    csv_text = export(lambda out: export_invoice(header, lines, out, "csv")).decode()
    as_csv = [row for row in csv.DictReader(io.StringIO(csv_text)) if row["record"] == "line"]
    as_xlsx = pd.read_excel(io.BytesIO(export(lambda out: export_invoice(header, lines, out, "xlsx"))),
                            sheet_name="Lines")
    as_json = json.loads(export(lambda out: export_invoice(header, lines, out, "json")))["lines"]
    expected_ids = [line.line_id for line in lines]
    expected_rates = [line.vat_rate_bp / 100 for line in lines]
    assert set(expected_rates) == {20.0}
    # line_id: a whole number everywhere (CSV: a whole-number literal; the invoice record above the lines leaves it
    # empty, so pandas.read_csv reads the column as float unless told `dtype={"line_id": "Int64"}`)
    assert all(re.fullmatch(r"[1-9][0-9]*", row["line_id"]) for row in as_csv)
    assert [int(row["line_id"]) for row in as_csv] == expected_ids
    assert list(pd.read_csv(io.StringIO(csv_text), dtype={"line_id": "Int64"})["line_id"].dropna()) == expected_ids
    assert types.is_integer_dtype(as_xlsx["line_id"]) and list(as_xlsx["line_id"]) == expected_ids
    assert [item["line_id"] for item in as_json] == expected_ids
    assert all(type(item["line_id"]) is int for item in as_json)
    # vat_rate_percent: a number in percent everywhere (20 for 20%, never 0.2 and never text)
    assert [Decimal(row["vat_rate_percent"]) for row in as_csv] == [Decimal("20.00")] * len(lines)
    assert types.is_numeric_dtype(as_xlsx["vat_rate_percent"]) and not types.is_bool_dtype(as_xlsx["vat_rate_percent"])
    assert list(as_xlsx["vat_rate_percent"]) == expected_rates
    assert [item["vat_rate_percent"] for item in as_json] == expected_rates
    assert all(isinstance(item["vat_rate_percent"], Real) and not isinstance(item["vat_rate_percent"], bool)
               for item in as_json)
    # and the report sheet shows the same number (formatted 0.00), not a fraction formatted as a percentage
    report = openpyxl.load_workbook(io.BytesIO(export(lambda out: export_invoice(header, lines, out, "xlsx"))))
    cells = [cell for row in report["Invoice"].iter_rows() for cell in row if cell.value == 20]
    assert cells and all(cell.number_format == "0.00" for cell in cells)
