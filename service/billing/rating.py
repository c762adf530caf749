"""Pricing a delivery and a writer's payout from a rate card: pure integer-pence arithmetic, no floats anywhere.

Rounding rule (the one rule for every share of an amount: percentage surcharges, SLA credits and VAT):
    share(amount, bp) = sign(amount) * floor((|amount| * bp + 5000) / 10000)
that is, half a penny rounds up, away from zero for negative amounts, so a credit is always the exact mirror of
the charge it reverses. VAT is worked out on each priced item (base, page-band surcharge, express surcharge,
SLA credit, amendment) on its own, and a line's VAT is the sum of its items' VAT: every figure shown is the sum
of the figures beneath it.

What a delivery costs:
- base: the card's price for the work type;
- page band: the highest band the bundle's pages reach (fixed, or a percentage of the base);
- express: fixed, or a percentage of the base;
- SLA credit (negative): percent_bp_per_day x late working days, at most cap_bp, of base + surcharges.
Amendments asked for within the free window (working days after delivery) cost nothing and produce no line;
after it, one amendment line at the card's amendment price (and an amendment payout for the writer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from service.billing.rate_card import BASIS_POINTS, PayoutEvent, RateCard, Surcharge

ItemCode = Literal["base", "page_band", "express", "sla_credit", "amendment", "express_bonus"]


class RatingError(ValueError):
    """A delivery that cannot be rated as given (negative pages, a float where pence belong)."""


def share(amount_pence: int, basis_points: int) -> int:
    """`basis_points` of `amount_pence`, rounded half up (half away from zero for negative amounts)."""
    _require_int("amount_pence", amount_pence)
    _require_int("basis_points", basis_points)
    sign = -1 if amount_pence < 0 else 1
    return sign * ((abs(amount_pence) * basis_points + BASIS_POINTS // 2) // BASIS_POINTS)


@dataclass(frozen=True)
class RatedItem:
    """One priced component of a line: its net and the VAT on it (zero on payouts)."""

    code: ItemCode
    net_pence: int
    vat_pence: int

    @property
    def gross_pence(self) -> int:
        return self.net_pence + self.vat_pence


@dataclass(frozen=True)
class RatedDelivery:
    """What the LA is charged for one delivery (or one chargeable amendment), item by item."""

    work_type: str
    pages: int
    express: bool
    late_working_days: int
    vat_rate_bp: int
    items: tuple[RatedItem, ...]

    def amount(self, code: ItemCode) -> int:
        return sum(item.net_pence for item in self.items if item.code == code)

    @property
    def base_pence(self) -> int:
        return self.amount("base") + self.amount("amendment")

    @property
    def page_band_pence(self) -> int:
        return self.amount("page_band")

    @property
    def express_pence(self) -> int:
        return self.amount("express")

    @property
    def sla_credit_pence(self) -> int:
        return self.amount("sla_credit")

    @property
    def net_pence(self) -> int:
        return sum(item.net_pence for item in self.items)

    @property
    def vat_pence(self) -> int:
        return sum(item.vat_pence for item in self.items)

    @property
    def gross_pence(self) -> int:
        return self.net_pence + self.vat_pence


@dataclass(frozen=True)
class RatedPayout:
    """What a writer earns for one delivery (or one chargeable amendment): base and express bonus, no VAT."""

    work_type: str
    express: bool
    earned_on: PayoutEvent
    items: tuple[RatedItem, ...]

    @property
    def base_pence(self) -> int:
        return sum(item.net_pence for item in self.items if item.code in ("base", "amendment"))

    @property
    def express_bonus_pence(self) -> int:
        return sum(item.net_pence for item in self.items if item.code == "express_bonus")

    @property
    def net_pence(self) -> int:
        return sum(item.net_pence for item in self.items)


def rate_delivery(
    card: RateCard, work_type: str, pages: int, express: bool, late_working_days: int,
) -> RatedDelivery:
    """The LA's charge for one delivered plan: base, page-band and express surcharges, and any SLA credit."""
    _require_int("pages", pages, minimum=0)
    _require_int("late_working_days", late_working_days, minimum=0)
    if not isinstance(express, bool):
        raise RatingError("express must be true or false")
    base = card.price_of(work_type)
    nets: list[tuple[ItemCode, int]] = [("base", base)]
    band = card.band_for(pages)
    if band is not None:
        nets.append(("page_band", _surcharge(band.surcharge, base)))
    if express:
        nets.append(("express", _surcharge(card.express, base)))
    if late_working_days:
        credit_bp = min(card.sla_credit.percent_bp_per_day * late_working_days, card.sla_credit.cap_bp)
        charged = sum(net for _, net in nets)
        nets.append(("sla_credit", -share(charged, credit_bp)))
    items = tuple(RatedItem(code, net, share(net, card.vat_rate_bp)) for code, net in nets)
    return RatedDelivery(work_type, pages, express, late_working_days, card.vat_rate_bp, items)


def rate_payout(card: RateCard, work_type: str, express: bool) -> RatedPayout:
    """The writer's earning for one delivered plan: the card's payout for the work type plus any express bonus.

    The SLA credit is the provider's cost towards the LA and does not reduce the writer's payout.
    """
    if not isinstance(express, bool):
        raise RatingError("express must be true or false")
    base = card.payout_of(work_type)
    items = [RatedItem("base", base, 0)]
    if express:
        items.append(RatedItem("express_bonus", _surcharge(card.express_bonus, base), 0))
    return RatedPayout(work_type, express, card.payout_earned_on, tuple(items))


def amendment_is_free(card: RateCard, working_days_after_delivery: int) -> bool:
    """An amendment the LA asks for within the free window (inclusive) is part of the delivered job."""
    _require_int("working_days_after_delivery", working_days_after_delivery, minimum=0)
    return working_days_after_delivery <= card.free_amendment_working_days


def rate_amendment(
    card: RateCard, work_type: str, working_days_after_delivery: int,
) -> tuple[RatedDelivery, RatedPayout] | None:
    """The charge and the writer's payout for an amendment, or None when it falls in the free window."""
    if amendment_is_free(card, working_days_after_delivery):
        return None
    charge = card.amendment_price_of(work_type)
    paid = card.amendment_payout_of(work_type)
    rated = RatedDelivery(work_type, 0, False, 0, card.vat_rate_bp,
                          (RatedItem("amendment", charge, share(charge, card.vat_rate_bp)),))
    return rated, RatedPayout(work_type, False, card.payout_earned_on, (RatedItem("amendment", paid, 0),))


def payout_is_earned_on(card: RateCard, event: PayoutEvent) -> bool:
    """Whether this event (delivery, or the LA's acceptance) is the one that writes the writer's payout line."""
    return card.payout_earned_on == event


def reverse(items: Iterable[RatedItem]) -> tuple[RatedItem, ...]:
    """The credit items that cancel these exactly (the rounding rule is symmetric, so no penny is left over)."""
    return tuple(RatedItem(item.code, -item.net_pence, -item.vat_pence) for item in items)


def _surcharge(surcharge: Surcharge, base_pence: int) -> int:
    return surcharge.fixed_pence + share(base_pence, surcharge.percent_bp)


def _require_int(name: str, value: object, *, minimum: int | None = None) -> None:
    # bool is an int subclass, and a float would let inexact money in: refuse both
    if isinstance(value, bool) or not isinstance(value, int):
        raise RatingError(f"{name} must be a whole number, not {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise RatingError(f"{name} must be at least {minimum}")
