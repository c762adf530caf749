"""An LA contract's rate card: prices, surcharges, SLA credits, amendments and writer payouts (integer pence).

Every amount is an integer number of pence and every rate an integer number of basis points (1 bp = 0.01%,
so 20% VAT is 2000 bp): the models are strict, so a float (or a numeric string) is refused at the boundary and
can never leak into the arithmetic in `service.billing.rating`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

from contracts.api import WorkTypeName

WORK_TYPES: tuple[WorkTypeName, ...] = (
    "new_plan", "phase_transfer", "annual_review_amendment", "reassessment", "statement_transfer",
)
BASIS_POINTS = 10_000  # 100%

PayoutEvent = Literal["delivery", "acceptance"]
Pence = StrictInt
BasisPoints = StrictInt


class RateCardInvalid(ValueError):
    """A rate card that cannot price a delivery (a missing work type, overlapping bands, a negative price)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Surcharge(_Frozen):
    """A fixed amount, or a percentage (basis points) of the base price it applies to; never both."""

    fixed_pence: Pence = Field(default=0, ge=0)
    percent_bp: BasisPoints = Field(default=0, ge=0, le=10 * BASIS_POINTS)

    @model_validator(mode="after")
    def _one_kind(self) -> Surcharge:
        if self.fixed_pence and self.percent_bp:
            raise ValueError("a surcharge is either fixed_pence or percent_bp, not both")
        return self

    @classmethod
    def none(cls) -> Surcharge:
        return cls()

    @classmethod
    def fixed(cls, pence: int) -> Surcharge:
        return cls(fixed_pence=pence)

    @classmethod
    def percent(cls, basis_points: int) -> Surcharge:
        return cls(percent_bp=basis_points)


class PageBand(_Frozen):
    """Bundles of `from_page` pages or more carry this surcharge (the highest band reached applies, not a sum)."""

    from_page: StrictInt = Field(ge=1)
    surcharge: Surcharge


class SlaCreditRule(_Frozen):
    """A credit of `percent_bp_per_day` of the delivery's charge for each late working day, at most `cap_bp`."""

    percent_bp_per_day: BasisPoints = Field(default=500, ge=0, le=BASIS_POINTS)
    cap_bp: BasisPoints = Field(default=2_500, ge=0, le=BASIS_POINTS)


class RateCard(_Frozen):
    """What an LA pays per delivery and what its writer earns, under one contract."""

    prices_pence: Mapping[WorkTypeName, Pence]
    page_bands: tuple[PageBand, ...] = ()
    express: Surcharge = Surcharge()
    vat_rate_bp: BasisPoints = Field(default=2_000, ge=0, le=BASIS_POINTS)
    sla_credit: SlaCreditRule = SlaCreditRule()
    # an LA's request for amendments within this many working days of delivery is part of the job
    free_amendment_working_days: StrictInt = Field(default=10, ge=0)
    amendment_prices_pence: Mapping[WorkTypeName, Pence] = Field(default_factory=dict)
    payouts_pence: Mapping[WorkTypeName, Pence]
    express_bonus: Surcharge = Surcharge()
    amendment_payouts_pence: Mapping[WorkTypeName, Pence] = Field(default_factory=dict)
    payout_earned_on: PayoutEvent = "delivery"

    @model_validator(mode="after")
    def _coherent(self) -> RateCard:
        for name in ("prices_pence", "payouts_pence", "amendment_prices_pence", "amendment_payouts_pence"):
            table: Mapping[str, int] = getattr(self, name)
            if any(amount < 0 for amount in table.values()):
                raise ValueError(f"{name}: amounts are pence and never negative")
        starts = [band.from_page for band in self.page_bands]
        if starts != sorted(set(starts)):
            raise ValueError("page_bands: from_page must strictly increase")
        return self

    def price_of(self, work_type: str) -> int:
        return _look_up(self.prices_pence, work_type, "prices_pence")

    def payout_of(self, work_type: str) -> int:
        return _look_up(self.payouts_pence, work_type, "payouts_pence")

    def amendment_price_of(self, work_type: str) -> int:
        return _look_up(self.amendment_prices_pence, work_type, "amendment_prices_pence")

    def amendment_payout_of(self, work_type: str) -> int:
        return _look_up(self.amendment_payouts_pence, work_type, "amendment_payouts_pence")

    def band_for(self, pages: int) -> PageBand | None:
        """The highest band whose threshold the bundle reaches, or None below the first band."""
        reached = [band for band in self.page_bands if pages >= band.from_page]
        return reached[-1] if reached else None


PRICE_TABLES = ("prices_pence", "payouts_pence", "amendment_prices_pence", "amendment_payouts_pence")


def unpriced(card: RateCard, work_types: Iterable[str]) -> list[str]:
    """Each `<table>.<work type>` the card leaves without an amount, for the given work types (empty: complete).

    A card must price every work type its contract allows in all four tables: the LA's price and the writer's
    payout, and both for an amendment asked for outside the free window, since any of them may be needed later.
    """
    wanted = list(work_types)
    return [f"{table}.{work_type}" for table in PRICE_TABLES for work_type in wanted
            if work_type not in getattr(card, table)]


def _look_up(table: Mapping[WorkTypeName, int], work_type: str, field: str) -> int:
    try:
        return table[work_type]  # type: ignore[index]
    except KeyError:
        raise RateCardInvalid(f"{field}: the rate card names no amount for work type {work_type!r}") from None


def standard_rate_card(**changes: object) -> RateCard:
    """A plausible default contract (GBP 450 a new plan; 5%/working day SLA credit capped at 25%), for demos and tests.

    Pages 61-120 add GBP 50, 121 or more add GBP 100; express adds 25% of the base price and pays the writer a
    GBP 40 bonus; amendments are free for 10 working days after delivery.
    """
    settings: dict[str, object] = {
        "prices_pence": {"new_plan": 45_000, "phase_transfer": 30_000, "annual_review_amendment": 25_000,
                         "reassessment": 45_000, "statement_transfer": 30_000},
        "page_bands": (PageBand(from_page=61, surcharge=Surcharge.fixed(5_000)),
                       PageBand(from_page=121, surcharge=Surcharge.fixed(10_000))),
        "express": Surcharge.percent(2_500),
        "vat_rate_bp": 2_000,
        "sla_credit": SlaCreditRule(percent_bp_per_day=500, cap_bp=2_500),
        "free_amendment_working_days": 10,
        "amendment_prices_pence": {work_type: 7_500 for work_type in WORK_TYPES},
        "payouts_pence": {"new_plan": 30_000, "phase_transfer": 20_000, "annual_review_amendment": 16_000,
                          "reassessment": 30_000, "statement_transfer": 20_000},
        "express_bonus": Surcharge.fixed(4_000),
        "amendment_payouts_pence": {work_type: 5_000 for work_type in WORK_TYPES},
        "payout_earned_on": "delivery",
    }
    settings.update(changes)
    return RateCard.model_validate(settings)
