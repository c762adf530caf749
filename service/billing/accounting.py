"""A closed month's documents in the import layouts of accounting software: Xero and Sage 50.

Pure: documents in, CSV bytes out. Three layouts, each a `format` of the existing export routes and command:

- `xero`, sales: Xero's sales invoice import template (SalesInvoiceTemplate.csv, Business > Invoices > Import). One
  row per line; the invoice's fields repeat on each of its rows. A credit note goes in the same template under its
  own number, its lines with Quantity -1 (Xero imports a document whose total is negative as a credit note).
- `xero`, payouts: Xero's bill import template (PurchaseInvoiceTemplate.csv, Business > Bills to pay > Import), one
  bill per writer per month; a reversal is a line with Quantity -1.
- `sage`: Sage 50 Accounts' "Audit trail transactions" import (File > Import), one row per line: SI (sales
  invoice), SC (sales credit), PI (purchase invoice) and PC (purchase credit), amounts positive with the type
  saying which way. Sage 50 rather than Sage Business Cloud: it is the one of the two whose import takes sales
  invoices, credits and purchase invoices in one published layout.

Both: UTF-8 without a byte-order mark (Sage 50 reads a BOM as part of the first header), CRLF line ends, comma
separated, `"` quoting where needed, dates dd/mm/yyyy, amounts with two decimals and no currency sign, header names
exactly as the templates have them. Account and tax codes come from `AccountingCodes` (settings, per provider).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Literal

from service.billing.exports import csv_chunks, pounds
from service.settings import AccountingCodes

Layout = Literal["xero", "sage"]
DocumentType = Literal["sales_invoice", "sales_credit", "purchase_invoice"]

# https://central.xero.com/s/article/Import-customer-invoices (the template's header row)
XERO_SALES_COLUMNS: tuple[str, ...] = (
    "*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "Reference", "*InvoiceDate", "*DueDate",
    "Total", "InventoryItemCode", "*Description", "*Quantity", "*UnitAmount", "Discount", "*AccountCode",
    "*TaxType", "TaxAmount", "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency",
    "BrandingTheme",
)
# https://central.xero.com/s/article/Import-bills (the template's header row)
XERO_BILL_COLUMNS: tuple[str, ...] = (
    "*ContactName", "EmailAddress", "POAddressLine1", "POAddressLine2", "POAddressLine3", "POAddressLine4",
    "POCity", "PORegion", "POPostalCode", "POCountry", "*InvoiceNumber", "*InvoiceDate", "*DueDate", "Total",
    "InventoryItemCode", "Description", "*Quantity", "*UnitAmount", "*AccountCode", "*TaxType", "TaxAmount",
    "TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2", "Currency",
)
# Sage 50 Accounts, Import > Audit trail transactions (the "Audit Trail Transaction Template" fields, in order)
SAGE_COLUMNS: tuple[str, ...] = (
    "Type", "Account Reference", "Nominal A/C Ref", "Department Code", "Date", "Reference", "Details",
    "Net Amount", "Tax Code", "Tax Amount", "Exchange Rate", "Extra Reference", "User Name", "Project Refn",
    "Cost Code Refn",
)
# Sage 50's field sizes: an account reference is up to 8 characters without spaces, a reference and an extra
# reference up to 30, details up to 60
SAGE_ACCOUNT_REFERENCE = 8
SAGE_REFERENCE = 30
SAGE_DETAILS = 60
CURRENCY = "GBP"


class UnmappedTaxRate(ValueError):
    """A line's VAT rate has no tax code in the settings (PLANWRIGHT_ACCOUNTING_CODES)."""


@dataclass(frozen=True)
class Party:
    """The customer (an LA) or the supplier (a writer) of a document."""

    name: str
    account_reference: str  # Sage 50's A/C reference (Xero matches contacts by name)
    address_lines: tuple[str, ...] = ()
    postcode: str | None = None
    email: str | None = None  # Xero's EmailAddress: the customer's billing contact


@dataclass(frozen=True)
class Line:
    """One line, as the document shows it: on a credit note the amounts are the credit's, positive."""

    description: str
    net_pence: int
    vat_pence: int
    vat_rate_bp: int


@dataclass(frozen=True)
class Document:
    """A sales invoice, a credit note or a writer's bill, final, with its lines."""

    type: DocumentType
    number: str
    party: Party
    issued_on: date
    due_on: date
    reference: str
    lines: tuple[Line, ...]

    @property
    def total_pence(self) -> int:
        return sum(line.net_pence + line.vat_pence for line in self.lines)


def day(value: date) -> str:
    """dd/mm/yyyy, as both Xero (UK) and Sage 50 read dates."""
    return value.strftime("%d/%m/%Y")


def account_reference(prefix: str, party_id: str) -> str:
    """A Sage 50 account reference for a party: the prefix and the first characters of its id, upper case, 8 at
    most (`LA3F2A9C`); stable, so the customer or supplier record made once is matched every month."""
    return (prefix + party_id.replace("-", "").upper())[:SAGE_ACCOUNT_REFERENCE]


def _tax(table: dict[int, str], rate_bp: int) -> str:
    try:
        return table[rate_bp]
    except KeyError:
        raise UnmappedTaxRate(f"no tax code for a VAT rate of {pounds(rate_bp)}%: add it to the accounting codes "
                              "(PLANWRIGHT_ACCOUNTING_CODES)") from None


def xero_sales_rows(documents: Iterable[Document], codes: AccountingCodes) -> Iterator[list[str]]:
    yield list(XERO_SALES_COLUMNS)
    for doc in documents:
        if doc.type == "purchase_invoice":
            raise ValueError("a bill goes in the bills template")
        sign = -1 if doc.type == "sales_credit" else 1
        address = [*doc.party.address_lines, "", "", "", ""][:4]
        for line in doc.lines:
            yield [doc.party.name, doc.party.email or "", *address, "", "", doc.party.postcode or "", "", doc.number,
                   doc.reference,
                   day(doc.issued_on), day(doc.due_on), pounds(sign * doc.total_pence), "", line.description,
                   str(sign), pounds(line.net_pence), "", codes.xero_sales_account,
                   _tax(codes.xero_sales_tax, line.vat_rate_bp), pounds(sign * line.vat_pence), "", "", "", "",
                   CURRENCY, ""]


def xero_bill_rows(documents: Iterable[Document], codes: AccountingCodes) -> Iterator[list[str]]:
    yield list(XERO_BILL_COLUMNS)
    for doc in documents:
        if doc.type != "purchase_invoice":
            raise ValueError("a sales document goes in the sales invoice template")
        address = [*doc.party.address_lines, "", "", "", ""][:4]
        for line in doc.lines:
            sign = -1 if line.net_pence < 0 else 1  # a reversal: a line of quantity -1
            yield [doc.party.name, "", *address, "", "", doc.party.postcode or "", "", doc.number,
                   day(doc.issued_on), day(doc.due_on), pounds(doc.total_pence), "", line.description, str(sign),
                   pounds(sign * line.net_pence), codes.xero_purchases_account, codes.xero_bill_tax,
                   pounds(line.vat_pence), "", "", "", "", CURRENCY]


def sage_rows(documents: Iterable[Document], codes: AccountingCodes) -> Iterator[list[str]]:
    yield list(SAGE_COLUMNS)
    for doc in documents:
        purchase = doc.type == "purchase_invoice"
        for line in doc.lines:
            if purchase:  # a reversal in a writer's month is a purchase credit of the amount
                kind = "PC" if line.net_pence < 0 else "PI"
                nominal, tax_code = codes.sage_purchases_nominal, codes.sage_bill_tax
            else:
                kind = "SC" if doc.type == "sales_credit" else "SI"
                nominal, tax_code = codes.sage_sales_nominal, _tax(codes.sage_sales_tax, line.vat_rate_bp)
            sign = -1 if line.net_pence < 0 else 1
            yield [kind, doc.party.account_reference, nominal, "0", day(doc.issued_on),
                   doc.number[:SAGE_REFERENCE], line.description[:SAGE_DETAILS], pounds(sign * line.net_pence),
                   tax_code, pounds(sign * line.vat_pence), "", doc.reference[:SAGE_REFERENCE], "", "", ""]


def write_sales(out: IO[bytes], layout: Layout, documents: Sequence[Document], codes: AccountingCodes) -> None:
    """Invoices and credit notes in the layout's sales import."""
    _write(out, xero_sales_rows(documents, codes) if layout == "xero" else sage_rows(documents, codes))


def write_bills(out: IO[bytes], layout: Layout, documents: Sequence[Document], codes: AccountingCodes) -> None:
    """Writers' payouts as supplier bills in the layout's purchase import."""
    _write(out, xero_bill_rows(documents, codes) if layout == "xero" else sage_rows(documents, codes))


def _write(out: IO[bytes], rows: Iterable[Sequence[str]]) -> None:
    for chunk in csv_chunks(rows):
        out.write(chunk)
