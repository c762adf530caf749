"""Pricing a delivery: pure integer-pence arithmetic, no floats anywhere.

VAT is computed per line and rounded half up to the penny: vat = floor((net * rate_percent + 50) / 100).
"""

from __future__ import annotations

from dataclasses import dataclass

# Defaults when a contract names no price for a work type (pence, before VAT).
DEFAULT_PRICES_PENCE = {
    "new_plan": 45_000, "phase_transfer": 30_000, "annual_review_amendment": 25_000,
    "reassessment": 45_000, "statement_transfer": 30_000,
}
DEFAULT_PAYOUTS_PENCE = {
    "new_plan": 30_000, "phase_transfer": 20_000, "annual_review_amendment": 16_000,
    "reassessment": 30_000, "statement_transfer": 20_000,
}


@dataclass(frozen=True)
class Priced:
    net_pence: int
    vat_pence: int

    @property
    def gross_pence(self) -> int:
        return self.net_pence + self.vat_pence


def vat(net_pence: int, rate_percent: int) -> int:
    """Per-line VAT, rounded half up (away from zero for credits)."""
    sign = -1 if net_pence < 0 else 1
    return sign * ((abs(net_pence) * rate_percent + 50) // 100)


def price(work_type: str, prices_pence: dict[str, int], vat_rate_percent: int) -> Priced:
    net = int(prices_pence.get(work_type, DEFAULT_PRICES_PENCE[work_type]))
    return Priced(net_pence=net, vat_pence=vat(net, vat_rate_percent))


def payout(work_type: str, payouts_pence: dict[str, int]) -> Priced:
    return Priced(net_pence=int(payouts_pence.get(work_type, DEFAULT_PAYOUTS_PENCE[work_type])), vat_pence=0)
