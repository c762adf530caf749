"""Pricing deliveries by hand-computed pence: surcharges, SLA credits, amendments, payouts and VAT rounding."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.billing.rate_card import RateCard, RateCardInvalid, standard_rate_card
from service.billing.rating import (
    RatingError,
    amendment_is_free,
    payout_is_earned_on,
    rate_amendment,
    rate_delivery,
    rate_payout,
    reverse,
    share,
)
from tests.billing.month import contract_card, simple_card


def items(rated: object) -> list[tuple[str, int, int]]:
    return [(item.code, item.net_pence, item.vat_pence) for item in rated.items]  # type: ignore[attr-defined]


def test_express_job_adds_a_quarter_of_the_base_with_its_own_vat() -> None:
    rated = rate_delivery(contract_card(), "phase_transfer", 40, True, 0)
    assert items(rated) == [("base", 30_000, 6_000), ("express", 7_500, 1_500)]
    assert (rated.net_pence, rated.vat_pence, rated.gross_pence) == (37_500, 7_500, 45_000)


def test_large_bundle_takes_the_highest_page_band_reached_not_the_sum_of_bands() -> None:
    card = contract_card()
    assert items(rate_delivery(card, "new_plan", 60, False, 0)) == [("base", 45_000, 9_000)]
    assert items(rate_delivery(card, "new_plan", 61, False, 0)) == [("base", 45_000, 9_000),
                                                                     ("page_band", 5_000, 1_000)]
    assert items(rate_delivery(card, "new_plan", 120, False, 0))[1] == ("page_band", 5_000, 1_000)
    large = rate_delivery(card, "new_plan", 130, False, 0)
    assert items(large) == [("base", 45_000, 9_000), ("page_band", 4_500, 900)]  # 121+: 10% of the base
    assert (large.net_pence, large.vat_pence, large.gross_pence) == (49_500, 9_900, 59_400)


def test_late_delivery_earns_five_percent_a_working_day_of_the_whole_charge() -> None:
    rated = rate_delivery(contract_card(), "new_plan", 75, False, 3)
    # 15% of (45,000 + 5,000) = 7,500 credited, VAT 1,500 credited
    assert items(rated) == [("base", 45_000, 9_000), ("page_band", 5_000, 1_000), ("sla_credit", -7_500, -1_500)]
    assert (rated.net_pence, rated.vat_pence, rated.gross_pence) == (42_500, 8_500, 51_000)


def test_sla_credit_is_capped_at_a_quarter() -> None:
    card = contract_card()
    seven_days = rate_delivery(card, "new_plan", 75, False, 7)
    assert seven_days.sla_credit_pence == -12_500  # 35% capped at 25% of 50,000
    assert rate_delivery(card, "new_plan", 75, False, 30).items == seven_days.items
    assert rate_delivery(card, "new_plan", 75, False, 5).sla_credit_pence == -12_500  # exactly the cap
    assert rate_delivery(card, "new_plan", 75, False, 4).sla_credit_pence == -10_000


def test_express_large_and_late_stack_in_a_fixed_order() -> None:
    rated = rate_delivery(contract_card(), "new_plan", 130, True, 2)
    # base 45,000; band 10% = 4,500; express 25% of base = 11,250; credit 10% of 60,750 = 6,075
    assert items(rated) == [("base", 45_000, 9_000), ("page_band", 4_500, 900), ("express", 11_250, 2_250),
                            ("sla_credit", -6_075, -1_215)]
    assert (rated.net_pence, rated.vat_pence) == (54_675, 10_935)


def test_amendment_within_the_free_window_writes_no_charge() -> None:
    card = contract_card()
    assert rate_amendment(card, "annual_review_amendment", 0) is None
    assert rate_amendment(card, "annual_review_amendment", 10) is None  # the window is inclusive
    assert amendment_is_free(card, 10) and not amendment_is_free(card, 11)


def test_amendment_after_the_window_is_charged_and_paid() -> None:
    charged = rate_amendment(contract_card(), "annual_review_amendment", 11)
    assert charged is not None
    charge, paid = charged
    assert items(charge) == [("amendment", 7_500, 1_500)]
    assert charge.base_pence == 7_500 and charge.gross_pence == 9_000
    assert paid.net_pence == 5_000 and paid.base_pence == 5_000


def test_amendment_priced_for_a_work_type_the_card_omits_is_refused() -> None:
    with pytest.raises(RateCardInvalid, match="amendment_prices_pence"):
        rate_amendment(contract_card(), "phase_transfer", 20)


def test_writer_payout_is_the_rate_plus_express_bonus_and_ignores_sla_credits() -> None:
    card = contract_card()
    assert rate_payout(card, "phase_transfer", True).net_pence == 24_000
    express = rate_payout(card, "phase_transfer", True)
    assert (express.base_pence, express.express_bonus_pence) == (20_000, 4_000)
    assert rate_payout(card, "new_plan", False).net_pence == 30_000
    percent_bonus = rate_payout(contract_card(express_bonus={"percent_bp": 1_250}), "new_plan", True)
    assert percent_bonus.express_bonus_pence == 3_750


def test_payout_is_earned_on_the_event_the_contract_names() -> None:
    on_delivery = contract_card()
    on_acceptance = contract_card(payout_earned_on="acceptance")
    assert payout_is_earned_on(on_delivery, "delivery") and not payout_is_earned_on(on_delivery, "acceptance")
    assert payout_is_earned_on(on_acceptance, "acceptance") and not payout_is_earned_on(on_acceptance, "delivery")
    assert rate_payout(on_acceptance, "new_plan", False).earned_on == "acceptance"


@pytest.mark.parametrize(("net", "rate_bp", "expected"), [
    (10, 500, 1),          # 0.5p rounds up
    (30, 500, 2),          # 1.5p rounds up
    (50, 500, 3),          # 2.5p rounds up (not to even)
    (-50, 500, -3),        # a credit mirrors its charge
    (20, 1_750, 4),        # 17.5% of 20p = 3.5p
    (2, 1_750, 0),         # 0.35p
    (12_347, 2_000, 2_469),  # 2,469.4p
    (12_348, 2_000, 2_470),  # 2,469.6p
    (-12_348, 2_000, -2_470),
    (0, 2_000, 0),
])
def test_vat_on_a_line_rounds_half_a_penny_up_and_away_from_zero(net: int, rate_bp: int, expected: int) -> None:
    assert share(net, rate_bp) == expected


def test_half_penny_surcharges_and_credits_round_up() -> None:
    card = simple_card(vat_rate_bp=500, prices_pence={"new_plan": 30_002})
    rated = rate_delivery(card, "new_plan", 10, True, 1)
    # express 25% of 30,002 = 7,500.5 -> 7,501; credit 5% of 37,503 = 1,875.15 -> 1,875; VAT at 5% per item:
    # 1,500.1 -> 1,500; 375.05 -> 375; -93.75 -> -94
    assert items(rated) == [("base", 30_002, 1_500), ("express", 7_501, 375), ("sla_credit", -1_875, -94)]
    assert rated.vat_pence == 1_781


def test_reversed_items_cancel_to_the_penny() -> None:
    rated = rate_delivery(simple_card(vat_rate_bp=500), "new_plan", 70, True, 3)
    reversed_items = reverse(rated.items)
    assert sum(i.net_pence for i in rated.items + reversed_items) == 0
    assert sum(i.vat_pence for i in rated.items + reversed_items) == 0


def test_floats_are_refused_before_any_arithmetic() -> None:
    card = standard_rate_card()
    with pytest.raises(RatingError, match="pages"):
        rate_delivery(card, "new_plan", 10.0, False, 0)  # type: ignore[arg-type]
    with pytest.raises(RatingError, match="late_working_days"):
        rate_delivery(card, "new_plan", 10, False, 1.5)  # type: ignore[arg-type]
    with pytest.raises(RatingError):
        rate_delivery(card, "new_plan", -1, False, 0)
    with pytest.raises(RatingError):
        share(100.0, 2_000)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        standard_rate_card(prices_pence={"new_plan": 450.0})
    with pytest.raises(ValidationError):
        standard_rate_card(vat_rate_bp=20.0)
    with pytest.raises(ValidationError):
        standard_rate_card(express={"percent_bp": "2500"})


def test_every_rated_amount_is_an_int() -> None:
    rated = rate_delivery(standard_rate_card(), "new_plan", 150, True, 9)
    for item in rated.items:
        assert type(item.net_pence) is int and type(item.vat_pence) is int


def test_rate_card_refuses_incoherent_settings() -> None:
    with pytest.raises(ValidationError, match="strictly increase"):
        standard_rate_card(page_bands=[{"from_page": 121, "surcharge": {}}, {"from_page": 61, "surcharge": {}}])
    with pytest.raises(ValidationError, match="not both"):
        standard_rate_card(express={"percent_bp": 100, "fixed_pence": 100})
    with pytest.raises(ValidationError, match="never negative"):
        standard_rate_card(payouts_pence={"new_plan": -1})
    with pytest.raises(RateCardInvalid, match="prices_pence"):
        rate_delivery(RateCard(prices_pence={}, payouts_pence={}), "new_plan", 1, False, 0)
