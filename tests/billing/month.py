"""A worked month for one LA: the rate card and deliveries the tests price by hand, as ledger rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from contracts.billing import CreditNoteOut, InvoiceLine, PayoutLine
from service.billing.lines import credit_line, invoice_line, payout_line
from service.billing.rate_card import PageBand, RateCard, SlaCreditRule, Surcharge
from service.billing.rating import rate_amendment, rate_delivery, rate_payout

MONTH = "2027-01"
LA_ID = "la-durham"
LA_NAME = "Durham County Council"
PROVIDER = "Northern Plans Ltd"


def contract_card(**changes: object) -> RateCard:
    """GBP 450 a new plan, 300 a phase transfer, 250 an annual review amendment; 61+ pages add GBP 50, 121+ add
    10% of the base; express adds 25% of the base; 5% credit per late working day, capped at 25%; VAT 20%."""
    settings: dict[str, object] = {
        "prices_pence": {"new_plan": 45_000, "phase_transfer": 30_000, "annual_review_amendment": 25_000,
                         "reassessment": 45_000, "statement_transfer": 30_000},
        "page_bands": [{"from_page": 61, "surcharge": {"fixed_pence": 5_000}},
                       {"from_page": 121, "surcharge": {"percent_bp": 1_000}}],
        "express": {"percent_bp": 2_500},
        "vat_rate_bp": 2_000,
        "sla_credit": {"percent_bp_per_day": 500, "cap_bp": 2_500},
        "free_amendment_working_days": 10,
        "amendment_prices_pence": {"new_plan": 7_500, "annual_review_amendment": 7_500},
        "payouts_pence": {"new_plan": 30_000, "phase_transfer": 20_000, "annual_review_amendment": 16_000,
                          "reassessment": 30_000, "statement_transfer": 20_000},
        "express_bonus": {"fixed_pence": 4_000},
        "amendment_payouts_pence": {"new_plan": 5_000, "annual_review_amendment": 5_000},
        "payout_earned_on": "delivery",
    }
    settings.update(changes)
    return RateCard.model_validate(settings)


def simple_card(vat_rate_bp: int = 2_000, **changes: object) -> RateCard:
    """One price per work type (new_plan GBP 450), 61+ pages add GBP 50, express 25%, 5%/day SLA capped at 25%."""
    settings: dict[str, object] = {
        "prices_pence": {"new_plan": 45_000}, "payouts_pence": {"new_plan": 30_000}, "vat_rate_bp": vat_rate_bp,
        "page_bands": (PageBand(from_page=61, surcharge=Surcharge.fixed(5_000)),),
        "express": Surcharge.percent(2_500), "sla_credit": SlaCreditRule(percent_bp_per_day=500, cap_bp=2_500),
    }
    settings.update(changes)
    return RateCard.model_validate(settings)


@dataclass(frozen=True)
class Delivery:
    reference: str
    work_type: str
    pages: int
    express: bool
    late_working_days: int
    writer_id: str
    delivered_on: date
    # working days after delivery at which the LA asked for amendments
    amendments_after: tuple[int, ...] = ()


JANUARY = (
    Delivery("DCC-0001", "phase_transfer", 40, True, 0, "w-ann", date(2027, 1, 8)),       # express
    Delivery("DCC-0002", "new_plan", 130, False, 0, "w-bob", date(2027, 1, 12)),          # large bundle
    Delivery("DCC-0003", "new_plan", 75, False, 7, "w-ann", date(2027, 1, 19)),           # late, credit capped
    Delivery("DCC-0004", "annual_review_amendment", 30, False, 0, "w-cat", date(2027, 1, 4),
             amendments_after=(4, 12)),                                                    # free, then charged
)
WRITER_NAMES = {"w-ann": "Ann Writer", "w-bob": "Bob Writer", "w-cat": "Cat Writer"}


def january_lines(card: RateCard) -> tuple[list[InvoiceLine], list[PayoutLine]]:
    """Every invoice and payout line January's deliveries and amendments write."""
    invoice: list[InvoiceLine] = []
    payouts: list[PayoutLine] = []
    ids = iter(range(1, 1_000))
    for job in JANUARY:
        rated = rate_delivery(card, job.work_type, job.pages, job.express, job.late_working_days)
        invoice.append(invoice_line(rated, line_id=next(ids), month=MONTH, la_id=LA_ID, po_number="PO-2027-001",
                                    bundle_reference=job.reference, event_on=job.delivered_on))
        payouts.append(payout_line(rate_payout(card, job.work_type, job.express), line_id=next(ids), month=MONTH,
                                   writer_id=job.writer_id, writer_name=WRITER_NAMES[job.writer_id],
                                   bundle_reference=job.reference, pages=job.pages, event_on=job.delivered_on,
                                   cause="delivery"))
        for days in job.amendments_after:
            charged = rate_amendment(card, job.work_type, days)
            if charged is None:
                continue
            charge, paid = charged
            on = job.delivered_on + timedelta(days=days // 5 * 7 + days % 5)  # working days from a Monday
            invoice.append(invoice_line(charge, line_id=next(ids), month=MONTH, la_id=LA_ID, po_number="PO-2027-001",
                                        bundle_reference=job.reference, event_on=on, cause="amendment"))
            payouts.append(payout_line(paid, line_id=next(ids), month=MONTH, writer_id=job.writer_id,
                                       writer_name=WRITER_NAMES[job.writer_id], bundle_reference=job.reference,
                                       pages=0, event_on=on, cause="amendment"))
    return invoice, payouts


def generated_lines(count: int, *, month: str = MONTH, la_id: str = LA_ID) -> Iterator[InvoiceLine]:
    """`count` varied invoice lines, produced one at a time (for streaming tests)."""
    card = contract_card()
    work_types = ("new_plan", "phase_transfer", "annual_review_amendment", "reassessment", "statement_transfer")
    for n in range(count):
        rated = rate_delivery(card, work_types[n % 5], (n * 37) % 180, n % 7 == 0, (n * 13) % 9 if n % 4 == 0 else 0)
        yield invoice_line(rated, line_id=n + 1, month=month, la_id=la_id, po_number=f"PO-{n % 3}",
                           bundle_reference=f"REF-{n:07d}", event_on=date(2027, 1, 1 + n % 28))


def credit_note(corrected: InvoiceLine, *, line_id: int, number: str, issued_on: date,
                reason: str = "charged twice") -> CreditNoteOut:
    """The credit note crediting `corrected` whole, issued in its month."""
    credit = credit_line(corrected, line_id=line_id, month=corrected.month, event_on=issued_on)
    return CreditNoteOut(
        credit_note_number=number, issued_on=issued_on, month=credit.month, supplier_name=PROVIDER,
        supplier_address_lines=("1 Quill Lane", "Durham"), supplier_postcode="DH1 1AA",
        supplier_vat_number="GB123456782", la_id=credit.la_id, customer_name=LA_NAME,
        customer_address_lines=("County Hall",), customer_postcode="DH1 5UL", reason=reason,
        corrects_invoice_number=None, corrects_month=corrected.month, corrects_line_id=corrected.line_id,
        line=credit, net_pence=credit.net_pence, vat_pence=credit.vat_pence, gross_pence=credit.gross_pence)
