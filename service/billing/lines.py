"""Turning rated deliveries into ledger rows, and reversing a closed month's rows as credit lines.

Which month a line belongs to: the month, in Europe/London, of the event that wrote it (the delivery, the
LA's acceptance for payouts earned on acceptance, the chargeable amendment, or the correction). A line is never
edited; a correction to a closed month is a credit line (every amount negated, naming the original) written in
the next open month, followed, if the charge should stand in another form, by a fresh line.
"""

from __future__ import annotations

from datetime import date, datetime

from contracts.billing import InvoiceLine, InvoiceLineCause, PayoutLine, PayoutLineCause
from service import clock
from service.billing.rating import RatedDelivery, RatedPayout, share


class NaiveTimestamp(ValueError):
    """A timestamp without a time zone cannot be placed in a month."""


def month_of(at: datetime) -> str:
    """The billing month (YYYY-MM, Europe/London) of an aware timestamp."""
    if at.tzinfo is None:
        raise NaiveTimestamp("a billing event needs an aware timestamp")
    return clock.month_of(at)


def next_month(month: str) -> str:
    """The month after a YYYY-MM month."""
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def invoice_line(
    rated: RatedDelivery, *, line_id: int, month: str, la_id: str, po_number: str | None, bundle_reference: str,
    event_on: date, cause: InvoiceLineCause = "delivery",
) -> InvoiceLine:
    """The LA's invoice line for a rated delivery (or a chargeable amendment)."""
    return InvoiceLine(
        line_id=line_id, kind="invoice", cause=cause, month=month, la_id=la_id, po_number=po_number,
        bundle_reference=bundle_reference, work_type=rated.work_type,  # type: ignore[arg-type]
        pages=rated.pages, express=rated.express, late_working_days=rated.late_working_days, event_on=event_on,
        base_pence=rated.base_pence, page_band_pence=rated.page_band_pence, express_pence=rated.express_pence,
        sla_credit_pence=rated.sla_credit_pence, net_pence=rated.net_pence, vat_rate_bp=rated.vat_rate_bp,
        vat_pence=rated.vat_pence, gross_pence=rated.gross_pence,
    )


def payout_line(
    rated: RatedPayout, *, line_id: int, month: str, writer_id: str, writer_name: str, bundle_reference: str,
    pages: int, event_on: date, cause: PayoutLineCause,
) -> PayoutLine:
    """The writer's payout line for a rated payout, written at the event the card names (delivery or acceptance)."""
    return PayoutLine(
        line_id=line_id, cause=cause, month=month, writer_id=writer_id, writer_name=writer_name,
        bundle_reference=bundle_reference, work_type=rated.work_type,  # type: ignore[arg-type]
        pages=pages, express=rated.express, event_on=event_on, base_pence=rated.base_pence,
        express_bonus_pence=rated.express_bonus_pence, net_pence=rated.net_pence,
    )


def credit_line(original: InvoiceLine, *, line_id: int, month: str, event_on: date) -> InvoiceLine:
    """The credit line that cancels `original` exactly, in the (open) month of the correction."""
    if original.kind == "credit":
        raise ValueError("a credit line is not itself credited; write a fresh invoice line instead")
    return InvoiceLine(
        line_id=line_id, kind="credit", cause="correction", month=month, la_id=original.la_id,
        po_number=original.po_number, bundle_reference=original.bundle_reference, work_type=original.work_type,
        pages=original.pages, express=original.express, late_working_days=original.late_working_days,
        event_on=event_on, base_pence=-original.base_pence, page_band_pence=-original.page_band_pence,
        express_pence=-original.express_pence, sla_credit_pence=-original.sla_credit_pence,
        net_pence=-original.net_pence, vat_rate_bp=original.vat_rate_bp, vat_pence=-original.vat_pence,
        gross_pence=-original.gross_pence, corrects_line_id=original.line_id,
    )


def partial_credit_line(original: InvoiceLine, amount_pence: int, *, line_id: int, month: str,
                        event_on: date) -> InvoiceLine:
    """A credit of part of `original`'s net (0 < amount <= its net), VAT at its rate by the one rounding rule.

    The credited amount stands as the credit's base: it is an agreed sum, not a re-rating of the line's parts.
    """
    if original.kind == "credit":
        raise ValueError("a credit line is not itself credited; write a fresh invoice line instead")
    if not 0 < amount_pence <= original.net_pence:
        raise ValueError(f"a partial credit is more than 0 and at most the line's net ({original.net_pence} pence)")
    vat = -share(amount_pence, original.vat_rate_bp)
    return InvoiceLine(
        line_id=line_id, kind="credit", cause="correction", month=month, la_id=original.la_id,
        po_number=original.po_number, bundle_reference=original.bundle_reference, work_type=original.work_type,
        pages=original.pages, express=original.express, late_working_days=original.late_working_days,
        event_on=event_on, base_pence=-amount_pence, page_band_pence=0, express_pence=0, sla_credit_pence=0,
        net_pence=-amount_pence, vat_rate_bp=original.vat_rate_bp, vat_pence=vat, gross_pence=vat - amount_pence,
        corrects_line_id=original.line_id,
    )


def payout_reversal(original: PayoutLine, *, line_id: int, month: str, event_on: date) -> PayoutLine:
    """The negative payout line that cancels `original` exactly, in the (open) month of the correction."""
    if original.corrects_line_id is not None:
        raise ValueError("a reversal is not itself reversed; write a fresh payout line instead")
    return PayoutLine(
        line_id=line_id, cause="correction", month=month, writer_id=original.writer_id,
        writer_name=original.writer_name, bundle_reference=original.bundle_reference, work_type=original.work_type,
        pages=original.pages, express=original.express, event_on=event_on, base_pence=-original.base_pence,
        express_bonus_pence=-original.express_bonus_pence, net_pence=-original.net_pence,
        corrects_line_id=original.line_id,
    )
