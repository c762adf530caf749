"""Totals and self-checks: invoice and payout headers from their lines, the month summary, and the checks that
every line adds up, that lines sum to their header, and that invoices minus payouts equal the summary's margin.

The checks are pass-through generators, so an export verifies a million lines in the one pass that writes them
and raises `BillingMismatch` at the end if anything fails to add up (the caller then discards the file).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from contracts.billing import DocumentStatus, InvoiceHeader, InvoiceLine, MonthSummary, PayoutHeader, PayoutLine


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


def month_summary(
    invoices: Iterable[InvoiceHeader], payouts: PayoutHeader, *, status: DocumentStatus, month: str,
    provider_name: str,
) -> MonthSummary:
    """The month in one row: invoices net of VAT, payouts, and the margin between them."""
    count = lines = net = vat = gross = credits = 0
    for header in invoices:
        count += 1
        lines += header.line_count
        net += header.net_pence
        vat += header.vat_pence
        gross += header.gross_pence
        credits += header.credits_net_pence
    return MonthSummary(
        status=status, month=month, provider_name=provider_name, invoice_count=count, invoice_line_count=lines,
        invoices_net_pence=net, invoices_vat_pence=vat, invoices_gross_pence=gross, credits_net_pence=credits,
        payout_line_count=payouts.line_count, payouts_pence=payouts.net_pence, margin_pence=net - payouts.net_pence,
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
    summary: MonthSummary, invoices: Iterable[InvoiceHeader], payouts: PayoutHeader,
) -> Iterator[InvoiceHeader]:
    """Pass the month's invoice headers through; at the end, the summary must equal their sums and the margin
    must equal invoices net minus payouts, or `BillingMismatch` is raised."""
    if summary.payouts_pence != payouts.net_pence:
        raise BillingMismatch("summary payouts_pence", payouts.net_pence, summary.payouts_pence)
    if summary.payout_line_count != payouts.line_count:
        raise BillingMismatch("summary payout_line_count", payouts.line_count, summary.payout_line_count)
    count = lines = net = vat = gross = credits = 0
    for header in invoices:
        if header.month != summary.month:
            raise BillingMismatch(f"invoice for {header.month} in the summary of {summary.month}", 0, 1)
        if header.gross_pence != header.net_pence + header.vat_pence:
            raise BillingMismatch("invoice gross_pence (net + VAT)", header.net_pence + header.vat_pence,
                                  header.gross_pence)
        count += 1
        lines += header.line_count
        net += header.net_pence
        vat += header.vat_pence
        gross += header.gross_pence
        credits += header.credits_net_pence
        yield header
    for what, expected, actual in (
        ("summary invoice_count", count, summary.invoice_count),
        ("summary invoice_line_count", lines, summary.invoice_line_count),
        ("summary invoices_net_pence", net, summary.invoices_net_pence),
        ("summary invoices_vat_pence", vat, summary.invoices_vat_pence),
        ("summary invoices_gross_pence", gross, summary.invoices_gross_pence),
        ("summary credits_net_pence", credits, summary.credits_net_pence),
        ("summary margin_pence (invoices net - payouts)", net - payouts.net_pence, summary.margin_pence),
    ):
        if expected != actual:
            raise BillingMismatch(what, expected, actual)


def verify_month(
    summary: MonthSummary, invoices: Iterable[tuple[InvoiceHeader, Iterable[InvoiceLine]]],
    payouts: tuple[PayoutHeader, Iterable[PayoutLine]],
) -> None:
    """Check a whole month: every invoice's lines against its header, the payout lines against their header,
    and the summary against both. Raises `BillingMismatch` on the first figure that does not add up."""
    payout_head, payout_lines = payouts
    for _ in verified_payout_lines(payout_head, payout_lines):
        pass

    def headers() -> Iterator[InvoiceHeader]:
        for header, lines in invoices:
            for _ in verified_invoice_lines(header, lines):
                pass
            yield header

    for _ in verified_invoices(summary, headers(), payout_head):
        pass
