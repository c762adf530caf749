"""Billing terms fixed per bundle: the rate card of the contract in force when the bundle was committed.

A bundle's prices, payout rule (on delivery or on acceptance), surcharges, SLA credit and amendment window are
copied onto the bundle (`Bundle.rate_terms`) in the transaction that commits it against a purchase order, and
every line the bundle ever writes is priced and paid by that copy. So finance may change an LA's card at any
time: work already committed is never re-priced, never paid twice (delivery under one rule, acceptance under
another) and never left unpaid (the reverse change). A bundle committed before terms were kept has them fixed at
its first delivery, from the card in force then.

The contract in force is `service.contracts_in_force` (versioned contracts, when they land, answer the same
question); `card_of` is the one place a contract row becomes a `RateCard`.

Validation, the one validator others call: `check_rate_card` refuses a card that leaves any work type the contract
allows unpriced (422 naming each missing `<table>.<work type>`); `terms_at_commit` refuses to commit a bundle whose
work type the card does not price (422: it never reaches submission); and `priced` turns a price found missing at
any later step into `PriceMissing`, a typed 409 the caller may retry once finance has priced it, never a 500.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient

from service.billing.rate_card import WORK_TYPES, RateCard, RateCardInvalid, standard_rate_card, unpriced
from service.errors import Conflict, InvalidInput
from service.models import Bundle, LaContract

T = TypeVar("T")


class RateCardIncomplete(InvalidInput):
    """The rate card leaves a work type its contract allows without a price or payout: `missing` lists each
    `<table>.<work type>` (`prices_pence.reassessment`). Nothing was changed; send the card with every amount."""

    type_, title = "rate-card-incomplete", "Rate card incomplete"

    def __init__(self, missing: list[str], *, field_prefix: str = "body") -> None:
        super().__init__(
            f"the rate card names no amount for {', '.join(missing)}", missing=missing,
            errors=[{"field": f"{field_prefix}.{name}", "message": "no amount for this work type"}
                    for name in missing])


class PriceMissing(Conflict):
    """A step needed a price or payout the bundle's rate card does not name (`missing`). Nothing was changed:
    once finance has priced the work type (`PUT /v1/billing/rate-cards/{la_id}`), retry the same request."""

    type_, title = "price-missing", "Price missing"

    def __init__(self, detail: str) -> None:
        super().__init__(f"{detail}; nothing was changed: price it and retry", retryable=True)


def allowed_work_types(contract: LaContract | None) -> tuple[str, ...]:
    """The work types the contract allows; a contract names no subset today, so every work type."""
    del contract
    return WORK_TYPES


def card_of(contract: LaContract | None) -> RateCard:
    """The contract's rate card; the free amendment window is always the contract's `amendment_window_days`.

    A contract without a stored card is priced by the standard card with its own prices, payouts and VAT rate.
    """
    window = contract.amendment_window_days if contract is not None else 10
    if contract is not None and contract.rate_card:
        return RateCard.model_validate({**contract.rate_card, "free_amendment_working_days": window})
    standard = standard_rate_card()
    if contract is None:
        return standard_rate_card(free_amendment_working_days=window)
    prices: dict[str, int] = {key: amount for key, amount in standard.prices_pence.items()}
    prices.update(contract.prices_pence)
    payouts: dict[str, int] = {key: amount for key, amount in standard.payouts_pence.items()}
    payouts.update(contract.payouts_pence)
    return standard_rate_card(
        prices_pence=prices, payouts_pence=payouts,
        vat_rate_bp=contract.vat_rate_percent * 100, free_amendment_working_days=window,
    )


def check_rate_card(card: RateCard, work_types: Iterable[str] = WORK_TYPES, *, field_prefix: str = "body") -> None:
    """Refuse (422, naming each gap) a card that does not price every one of `work_types` in every table."""
    missing = unpriced(card, work_types)
    if missing:
        raise RateCardIncomplete(missing, field_prefix=field_prefix)


def terms_at_commit(bundle: Bundle, contract: LaContract | None) -> dict[str, Any]:
    """The terms to fix on a bundle being committed (JSON), or 422 when its work type is not priced."""
    card = card_of(contract)
    check_rate_card(card, (bundle.work_type.value,), field_prefix="rate_card")
    return card.model_dump(mode="json")


def terms_of(bundle: Bundle, contract: LaContract | None) -> RateCard:
    """The bundle's fixed terms; for a bundle committed before terms were kept, the contract's card now."""
    if bundle.rate_terms:
        return RateCard.model_validate(bundle.rate_terms)
    return card_of(contract)


async def fixed_terms(bundle: Bundle, contract: LaContract | None, conn: BaseDBAsyncClient) -> RateCard:
    """The bundle's terms, fixing them now (from the contract's card) if the bundle has none yet."""
    card = terms_of(bundle, contract)
    if not bundle.rate_terms:
        bundle.rate_terms = card.model_dump(mode="json")
        await Bundle.filter(id=bundle.id).using_db(conn).update(rate_terms=bundle.rate_terms)
    return card


async def priced(step: Callable[[], Awaitable[T]]) -> T:
    """Run a pricing step; a price the card does not name becomes `PriceMissing` (409, retryable), not a 500."""
    try:
        return await step()
    except RateCardInvalid as exc:
        raise PriceMissing(str(exc)) from None
