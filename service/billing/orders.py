"""Purchase orders in the service: adding them, committing submissions against them, holding and releasing.

A submission is decided by `purchase_orders.decide` with the LA's purchase-order rows locked (FOR UPDATE on
PostgreSQL, oldest first), so two submissions can never both pass a cap: the second waits for the first to commit
and then sees its commitment. Pages are counted at screening, after submission, so a submission is committed at
the most it can cost (the card's top page band, express surcharge, no SLA credit) and the commitment is cut to its
exact price when screening counts the pages. A bundle stops counting as committed once delivered: its invoice
lines then count as spent.

A submission with no room is moved to `held` (not refused): the LA's request succeeded and the bundle waits, with
its reason on the bundle and its timeline (and the `bundle.held` webhook), until a purchase order with room is
added, which releases held bundles oldest first into `submitted`. The LA is warned once per PO (a
`purchase_order.warning` timeline event and webhook) when committed spend reaches 80% of its value.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from contracts.billing import PurchaseOrderCreate, PurchaseOrderOut
from service import clock
from service.auth.principal import Principal
from service.billing.purchase_orders import PoDecision, PurchaseOrderState, committed_price, decide
from service.billing.service import card_of
from service.bundles.transitions import move, record
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
from service.sla.service import contract_of

SCREEN = "screen_bundle"


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
    return list(await PurchaseOrder.filter(la_id=la_id).using_db(conn).select_for_update().order_by(
        "created_at", "id"))


async def _most_it_can_cost(bundle: Bundle, conn: BaseDBAsyncClient, pages: int | None = None) -> int:
    card = card_of(await contract_of(bundle, conn))
    if pages is None:  # not counted yet: the top band
        pages = card.page_bands[-1].from_page if card.page_bands else 0
    return committed_price(card, bundle.work_type.value, pages, bundle.tier == Tier.EXPRESS)


async def _decide(bundle: Bundle, conn: BaseDBAsyncClient) -> tuple[PoDecision, PurchaseOrder | None, int]:
    orders = await _locked_orders(bundle.la_id, conn)  # type: ignore[attr-defined]
    amount = await _most_it_can_cost(bundle, conn)
    decision = decide(await _states(orders, conn), amount)
    chosen = next((order for order in orders if order.po_number == decision.po_number), None)
    return decision, chosen, amount


async def _commit(bundle: Bundle, decision: PoDecision, order: PurchaseOrder, amount: int, *, actor_id: UUID | None,
                  conn: BaseDBAsyncClient) -> Bundle:
    moved = await move(bundle.id, BundleStatus.SUBMITTED, conn=conn, actor_id=actor_id,
                       expect=frozenset({BundleStatus.DRAFT, BundleStatus.HELD}), submitted_at=clock.now(),
                       rejection=None, hold_reason=None, purchase_order_id=order.id, po_committed_pence=amount,
                       data={"po_number": order.po_number}, jobs=((SCREEN, {"bundle_id": str(bundle.id)}),))
    if decision.warn and order.warned_at is None:
        await PurchaseOrder.filter(id=order.id).using_db(conn).update(warned_at=clock.now())
        order.warned_at = clock.now()
        await record(bundle.id, "purchase_order.warning", conn=conn, data={
            "po_number": order.po_number, "value_pence": order.value_pence,
            "message": "80% of this purchase order's value is committed: add a purchase order soon"})
    return moved


async def submit_against_orders(bundle: Bundle, *, actor_id: UUID, conn: BaseDBAsyncClient) -> Bundle:
    """The LA submits: committed against the first PO with room and sent to screening, or held with a reason.

    A bundle resubmitted after a rejection keeps its commitment (if any) and is not decided again.
    """
    if bundle.purchase_order_id is not None or bundle.status == BundleStatus.REJECTED:  # type: ignore[attr-defined]
        return await move(bundle.id, BundleStatus.SUBMITTED, conn=conn, actor_id=actor_id,
                          submitted_at=clock.now(), rejection=None,
                          jobs=((SCREEN, {"bundle_id": str(bundle.id)}),))
    decision, order, amount = await _decide(bundle, conn)
    if order is None:
        reason = decision.reason or "no purchase order has room for this bundle"
        if bundle.status == BundleStatus.HELD:
            await Bundle.filter(id=bundle.id).using_db(conn).update(hold_reason=reason)
            return await Bundle.filter(id=bundle.id).using_db(conn).get()
        return await move(bundle.id, BundleStatus.HELD, conn=conn, actor_id=actor_id, expect=BundleStatus.DRAFT,
                          event="bundle.held", data={"reason": reason, "needs_pence": amount}, hold_reason=reason)
    return await _commit(bundle, decision, order, amount, actor_id=actor_id, conn=conn)


async def recommit(bundle: Bundle, pages: int, conn: BaseDBAsyncClient) -> dict[str, Any]:
    """Screening counted the pages: the commitment becomes the exact price (never more than committed)."""
    if bundle.purchase_order_id is None or bundle.po_committed_pence is None:  # type: ignore[attr-defined]
        return {}
    return {"po_committed_pence": min(bundle.po_committed_pence, await _most_it_can_cost(bundle, conn, pages))}


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
                            warned=order.warned_at is not None, released=released or [])


async def add_order(principal: Principal, body: PurchaseOrderCreate) -> PurchaseOrderOut:
    """Add a PO (an LA admin its own, finance for a client LA) and release the LA's held bundles that now fit."""
    la = await _client_la(principal, _la_of(principal, body.la_id))
    if la.provider_id is None:  # type: ignore[attr-defined]
        raise Conflict("this LA has no writing-service contract yet")
    released: list[str] = []
    try:
        async with in_transaction() as conn:
            if await PurchaseOrder.filter(la_id=la.id, po_number=body.po_number).using_db(conn).exists():
                raise Conflict(f"purchase order {body.po_number} already exists")
            order = await PurchaseOrder.create(la_id=la.id, provider_id=la.provider_id,  # type: ignore[attr-defined]
                                               po_number=body.po_number, value_pence=body.value_pence,
                                               created_by_id=principal.user_id, using_db=conn)
            held = await Bundle.filter(la_id=la.id, status=BundleStatus.HELD).using_db(conn).order_by(
                "updated_at", "id")
            for bundle in held:
                decision, chosen, amount = await _decide(bundle, conn)
                if chosen is None:
                    break  # oldest first: a later, smaller bundle does not jump the queue
                await _commit(bundle, decision, chosen, amount, actor_id=principal.user_id, conn=conn)
                released.append(str(bundle.id))
            state = (await _states([order], conn))[0]
            order = await PurchaseOrder.filter(id=order.id).using_db(conn).get()
    except IntegrityError:
        raise Conflict(f"purchase order {body.po_number} already exists") from None
    return order_out(order, state, released)


async def list_orders(principal: Principal, la_id: UUID | None) -> list[PurchaseOrderOut]:
    """An LA's purchase orders with what is spent, committed and left (an LA sees only its own)."""
    query = PurchaseOrder.filter(provider_id=principal.provider_id)
    if principal.is_la or la_id is not None:
        query = query.filter(la_id=_la_of(principal, la_id))
    orders = list(await query.order_by("created_at", "id"))
    async with in_transaction() as conn:
        states = await _states(orders, conn)
    return [order_out(order, state) for order, state in zip(orders, states, strict=True)]
