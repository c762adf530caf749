"""Purchase orders: a submission that does not fit the open PO is held with a reason; the LA is warned at 80%."""

from __future__ import annotations

from service.billing.purchase_orders import PurchaseOrderState, committed_price, decide
from tests.billing.month import contract_card


def po(number: str, value: int, spent: int = 0, committed: int = 0) -> PurchaseOrderState:
    return PurchaseOrderState(po_number=number, value_pence=value, spent_pence=spent, committed_pence=committed)


def test_a_submission_commits_its_most_expensive_price() -> None:
    # 130 pages, express: 45,000 + 4,500 + 11,250; no SLA credit is assumed in advance
    assert committed_price(contract_card(), "new_plan", 130, True) == 60_750


def test_a_submission_that_fits_is_charged_to_the_oldest_po_with_room() -> None:
    decision = decide([po("PO-1", 100_000, spent=90_000), po("PO-2", 500_000)], 45_000)
    assert (decision.verdict, decision.po_number, decision.warn) == ("accept", "PO-2", False)


def test_the_la_is_warned_when_spend_reaches_eighty_percent() -> None:
    assert decide([po("PO-1", 100_000, spent=30_000, committed=5_000)], 44_999).warn is False
    assert decide([po("PO-1", 100_000, spent=30_000, committed=5_000)], 45_000).warn is True


def test_a_submission_that_would_exceed_every_open_po_is_held_with_a_reason() -> None:
    decision = decide([po("PO-1", 100_000, spent=60_000, committed=10_000)], 45_000)
    assert decision.verdict == "hold" and decision.po_number is None
    assert decision.reason is not None and "30000 pence left" in decision.reason and "add a purchase order" in \
        decision.reason
    assert decide([po("PO-1", 100_000, spent=60_000, committed=10_000)], 30_000).verdict == "accept"


def test_an_la_without_a_po_is_held() -> None:
    decision = decide([], 45_000)
    assert decision.verdict == "hold" and decision.reason is not None and "no open purchase order" in decision.reason
