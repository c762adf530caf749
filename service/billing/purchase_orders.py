"""Purchase-order caps: whether a submission fits the LA's open PO, and when the LA is warned of its spend.

A bundle's final price is known only at delivery (lateness), so a submission is committed against the PO at its
most it can cost: the rate with its page band and express surcharge and no SLA credit (`committed_price`). The
delivery then spends the real net amount, which is never more. Amounts are net of VAT, as POs are raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from service.billing.rate_card import RateCard
from service.billing.rating import rate_delivery

WARN_AT_BP = 8_000  # the LA is warned once committed spend reaches 80% of the PO's value

PoVerdict = Literal["accept", "hold"]


@dataclass(frozen=True)
class PurchaseOrderState:
    """A PO's value and what is already charged (delivered) or committed (submitted, not yet delivered)."""

    po_number: str
    value_pence: int
    spent_pence: int
    committed_pence: int

    @property
    def remaining_pence(self) -> int:
        return self.value_pence - self.spent_pence - self.committed_pence


@dataclass(frozen=True)
class PoDecision:
    """What to do with a submission: accept it against `po_number`, or hold it with a reason the LA can act on."""

    verdict: PoVerdict
    po_number: str | None
    reason: str | None
    warn: bool  # the PO's committed spend has reached WARN_AT_BP of its value


def committed_price(card: RateCard, work_type: str, pages: int, express: bool) -> int:
    """The most a submission can cost (net): its price with surcharges and no SLA credit."""
    return rate_delivery(card, work_type, pages, express, 0).net_pence


def decide(open_orders: list[PurchaseOrderState], amount_pence: int) -> PoDecision:
    """Charge a submission to the first open PO (in the order given: oldest first) with room for it, or hold it.

    An LA with no PO at all is held too: the contract says every invoice line carries a PO number.
    """
    for order in open_orders:
        if amount_pence <= order.remaining_pence:
            after = order.spent_pence + order.committed_pence + amount_pence
            return PoDecision("accept", order.po_number, None, after * 10_000 >= order.value_pence * WARN_AT_BP)
    if not open_orders:
        return PoDecision("hold", None, "no open purchase order: add one to release this bundle", False)
    room = max(order.remaining_pence for order in open_orders)
    return PoDecision(
        "hold", None,
        f"needs {amount_pence} pence net but the open purchase orders have at most {room} pence left: "
        "add a purchase order to release this bundle", True,
    )
