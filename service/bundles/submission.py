"""Submitting a bundle: committed against the LA's purchase orders and sent to screening, or held until one has room.

The moves are here; what a submission is committed against is billing's to decide (service/billing/orders.py),
with the LA's purchase-order rows locked, so two submissions never both pass a cap. Adding a purchase order
releases the LA's held bundles oldest first, in the same transaction.
"""

from __future__ import annotations

from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from contracts.billing import PurchaseOrderCreate, PurchaseOrderOut
from service import clock
from service.auth.principal import Principal
from service.billing.orders import (
    Commitment,
    change_value,
    create_order,
    decide_commitment,
    order_out,
    order_state,
    warn_if_due,
)
from service.bundles.transitions import move
from service.errors import Conflict
from service.models import Bundle, BundleStatus, PurchaseOrder


async def _commit(bundle: Bundle, commitment: Commitment, *, actor_id: UUID | None,
                  conn: BaseDBAsyncClient) -> Bundle:
    order = commitment.order
    assert order is not None
    moved = await move(bundle.id, BundleStatus.SUBMITTED, conn=conn, actor_id=actor_id,
                       expect=frozenset({BundleStatus.DRAFT, BundleStatus.HELD}), submitted_at=clock.now(),
                       rejection=None, hold_reason=None, purchase_order_id=order.id,
                       po_committed_pence=commitment.amount, rate_terms=commitment.terms,
                       data={"po_number": order.po_number})
    await warn_if_due(bundle, commitment, conn)
    return moved


async def submit_bundle(bundle: Bundle, *, actor_id: UUID, conn: BaseDBAsyncClient) -> Bundle:
    """The LA submits: committed against the first PO with room and sent to screening, or held with a reason.

    A bundle resubmitted after a rejection keeps its commitment (if any) and is not decided again.
    """
    if bundle.purchase_order_id is not None or bundle.status == BundleStatus.REJECTED:  # type: ignore[attr-defined]
        return await move(bundle.id, BundleStatus.SUBMITTED, conn=conn, actor_id=actor_id,
                          submitted_at=clock.now(), rejection=None)
    commitment = await decide_commitment(bundle, conn)
    if commitment.order is None:
        if bundle.status == BundleStatus.HELD:  # still no room: say why now
            await Bundle.filter(id=bundle.id).using_db(conn).update(hold_reason=commitment.hold_reason)
            return await Bundle.filter(id=bundle.id).using_db(conn).get()
        return await move(bundle.id, BundleStatus.HELD, conn=conn, actor_id=actor_id, expect=BundleStatus.DRAFT,
                          event="bundle.held", data={"reason": commitment.hold_reason,
                                                     "needs_pence": commitment.amount},
                          hold_reason=commitment.hold_reason)
    return await _commit(bundle, commitment, actor_id=actor_id, conn=conn)


async def release_held(la_id: UUID, *, actor_id: UUID, conn: BaseDBAsyncClient) -> list[str]:
    """Submit the LA's held bundles that now fit, oldest first; a later, smaller bundle does not jump the queue."""
    released: list[str] = []
    for bundle in await Bundle.filter(la_id=la_id, status=BundleStatus.HELD).using_db(conn).order_by(
            "updated_at", "id"):
        commitment = await decide_commitment(bundle, conn)
        if commitment.order is None:
            break
        await _commit(bundle, commitment, actor_id=actor_id, conn=conn)
        released.append(str(bundle.id))
    return released


async def add_purchase_order(principal: Principal, body: PurchaseOrderCreate) -> PurchaseOrderOut:
    """Add a PO and release the LA's held bundles that now fit, in one transaction."""
    try:
        async with in_transaction() as conn:
            order = await create_order(principal, body, conn)
            released = await release_held(order.la_id, actor_id=principal.user_id, conn=conn)  # type: ignore[attr-defined]
            state = await order_state(order, conn)
            order = await PurchaseOrder.filter(id=order.id).using_db(conn).get()
    except IntegrityError:
        raise Conflict(f"purchase order {body.po_number} already exists") from None
    return order_out(order, state, released)


async def change_purchase_order(principal: Principal, order_id: UUID, value_pence: int) -> PurchaseOrderOut:
    """A PO's new value (never below spent and committed), releasing held bundles that now fit, in one transaction."""
    async with in_transaction() as conn:
        order = await change_value(principal, order_id, value_pence, conn)
        released = await release_held(order.la_id, actor_id=principal.user_id, conn=conn) if (  # type: ignore[attr-defined]
            order.closed_at is None) else []
        state = await order_state(order, conn)
        order = await PurchaseOrder.filter(id=order.id).using_db(conn).get()
    return order_out(order, state, released)
