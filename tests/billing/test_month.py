"""A month of deliveries for one LA, checked line by line and in total against hand-computed pence; a
correction after close is a credit line in the next month."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from contracts.billing import InvoiceLine
from service.billing.lines import NaiveTimestamp, credit_line, invoice_line, month_of, next_month, payout_reversal
from service.billing.rating import rate_delivery
from service.billing.totals import invoice_header, la_month, month_summary, payout_header
from tests.billing.month import LA_ID, LA_NAME, MONTH, PROVIDER, contract_card, january_lines


def amounts(line: InvoiceLine) -> tuple[int, ...]:
    return (line.base_pence, line.page_band_pence, line.express_pence, line.sla_credit_pence, line.net_pence,
            line.vat_pence, line.gross_pence)


def test_january_invoice_lines_match_hand_computed_pence() -> None:
    lines, _ = january_lines(contract_card())
    assert [(line.bundle_reference, line.cause, amounts(line)) for line in lines] == [
        # express phase transfer: 300.00 + 25% express
        ("DCC-0001", "delivery", (30_000, 0, 7_500, 0, 37_500, 7_500, 45_000)),
        # 130-page new plan: 450.00 + 10% page band
        ("DCC-0002", "delivery", (45_000, 4_500, 0, 0, 49_500, 9_900, 59_400)),
        # 75 pages, 7 working days late: 35% capped at 25% of (450.00 + 50.00)
        ("DCC-0003", "delivery", (45_000, 5_000, 0, -12_500, 37_500, 7_500, 45_000)),
        # annual review amendment delivered; the LA's amendment at day 4 is free, the one at day 12 is charged
        ("DCC-0004", "delivery", (25_000, 0, 0, 0, 25_000, 5_000, 30_000)),
        ("DCC-0004", "amendment", (7_500, 0, 0, 0, 7_500, 1_500, 9_000)),
    ]


def test_january_payout_lines_match_hand_computed_pence() -> None:
    _, payouts = january_lines(contract_card())
    assert [(p.writer_id, p.cause, p.base_pence, p.express_bonus_pence, p.net_pence) for p in payouts] == [
        ("w-ann", "delivery", 20_000, 4_000, 24_000),
        ("w-bob", "delivery", 30_000, 0, 30_000),
        ("w-ann", "delivery", 30_000, 0, 30_000),  # the LA's SLA credit does not come out of the writer's pay
        ("w-cat", "delivery", 16_000, 0, 16_000),
        ("w-cat", "amendment", 5_000, 0, 5_000),
    ]


def test_january_totals_and_margin() -> None:
    lines, payouts = january_lines(contract_card())
    header = invoice_header(lines, status="final", month=MONTH, provider_name=PROVIDER, la_id=LA_ID,
                            la_name=LA_NAME, invoice_number="NP-000001", issued_on=date(2027, 2, 1))
    assert (header.line_count, header.net_pence, header.vat_pence, header.gross_pence) == (5, 157_000, 31_400,
                                                                                            188_400)
    assert header.po_numbers == ("PO-2027-001",) and header.document_type == "invoice"
    paid = payout_header(payouts, status="final", month=MONTH, provider_name=PROVIDER)
    assert (paid.line_count, paid.net_pence) == (5, 105_000)
    row = la_month(header, [], status="final", month=MONTH, la_id=LA_ID, la_name=LA_NAME)
    summary = month_summary([row], paid, status="final", month=MONTH, provider_name=PROVIDER)
    assert (summary.invoices_net_pence, summary.payouts_pence, summary.margin_pence) == (157_000, 105_000, 52_000)
    assert summary.invoices_gross_pence == 188_400 and summary.credits_net_pence == 0


def test_correction_after_close_is_a_credit_line_in_the_next_month() -> None:
    card = contract_card()
    lines, _ = january_lines(card)
    late = lines[2]
    february = next_month(late.month)
    # the LA shows DCC-0003 was in fact 2 working days late, not 7: reverse the line, charge it afresh
    credit = credit_line(late, line_id=1001, month=february, event_on=date(2027, 2, 3))
    rebill = invoice_line(rate_delivery(card, "new_plan", 75, False, 2), line_id=1002, month=february,
                          la_id=LA_ID, po_number=late.po_number, bundle_reference=late.bundle_reference,
                          event_on=date(2027, 2, 3), cause="correction")
    assert credit.kind == "credit" and credit.corrects_line_id == late.line_id and credit.month == "2027-02"
    assert amounts(credit) == (-45_000, -5_000, 0, 12_500, -37_500, -7_500, -45_000)
    assert amounts(rebill) == (45_000, 5_000, 0, -5_000, 45_000, 9_000, 54_000)
    feb = invoice_header([credit, rebill], status="draft", month=february, provider_name=PROVIDER, la_id=LA_ID,
                         la_name=LA_NAME)
    assert (feb.net_pence, feb.vat_pence, feb.gross_pence, feb.credits_net_pence) == (7_500, 1_500, 9_000, -37_500)
    assert feb.document_type == "invoice"
    # January itself is untouched: the correction lives only in February
    assert lines[2] == late and late.month == MONTH


def test_a_month_of_only_credits_is_a_credit_note() -> None:
    lines, payouts = january_lines(contract_card())
    credits = [credit_line(line, line_id=1001 + n, month="2027-02", event_on=date(2027, 2, 1))
               for n, line in enumerate(lines[:2])]
    header = invoice_header(credits, status="final", month="2027-02", provider_name=PROVIDER, la_id=LA_ID,
                            la_name=LA_NAME, invoice_number="NP-000009", issued_on=date(2027, 3, 1))
    assert header.document_type == "credit_note"
    assert (header.net_pence, header.gross_pence) == (-87_000, -104_400)
    reversal = payout_reversal(payouts[0], line_id=2001, month="2027-02", event_on=date(2027, 2, 1))
    assert reversal.net_pence == -24_000 and reversal.corrects_line_id == payouts[0].line_id
    with pytest.raises(ValueError, match="not itself credited"):
        credit_line(credits[0], line_id=1009, month="2027-03", event_on=date(2027, 3, 1))


def test_line_rows_refuse_figures_that_do_not_add_up() -> None:
    lines, _ = january_lines(contract_card())
    good = lines[0].model_dump()
    with pytest.raises(ValidationError, match="net_pence"):
        InvoiceLine.model_validate({**good, "net_pence": good["net_pence"] + 1})
    with pytest.raises(ValidationError, match="gross_pence"):
        InvoiceLine.model_validate({**good, "gross_pence": good["gross_pence"] + 1})
    with pytest.raises(ValidationError):
        InvoiceLine.model_validate({**good, "vat_pence": 7_500.0, "gross_pence": 45_000})
    with pytest.raises(ValidationError, match="names the line"):
        InvoiceLine.model_validate({**good, "kind": "credit", "base_pence": -30_000, "express_pence": -7_500,
                                    "net_pence": -37_500, "vat_pence": -7_500, "gross_pence": -45_000})


def test_a_line_belongs_to_the_london_month_of_its_event() -> None:
    # 23:30 UTC on 31 May is 00:30 BST on 1 June
    assert month_of(datetime(2027, 5, 31, 23, 30, tzinfo=UTC)) == "2027-06"
    assert month_of(datetime(2027, 1, 31, 23, 30, tzinfo=UTC)) == "2027-01"
    assert next_month("2027-12") == "2028-01" and next_month("2027-01") == "2027-02"
    with pytest.raises(NaiveTimestamp):
        month_of(datetime(2027, 1, 31, 23, 30))
