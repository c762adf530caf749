"""Properties over random rate cards and deliveries: every line adds up, totals are sums, credits cancel."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from service.billing.lines import credit_line, invoice_line
from service.billing.rate_card import WORK_TYPES, PageBand, RateCard, SlaCreditRule, Surcharge
from service.billing.rating import rate_delivery, rate_payout, share
from service.billing.totals import invoice_header, verified_invoice_lines

pence = st.integers(min_value=0, max_value=5_000_000)
basis_points = st.integers(min_value=0, max_value=10_000)
surcharges = st.one_of(st.builds(Surcharge.fixed, pence), st.builds(Surcharge.percent, basis_points))
bands = st.lists(st.tuples(st.integers(min_value=1, max_value=400), surcharges), max_size=4,
                 unique_by=lambda band: band[0]).map(
    lambda found: tuple(PageBand(from_page=start, surcharge=s) for start, s in sorted(found, key=lambda b: b[0])))
cards = st.builds(
    lambda prices, payouts, page_bands, express, vat, per_day, cap, bonus: RateCard(
        prices_pence=dict(zip(WORK_TYPES, prices, strict=True)),
        payouts_pence=dict(zip(WORK_TYPES, payouts, strict=True)), page_bands=page_bands, express=express,
        vat_rate_bp=vat, sla_credit=SlaCreditRule(percent_bp_per_day=per_day, cap_bp=cap), express_bonus=bonus),
    st.lists(pence, min_size=5, max_size=5), st.lists(pence, min_size=5, max_size=5), bands, surcharges,
    st.integers(min_value=0, max_value=2_500), st.integers(min_value=0, max_value=2_000), basis_points, surcharges,
)
deliveries = st.tuples(st.sampled_from(WORK_TYPES), st.integers(min_value=0, max_value=600), st.booleans(),
                       st.integers(min_value=0, max_value=40))


def half_up(amount: int, bp: int) -> int:
    """The documented rule computed another way: exact rational, then half away from zero."""
    exact = Fraction(abs(amount) * bp, 10_000)
    rounded = int(exact) + (1 if exact - int(exact) >= Fraction(1, 2) else 0)
    return rounded if amount >= 0 else -rounded


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=-10**9, max_value=10**9), basis_points)
def test_share_matches_exact_half_up_rounding(amount: int, bp: int) -> None:
    assert share(amount, bp) == half_up(amount, bp)
    assert share(-amount, bp) == -share(amount, bp)


@settings(max_examples=150, deadline=None)
@given(cards, deliveries)
def test_every_item_and_line_adds_up_in_whole_pence(card: RateCard, delivery: tuple[str, int, bool, int]) -> None:
    work_type, pages, express, late = delivery
    rated = rate_delivery(card, work_type, pages, express, late)
    for item in rated.items:
        assert type(item.net_pence) is int and type(item.vat_pence) is int
        assert item.vat_pence == half_up(item.net_pence, card.vat_rate_bp)
        assert item.gross_pence == item.net_pence + item.vat_pence
    assert rated.net_pence == rated.base_pence + rated.page_band_pence + rated.express_pence + rated.sla_credit_pence
    assert rated.gross_pence == rated.net_pence + rated.vat_pence
    charged = rated.net_pence - rated.sla_credit_pence
    assert 0 <= -rated.sla_credit_pence <= half_up(charged, card.sla_credit.cap_bp)
    assert rate_payout(card, work_type, express).net_pence >= card.payouts_pence[work_type]  # type: ignore[index]


@settings(max_examples=60, deadline=None)
@given(cards, st.lists(deliveries, min_size=0, max_size=25), st.data())
def test_invoice_totals_are_the_sums_of_lines_and_credits_cancel(
    card: RateCard, jobs: list[tuple[str, int, bool, int]], data: st.DataObject,
) -> None:
    lines = [invoice_line(rate_delivery(card, *job), line_id=n + 1, month="2027-03", la_id="la", po_number=None,
                          bundle_reference=f"R{n}", event_on=date(2027, 3, 1)) for n, job in enumerate(jobs)]
    header = invoice_header(lines, status="draft", month="2027-03", provider_name="P", la_id="la", la_name="LA")
    assert header.net_pence == sum(line.net_pence for line in lines)
    assert header.vat_pence == sum(line.vat_pence for line in lines)
    assert header.gross_pence == header.net_pence + header.vat_pence
    assert list(verified_invoice_lines(header, lines)) == lines
    reversed_ones = data.draw(st.lists(st.sampled_from(lines), unique_by=lambda line: line.line_id)) if lines else []
    credits = [credit_line(line, line_id=10_000 + line.line_id, month="2027-04", event_on=date(2027, 4, 1))
               for line in reversed_ones]
    for line, credit in zip(reversed_ones, credits, strict=True):
        assert (line.net_pence + credit.net_pence, line.vat_pence + credit.vat_pence) == (0, 0)
