"""Offers: a writer accepts or declines; an unanswered offer expires; either way the bundle never sits on two offers."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from service import clock
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.transitions import move
from service.errors import Conflict
from service.models import Bundle, BundleStatus, Offer, OfferStatus


async def list_for_writer(principal: Principal, *, status: OfferStatus | None = OfferStatus.PENDING) -> list[Offer]:
    query = scope.offers(principal).select_related("bundle")
    if status is not None:
        query = query.filter(status=status)
    return await query.order_by("expires_at", "id")


async def accept(principal: Principal, offer_id: UUID) -> Offer:
    offer = await scope.get_offer(principal, offer_id)
    now = clock.now()
    async with in_transaction() as conn:
        won = await Offer.filter(id=offer.id, status=OfferStatus.PENDING, expires_at__gt=now).using_db(conn).update(
            status=OfferStatus.ACCEPTED, responded_at=now
        )
        if won != 1:
            fresh = await Offer.filter(id=offer.id).using_db(conn).get()
            raise Conflict(f"the offer is {fresh.status.value if fresh.status != OfferStatus.PENDING else 'expired'}",
                           current_status=fresh.status.value)
        await move(offer.bundle_id, BundleStatus.ALLOCATED, conn=conn, actor_id=principal.user_id,  # type: ignore[attr-defined]
                   expect=BundleStatus.OFFERED, event="bundle.allocated",
                   data={"offer_id": str(offer.id), "writer_id": str(offer.writer_id)},  # type: ignore[attr-defined]
                   writer_id=offer.writer_id)  # type: ignore[attr-defined]
    return await Offer.get(id=offer.id)


async def decline(principal: Principal, offer_id: UUID, *, reason: str) -> Offer:
    offer = await scope.get_offer(principal, offer_id)
    await _close(offer, OfferStatus.DECLINED, actor_id=principal.user_id, reason=reason)
    return await Offer.get(id=offer.id)


async def _close(offer: Offer, outcome: OfferStatus, *, actor_id: UUID | None, reason: str = "") -> bool:
    """Close a pending offer and put its bundle back in the queue, with that writer excluded next time."""
    now = clock.now()
    async with in_transaction() as conn:
        closed = await Offer.filter(id=offer.id, status=OfferStatus.PENDING).using_db(conn).update(
            status=outcome, responded_at=now, reason=reason[:300]
        )
        if closed != 1:
            if actor_id is None:
                return False
            fresh = await Offer.filter(id=offer.id).using_db(conn).get()
            raise Conflict(f"the offer is {fresh.status.value}", current_status=fresh.status.value)
        bundle = await Bundle.filter(id=offer.bundle_id).using_db(conn).get()  # type: ignore[attr-defined]
        await move(offer.bundle_id, BundleStatus.QUEUED, conn=conn, actor_id=actor_id,  # type: ignore[attr-defined]
                   expect=BundleStatus.OFFERED, event=f"offer.{outcome.value}",
                   data={"offer_id": str(offer.id), "writer_id": str(offer.writer_id)},  # type: ignore[attr-defined]
                   excluded_writers=exclude(bundle.excluded_writers, offer.writer_id))  # type: ignore[attr-defined]
    return True


def exclude(excluded: list[str], writer_id: UUID | None) -> list[str]:
    """The bundle's exclusion list with one more writer (sorted, no repeats)."""
    return sorted({*excluded, str(writer_id)}) if writer_id is not None else list(excluded)


async def expire_due_offers(now: datetime | None = None) -> int:
    """The periodic sweep: every pending offer past its window expires (idempotent)."""
    now = now or clock.now()
    expired = 0
    for offer in await Offer.filter(status=OfferStatus.PENDING, expires_at__lte=now).order_by("expires_at"):
        expired += await _close(offer, OfferStatus.EXPIRED, actor_id=None)
    return expired
