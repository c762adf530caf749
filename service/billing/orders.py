"""Purchase orders in the service: adding them, and deciding what a submission is committed against.

A submission is decided by `purchase_orders.decide` with the LA's purchase-order rows locked (FOR UPDATE on
PostgreSQL, oldest first), so two submissions can never both pass a cap: the second waits for the first to commit
and then sees its commitment. Pages are counted at screening, after submission, so a submission is committed at
the most it can cost (the card's top page band, express surcharge, no SLA credit) and the commitment is cut to its
exact price when screening counts the pages. A bundle stops counting as committed once delivered: its invoice
lines then count as spent.

A submission with no room is moved to `held` (not refused): the LA's request succeeded and the bundle waits, with
its reason on the bundle and its timeline (and the `bundle.held` webhook), until a purchase order with room is
added, which releases held bundles oldest first into `submitted`. The moves (submit, hold, release) are the
bundles room's (service/bundles/submission.py); this module decides the commitment. The LA is warned once per PO (a
`purchase_order.warning` timeline event and webhook) when committed spend reaches 80% of its value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from contracts.billing import (
    PurchaseOrderCommitment,
    PurchaseOrderCreate,
    PurchaseOrderOut,
    PurchaseOrderStatement,
    PurchaseOrderStatementLine,
)
from service import clock
from service.audit.service import audit
from service.auth.principal import Principal
from service.billing.purchase_orders import WARN_AT_BP, PoDecision, PurchaseOrderState, committed_price, decide
from service.billing.rate_card import RateCard
from service.billing.terms import priced, terms_at_commit, terms_of
from service.bundles.transitions import record
from service.contracts_in_force import contract_of
from service.errors import Conflict, InvalidInput, NotFound
from service.models import (
    BillableLine,
    Bundle,
    BundleStatus,
    LineKind,
    Organisation,
    OrganisationKind,
    PurchaseOrder,
    Tier,
)


@dataclass(frozen=True)
class Commitment:
    """A submission's decision: the order it is committed against (None: no room, hold it) and the amount."""

    decision: PoDecision
    order: PurchaseOrder | None
    amount: int
    # the billing terms fixed on the bundle when it is committed (service/billing/terms.py)
    terms: dict[str, Any]

    @property
    def hold_reason(self) -> str:
        return self.decision.reason or "no purchase order has room for this bundle"


async def _states(orders: list[PurchaseOrder], conn: BaseDBAsyncClient) -> list[PurchaseOrderState]:
    ids = [order.id for order in orders]
    spent = dict(await BillableLine.filter(
        purchase_order_id__in=ids, kind__in=[LineKind.INVOICE, LineKind.CREDIT]).using_db(conn).annotate(
        total=Sum("net_pence")).group_by("purchase_order_id").values_list("purchase_order_id", "total"))
    committed = dict(await Bundle.filter(
        purchase_order_id__in=ids, delivered_at__isnull=True).exclude(status=BundleStatus.CANCELLED).using_db(
        conn).annotate(total=Sum("po_committed_pence")).group_by("purchase_order_id").values_list(
        "purchase_order_id", "total"))
    return [PurchaseOrderState(order.po_number, order.value_pence, int(spent.get(order.id) or 0),
                               int(committed.get(order.id) or 0)) for order in orders]


async def _locked_orders(la_id: UUID, conn: BaseDBAsyncClient) -> list[PurchaseOrder]:
    """The LA's purchase orders, locked FOR UPDATE on PostgreSQL, oldest first (closed ones too: an edit of any
    of them takes the same locks as a submission, so the two never interleave)."""
    return list(await PurchaseOrder.filter(la_id=la_id).using_db(conn).select_for_update().order_by(
        "created_at", "id"))


def _most_it_can_cost(card: RateCard, bundle: Bundle, pages: int | None = None) -> int:
    if pages is None:  # not counted yet: the top band
        pages = card.page_bands[-1].from_page if card.page_bands else 0
    return committed_price(card, bundle.work_type.value, pages, bundle.tier == Tier.EXPRESS)


async def decide_commitment(bundle: Bundle, conn: BaseDBAsyncClient) -> Commitment:
    """Which purchase order a submission is committed against, and for how much (the LA's POs locked).

    The terms it is committed under are the contract's card now; a work type the card does not price is refused
    here (422), so it never reaches submission.
    """
    orders = [order for order in await _locked_orders(bundle.la_id, conn)  # type: ignore[attr-defined]
              if order.closed_at is None]
    terms = terms_at_commit(bundle, await contract_of(bundle, conn))
    amount = _most_it_can_cost(RateCard.model_validate(terms), bundle)
    decision = decide(await _states(orders, conn), amount)
    chosen = next((order for order in orders if order.po_number == decision.po_number), None)
    return Commitment(decision, chosen, amount, terms)


async def warn_if_due(bundle: Bundle, commitment: Commitment, conn: BaseDBAsyncClient) -> None:
    """Once per purchase order, when a commitment takes it to 80% of its value: a timeline event (and webhook)."""
    order = commitment.order
    if order is None or not commitment.decision.warn or order.warned_at is not None:
        return
    order.warned_at = clock.now()
    await PurchaseOrder.filter(id=order.id).using_db(conn).update(warned_at=order.warned_at)
    await record(bundle.id, "purchase_order.warning", conn=conn, data={
        "po_number": order.po_number, "value_pence": order.value_pence,
        "message": "80% of this purchase order's value is committed: add a purchase order soon"})


async def recommit(bundle: Bundle, pages: int, conn: BaseDBAsyncClient) -> dict[str, Any]:
    """Screening counted the pages: the commitment becomes the exact price (never more than committed)."""
    if bundle.purchase_order_id is None or bundle.po_committed_pence is None:  # type: ignore[attr-defined]
        return {}
    async def exact() -> int:
        return _most_it_can_cost(terms_of(bundle, await contract_of(bundle, conn)), bundle, pages)

    return {"po_committed_pence": min(bundle.po_committed_pence, await priced(exact))}


def _la_of(principal: Principal, la_id: UUID | None) -> UUID:
    """Whose purchase orders: an LA's own (it may not name another), or the named client LA for finance."""
    if principal.is_la:
        if la_id is not None and la_id != principal.organisation_id:
            raise NotFound("no such LA")
        return principal.organisation_id
    if la_id is None:
        raise InvalidInput("body.la_id: name the LA the purchase order is for",
                           errors=[{"field": "body.la_id", "message": "required for finance"}])
    return la_id


async def _client_la(principal: Principal, la_id: UUID) -> Organisation:
    query = Organisation.filter(id=la_id, kind=OrganisationKind.LA)
    if not principal.is_la:
        query = query.filter(provider_id=principal.organisation_id)
    la = await query.first()
    if la is None:
        raise NotFound("no such LA")
    return la


def order_out(order: PurchaseOrder, state: PurchaseOrderState, released: list[str] | None = None) -> PurchaseOrderOut:
    return PurchaseOrderOut(id=str(order.id), la_id=str(order.la_id), po_number=order.po_number,  # type: ignore[attr-defined]
                            value_pence=order.value_pence, spent_pence=state.spent_pence,
                            committed_pence=state.committed_pence, remaining_pence=state.remaining_pence,
                            warned=order.warned_at is not None, closed=order.closed_at is not None,
                            released=released or [])


async def create_order(principal: Principal, body: PurchaseOrderCreate, conn: BaseDBAsyncClient) -> PurchaseOrder:
    """Add a PO (an LA admin its own, finance for a client LA), in the caller's transaction."""
    la = await _client_la(principal, _la_of(principal, body.la_id))
    if la.provider_id is None:  # type: ignore[attr-defined]
        raise Conflict("this LA has no writing-service contract yet")
    if await PurchaseOrder.filter(la_id=la.id, po_number=body.po_number).using_db(conn).exists():
        raise Conflict(f"purchase order {body.po_number} already exists")
    return await PurchaseOrder.create(la_id=la.id, provider_id=la.provider_id,  # type: ignore[attr-defined]
                                      po_number=body.po_number, value_pence=body.value_pence,
                                      created_by_id=principal.user_id, using_db=conn)


async def order_state(order: PurchaseOrder, conn: BaseDBAsyncClient) -> PurchaseOrderState:
    return (await _states([order], conn))[0]


async def list_orders(principal: Principal, la_id: UUID | None) -> list[PurchaseOrderOut]:
    """An LA's purchase orders with what is spent, committed and left (an LA sees only its own)."""
    query = PurchaseOrder.filter(provider_id=principal.provider_id)
    if principal.la_scope is not None and la_id is None:
        la_id = principal.la_scope
    if principal.is_la or la_id is not None:
        la = _la_of(principal, la_id)
        if not principal.is_la and la != (principal.la_scope or la):
            raise NotFound("no such LA")  # outside the token's scope
        # another provider's LA is not there (404, as for every other route), not an empty list
        query = query.filter(la_id=(await _client_la(principal, la)).id)
    orders = list(await query.order_by("created_at", "id"))
    async with in_transaction() as conn:
        states = await _states(orders, conn)
    return [order_out(order, state) for order, state in zip(orders, states, strict=True)]


async def _order_of(principal: Principal, order_id: UUID, conn: BaseDBAsyncClient) -> PurchaseOrder:
    """One purchase order the caller may manage or read: an LA's own, or finance's client LA's (else 404)."""
    query = PurchaseOrder.filter(id=order_id, provider_id=principal.provider_id).using_db(conn)
    if principal.is_la:
        query = query.filter(la_id=principal.organisation_id)
    elif principal.la_scope is not None:
        query = query.filter(la_id=principal.la_scope)
    order = await query.first()
    if order is None:
        raise NotFound("no such purchase order")
    return order


async def change_value(principal: Principal, order_id: UUID, value_pence: int,
                       conn: BaseDBAsyncClient) -> PurchaseOrder:
    """A PO's new value, in the caller's transaction with the LA's orders locked as a submission locks them.

    Never below what is spent and committed on it (422). When the value rises so that spent and committed fall
    below 80% of it, the LA's warning is re-armed: it is warned again when the new value reaches 80%.
    """
    found = await _order_of(principal, order_id, conn)
    order = next(o for o in await _locked_orders(found.la_id, conn) if o.id == found.id)  # type: ignore[attr-defined]
    state = await order_state(order, conn)
    used = state.spent_pence + state.committed_pence
    if value_pence < used:
        raise InvalidInput(
            f"body.value_pence: {value_pence} is below the {state.spent_pence} pence spent and "
            f"{state.committed_pence} pence committed on {order.po_number}",
            spent_pence=state.spent_pence, committed_pence=state.committed_pence)
    rearm = order.warned_at is not None and used * 10_000 < value_pence * WARN_AT_BP
    await PurchaseOrder.filter(id=order.id).using_db(conn).update(
        value_pence=value_pence, **({"warned_at": None} if rearm else {}))
    await audit(principal, "billing.purchase_order_changed", object_type="purchase_order", object_id=order.id,
                la_id=order.la_id, data={"from_pence": order.value_pence, "to_pence": value_pence},  # type: ignore[attr-defined]
                using=conn)
    return await PurchaseOrder.filter(id=order.id).using_db(conn).get()


async def close_order(principal: Principal, order_id: UUID) -> PurchaseOrderOut:
    """Close a PO: no new submission is committed against it; what is committed stands (closing twice: no-op)."""
    async with in_transaction() as conn:
        order = await _order_of(principal, order_id, conn)
        if order.closed_at is None:
            await PurchaseOrder.filter(id=order.id).using_db(conn).update(closed_at=clock.now())
            await audit(principal, "billing.purchase_order_closed", object_type="purchase_order",
                        object_id=order.id, la_id=order.la_id, using=conn)  # type: ignore[attr-defined]
            order = await PurchaseOrder.filter(id=order.id).using_db(conn).get()
        return order_out(order, await order_state(order, conn))


async def statement(principal: Principal, order_id: UUID) -> PurchaseOrderStatement:
    """Every invoice and credit line charged to one PO with its bundle, and the bundles still committed."""
    async with in_transaction() as conn:
        order = await _order_of(principal, order_id, conn)
        state = await order_state(order, conn)
        lines = await BillableLine.filter(
            purchase_order_id=order.id, kind__in=[LineKind.INVOICE, LineKind.CREDIT]).using_db(conn).order_by(
            "id").values("id", "kind", "cause", "month", "event_on", "bundle__reference", "work_type", "net_pence",
                         "vat_pence")
        committed = await Bundle.filter(purchase_order_id=order.id, delivered_at__isnull=True).exclude(
            status=BundleStatus.CANCELLED).using_db(conn).order_by("submitted_at", "id").values(
            "reference", "status", "po_committed_pence")
    return PurchaseOrderStatement(
        order=order_out(order, state),
        lines=[PurchaseOrderStatementLine(
            line_id=row["id"], kind=str(row["kind"]), cause=row["cause"].partition(":")[0],  # type: ignore[arg-type]
            month=row["month"], event_on=row["event_on"], bundle_reference=row["bundle__reference"],
            work_type=row["work_type"], net_pence=row["net_pence"], vat_pence=row["vat_pence"],
            gross_pence=row["net_pence"] + row["vat_pence"]) for row in lines],
        commitments=[PurchaseOrderCommitment(bundle_reference=row["reference"], status=str(row["status"]),
                                             committed_pence=int(row["po_committed_pence"] or 0))
                     for row in committed])
