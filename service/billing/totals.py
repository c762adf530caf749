"""Totals and self-checks: invoice and payout headers from their lines, the month summary, and the checks that
every line adds up, that lines (and credit notes) sum to their header, and that invoices plus credits minus payouts
equal the summary's margin.

The checks are pass-through generators, so an export verifies a million lines in the one pass that writes them
and raises `BillingMismatch` at the end if anything fails to add up (the caller then discards the file).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

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


class BillingMismatch(ValueError):
    """A figure that does not add up: a line's own arithmetic, lines against their header, or the month's margin."""

    def __init__(self, what: str, expected: int, actual: int) -> None:
        super().__init__(f"{what}: expected {expected}, found {actual}")
        self.what = what
        self.expected = expected
        self.actual = actual


@dataclass
class InvoiceTotals:
    """Running sums over invoice lines."""

    line_count: int = 0
    net_pence: int = 0
    vat_pence: int = 0
    gross_pence: int = 0
    credits_net_pence: int = 0
    base_pence: int = 0
    page_band_pence: int = 0
    express_pence: int = 0
    sla_credit_pence: int = 0

    def add(self, line: InvoiceLine) -> None:
        self.line_count += 1
        self.net_pence += line.net_pence
        self.vat_pence += line.vat_pence
        self.gross_pence += line.gross_pence
        self.base_pence += line.base_pence
        self.page_band_pence += line.page_band_pence
        self.express_pence += line.express_pence
        self.sla_credit_pence += line.sla_credit_pence
        if line.kind == "credit":
            self.credits_net_pence += line.net_pence


@dataclass
class PayoutTotals:
    """Running sums over payout lines."""

    line_count: int = 0
    base_pence: int = 0
    express_bonus_pence: int = 0
    net_pence: int = 0

    def add(self, line: PayoutLine) -> None:
        self.line_count += 1
        self.base_pence += line.base_pence
        self.express_bonus_pence += line.express_bonus_pence
        self.net_pence += line.net_pence


def invoice_header(
    lines: Iterable[InvoiceLine], *, status: DocumentStatus, month: str, provider_name: str, la_id: str,
    la_name: str, invoice_number: str | None = None, issued_on: date | None = None,
) -> InvoiceHeader:
    """An LA's invoice header for a month, totalled from its lines in one pass."""
    totals = InvoiceTotals()
    po_numbers: set[str] = set()
    for line in lines:
        totals.add(line)
        if line.po_number:
            po_numbers.add(line.po_number)
    return InvoiceHeader(
        invoice_number=invoice_number, document_type="credit_note" if totals.gross_pence < 0 else "invoice",
        status=status, month=month, provider_name=provider_name, la_id=la_id, la_name=la_name, issued_on=issued_on,
        po_numbers=tuple(sorted(po_numbers)), line_count=totals.line_count, net_pence=totals.net_pence,
        vat_pence=totals.vat_pence, gross_pence=totals.gross_pence, credits_net_pence=totals.credits_net_pence,
    )


def payout_header(
    lines: Iterable[PayoutLine], *, status: DocumentStatus, month: str, provider_name: str,
    writer_id: str | None = None, writer_name: str | None = None,
) -> PayoutHeader:
    """A month's payout header (all writers, or the one named), totalled from its lines in one pass."""
    totals = PayoutTotals()
    for line in lines:
        totals.add(line)
    return PayoutHeader(status=status, month=month, provider_name=provider_name, writer_id=writer_id,
                        writer_name=writer_name, line_count=totals.line_count, net_pence=totals.net_pence)


def la_month(invoice: InvoiceHeader | None, notes: Sequence[CreditNoteOut], *, status: DocumentStatus, month: str,
             la_id: str, la_name: str) -> LaMonthTotals:
    """One LA's month: its invoice (if it has one) and its credit notes of the month, side by side."""
    return LaMonthTotals(
        invoice_number=invoice.invoice_number if invoice else None,
        document_type="invoice" if invoice is not None else "credit_note", status=status, month=month, la_id=la_id,
        la_name=la_name, line_count=invoice.line_count if invoice else 0, net_pence=invoice.net_pence if invoice else 0,
        vat_pence=invoice.vat_pence if invoice else 0, gross_pence=invoice.gross_pence if invoice else 0,
        credits_net_pence=sum(note.net_pence for note in notes), credit_note_count=len(notes),
        credits_vat_pence=sum(note.vat_pence for note in notes),
        credits_gross_pence=sum(note.gross_pence for note in notes))


@dataclass
class _MonthTotals:
    invoices: int = 0
    lines: int = 0
    net: int = 0
    vat: int = 0
    gross: int = 0
    notes: int = 0
    credits_net: int = 0
    credits_vat: int = 0
    credits_gross: int = 0

    def add(self, row: LaMonthTotals) -> None:
        self.invoices += row.document_type == "invoice"
        self.lines += row.line_count
        self.net += row.net_pence
        self.vat += row.vat_pence
        self.gross += row.gross_pence
        self.notes += row.credit_note_count
        self.credits_net += row.credits_net_pence
        self.credits_vat += row.credits_vat_pence
        self.credits_gross += row.credits_gross_pence


def month_summary(
    las: Iterable[LaMonthTotals], payouts: PayoutHeader, *, status: DocumentStatus, month: str,
    provider_name: str,
) -> MonthSummary:
    """The month in one row: invoiced and credited (net of VAT), payouts, and the margin between them."""
    totals = _MonthTotals()
    for row in las:
        totals.add(row)
    return MonthSummary(
        status=status, month=month, provider_name=provider_name, invoice_count=totals.invoices,
        invoice_line_count=totals.lines, invoices_net_pence=totals.net, invoices_vat_pence=totals.vat,
        invoices_gross_pence=totals.gross, credits_net_pence=totals.credits_net, credit_note_count=totals.notes,
        credits_vat_pence=totals.credits_vat, credits_gross_pence=totals.credits_gross,
        payout_line_count=payouts.line_count, payouts_pence=payouts.net_pence,
        margin_pence=totals.net + totals.credits_net - payouts.net_pence,
    )


def check_invoice_line(line: InvoiceLine) -> None:
    """A line's own arithmetic, checked again: a row built with model_construct or model_copy skipped validation."""
    parts = line.base_pence + line.page_band_pence + line.express_pence + line.sla_credit_pence
    if line.net_pence != parts:
        raise BillingMismatch(f"line {line.line_id} net_pence (base + surcharges + credits)", parts, line.net_pence)
    if line.gross_pence != line.net_pence + line.vat_pence:
        raise BillingMismatch(f"line {line.line_id} gross_pence (net + VAT)", line.net_pence + line.vat_pence,
                              line.gross_pence)


def verified_invoice_lines(header: InvoiceHeader, lines: Iterable[InvoiceLine]) -> Iterator[InvoiceLine]:
    """Pass the lines through, checking each, and raise `BillingMismatch` at the end unless they sum to `header`."""
    totals = InvoiceTotals()
    for line in lines:
        check_invoice_line(line)
        if line.kind == "credit":
            raise BillingMismatch(f"line {line.line_id} is a credit: a credit note of its own, never an invoice's line",
                                  0, 1)
        if line.month != header.month or line.la_id != header.la_id:
            raise BillingMismatch(f"line {line.line_id} belongs to another invoice (month {line.month})", 0, 1)
        totals.add(line)
        yield line
    for what, expected, actual in (
        ("invoice line_count", header.line_count, totals.line_count),
        ("invoice net_pence", header.net_pence, totals.net_pence),
        ("invoice vat_pence", header.vat_pence, totals.vat_pence),
        ("invoice gross_pence", header.gross_pence, totals.gross_pence),
        ("invoice credits_net_pence", header.credits_net_pence, totals.credits_net_pence),
    ):
        if expected != actual:
            raise BillingMismatch(what, expected, actual)


def verified_payout_lines(header: PayoutHeader, lines: Iterable[PayoutLine]) -> Iterator[PayoutLine]:
    """Pass the payout lines through and raise `BillingMismatch` at the end unless they sum to `header`."""
    totals = PayoutTotals()
    for line in lines:
        if line.net_pence != line.base_pence + line.express_bonus_pence:
            raise BillingMismatch(f"payout line {line.line_id} net_pence (base + express bonus)",
                                  line.base_pence + line.express_bonus_pence, line.net_pence)
        if line.month != header.month or (header.writer_id is not None and line.writer_id != header.writer_id):
            raise BillingMismatch(f"payout line {line.line_id} belongs to another statement", 0, 1)
        totals.add(line)
        yield line
    if header.line_count != totals.line_count:
        raise BillingMismatch("payout line_count", header.line_count, totals.line_count)
    if header.net_pence != totals.net_pence:
        raise BillingMismatch("payout net_pence", header.net_pence, totals.net_pence)


def verified_invoices(
    summary: MonthSummary, las: Iterable[LaMonthTotals], payouts: PayoutHeader,
) -> Iterator[LaMonthTotals]:
    """Pass the month's per-LA rows through; at the end, the summary must equal their sums and the margin must equal
    invoices net plus credits net minus payouts, or `BillingMismatch` is raised."""
    if summary.payouts_pence != payouts.net_pence:
        raise BillingMismatch("summary payouts_pence", payouts.net_pence, summary.payouts_pence)
    if summary.payout_line_count != payouts.line_count:
        raise BillingMismatch("summary payout_line_count", payouts.line_count, summary.payout_line_count)
    totals = _MonthTotals()
    for row in las:
        if row.month != summary.month:
            raise BillingMismatch(f"invoice for {row.month} in the summary of {summary.month}", 0, 1)
        if row.gross_pence != row.net_pence + row.vat_pence:
            raise BillingMismatch("invoice gross_pence (net + VAT)", row.net_pence + row.vat_pence, row.gross_pence)
        totals.add(row)
        yield row
    for what, expected, actual in (
        ("summary invoice_count", totals.invoices, summary.invoice_count),
        ("summary invoice_line_count", totals.lines, summary.invoice_line_count),
        ("summary invoices_net_pence", totals.net, summary.invoices_net_pence),
        ("summary invoices_vat_pence", totals.vat, summary.invoices_vat_pence),
        ("summary invoices_gross_pence", totals.gross, summary.invoices_gross_pence),
        ("summary credit_note_count", totals.notes, summary.credit_note_count),
        ("summary credits_net_pence", totals.credits_net, summary.credits_net_pence),
        ("summary credits_vat_pence", totals.credits_vat, summary.credits_vat_pence),
        ("summary margin_pence (invoices net + credits net - payouts)",
         totals.net + totals.credits_net - payouts.net_pence, summary.margin_pence),
    ):
        if expected != actual:
            raise BillingMismatch(what, expected, actual)


def credit_notes_header(notes: Iterable[CreditNoteOut], *, status: DocumentStatus, month: str, provider_name: str,
                        la_id: str | None = None, la_name: str | None = None) -> CreditNotesHeader:
    """A month's credit notes' header, totalled from the notes in one pass."""
    count = net = vat = 0
    for note in notes:
        count, net, vat = count + 1, net + note.net_pence, vat + note.vat_pence
    return CreditNotesHeader(status=status, month=month, provider_name=provider_name, la_id=la_id, la_name=la_name,
                             credit_note_count=count, net_pence=net, vat_pence=vat, gross_pence=net + vat)


def verified_credit_notes(header: CreditNotesHeader, notes: Iterable[CreditNoteOut]) -> Iterator[CreditNoteOut]:
    """Pass the credit notes through, checking each adds up and is of the header's month (and LA), and raise
    `BillingMismatch` at the end unless they sum to `header`."""
    count = net = vat = gross = 0
    for note in notes:
        check_invoice_line(note.line)
        if note.month != header.month or (header.la_id is not None and note.la_id != header.la_id):
            raise BillingMismatch(f"credit note {note.credit_note_number} belongs to another month or LA", 0, 1)
        if (note.net_pence, note.vat_pence, note.gross_pence) != (
                note.line.net_pence, note.line.vat_pence, note.line.gross_pence):
            raise BillingMismatch(f"credit note {note.credit_note_number} against its line", note.line.net_pence,
                                  note.net_pence)
        count, net, vat, gross = count + 1, net + note.net_pence, vat + note.vat_pence, gross + note.gross_pence
        yield note
    for what, expected, actual in (
        ("credit_note_count", header.credit_note_count, count), ("credit notes net_pence", header.net_pence, net),
        ("credit notes vat_pence", header.vat_pence, vat), ("credit notes gross_pence", header.gross_pence, gross),
    ):
        if expected != actual:
            raise BillingMismatch(what, expected, actual)
