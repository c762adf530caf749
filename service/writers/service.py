"""Writers: their load as coordinators see it, and leave, which withdraws the offers they have not answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from service import clock
from service.allocation.rounds import HOLDING
from service.auth.principal import Principal
from service.bundles.transitions import move
from service.errors import Forbidden, InvalidInput
from service.models import Bundle, BundleStatus, Offer, OfferStatus, Writer, WriterContract, WriterLeave


@dataclass(frozen=True)
class WriterLoad:
    writer: Writer
    contract: WriterContract | None
    held: int
    offers_pending: int
    leave: list[date]


async def loads(principal: Principal) -> list[WriterLoad]:
    today = clock.today()
    result = []
    for writer in await Writer.filter(provider_id=principal.organisation_id).order_by("created_at", "id"):
        contract = await WriterContract.filter(writer_id=writer.id, starts_on__lte=today).order_by("-starts_on").first()
        result.append(WriterLoad(
            writer=writer, contract=contract,
            held=await Bundle.filter(writer_id=writer.id, status__in=HOLDING).count(),
            offers_pending=await Offer.filter(writer_id=writer.id, status=OfferStatus.PENDING).count(),
            leave=list(await WriterLeave.filter(writer_id=writer.id, day__gte=today).order_by("day")
                       .values_list("day", flat=True)),  # type: ignore[arg-type]
        ))
    return result


async def add_leave(principal: Principal, days: list[date]) -> int:
    """Record leave; every offer the writer has not yet answered is withdrawn and goes back to the queue."""
    if principal.writer_id is None:
        raise Forbidden("only writers record their own leave")
    today = clock.today()
    if any(d < today for d in days):
        raise InvalidInput("body.days: leave cannot be recorded in the past")
    now = clock.now()
    async with in_transaction() as conn:
        existing = set(await WriterLeave.filter(writer_id=principal.writer_id, day__in=days).using_db(conn)
                       .values_list("day", flat=True))
        for day in sorted(set(days) - existing):
            await WriterLeave.create(writer_id=principal.writer_id, day=day, using_db=conn)
        withdrawn = 0
        for offer in await Offer.filter(writer_id=principal.writer_id, status=OfferStatus.PENDING).using_db(conn):
            if await Offer.filter(id=offer.id, status=OfferStatus.PENDING).using_db(conn).update(
                status=OfferStatus.WITHDRAWN, responded_at=now, reason="the writer is on leave"
            ):
                await move(offer.bundle_id, BundleStatus.QUEUED, conn=conn, actor_id=principal.user_id,  # type: ignore[attr-defined]
                           expect=BundleStatus.OFFERED, event="offer.withdrawn",
                           data={"offer_id": str(offer.id), "reason": "the writer is on leave"})
                withdrawn += 1
    return withdrawn

