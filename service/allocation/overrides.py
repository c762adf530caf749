"""The coordinator overrules the engine: assign or reassign by hand, move all of a writer's work, pin, set effort.

Hard rules still hold (skills, conflicts of interest, DBS, slots); every act is on the bundle's timeline with its
reason. Writes that change who holds what take the allocation lock, as rounds do.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from contracts.allocation import InstanceBundle, InstanceWriter
from service import clock
from service.allocation.engine import eligible
from service.allocation.rounds import HOLDING, allocation_transaction
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.transitions import move, record
from service.errors import Conflict, NotFound
from service.models import Bundle, BundleStatus, Offer, OfferStatus, Writer, WriterContract, WriterStatus
from service.offers.service import exclude

# where a bundle may be taken from its current holder (the writer was lost, or the coordinator chose another)
REASSIGNABLE = frozenset({BundleStatus.OFFERED, BundleStatus.ALLOCATED, BundleStatus.DRAFTING, BundleStatus.RETURNED})


async def _writer(principal: Principal, writer_id: UUID, conn: BaseDBAsyncClient) -> tuple[Writer, WriterContract]:
    writer = await Writer.filter(id=writer_id, provider_id=principal.organisation_id).using_db(conn).first()
    today = clock.today()
    contract = (await WriterContract.filter(writer_id=writer_id, starts_on__lte=today).using_db(conn)
                .order_by("-starts_on", "-created_at", "-id").first()) if writer else None
    if writer is None or contract is None or (contract.ends_on is not None and contract.ends_on < today):
        raise NotFound("no such writer with a current contract")
    return writer, contract


def why_not_eligible(contract: WriterContract, bundle: Bundle, writer: Writer | None = None) -> str | None:
    if writer is not None and writer.status != WriterStatus.ACTIVE:
        return f"the writer is {writer.status.value}"
    subject = InstanceBundle(id=str(bundle.id), la=str(bundle.la_id), work_type=bundle.work_type.value,  # type: ignore[attr-defined]
                             requires=list(bundle.requires), effort_hours=0, due=bundle.turnaround_due or clock.today())
    candidate = InstanceWriter(id="w", hours_per_day=0, skills=list(contract.skills),
                               excluded_las=list(contract.excluded_las), max_concurrent=contract.max_concurrent,
                               dbs_expires=contract.dbs_expires)
    if eligible(candidate, subject):
        return None
    if str(bundle.la_id) in contract.excluded_las:  # type: ignore[attr-defined]
        return "the writer has a conflict of interest with this LA"
    if contract.dbs_expires < subject.due:
        return "the writer's DBS check expires before the bundle is due"
    return "the writer's contract lacks the skills this bundle needs"


async def _free_slot(writer_id: UUID, contract: WriterContract, conn: BaseDBAsyncClient) -> bool:
    held = await Bundle.filter(writer_id=writer_id, status__in=HOLDING).using_db(conn).count()
    held += await Offer.filter(writer_id=writer_id, status=OfferStatus.PENDING).using_db(conn).count()
    return held < contract.max_concurrent


async def _release(bundle_id: UUID, conn: BaseDBAsyncClient, *, actor_id: UUID | None, reason: str) -> bool:
    """Take the bundle back into the queue from whoever has it (withdrawing a pending offer).

    Offers first, then the bundle: the same lock order as accepting an offer, so a racing accept either
    finishes first (and the bundle is taken from its new holder) or finds its offer withdrawn.
    """
    now = clock.now()
    await Offer.filter(bundle_id=bundle_id, status=OfferStatus.PENDING).using_db(conn).update(
        status=OfferStatus.WITHDRAWN, responded_at=now, reason=reason[:300])
    bundle = await Bundle.filter(id=bundle_id).using_db(conn).get()
    if bundle.status not in REASSIGNABLE:
        return False
    holder = bundle.writer_id  # type: ignore[attr-defined]
    if holder is None:
        withdrawn = await Offer.filter(bundle_id=bundle_id, status=OfferStatus.WITHDRAWN).using_db(conn).order_by(
            "-responded_at").first()
        holder = withdrawn.writer_id if withdrawn else None  # type: ignore[attr-defined]
    await move(bundle_id, BundleStatus.QUEUED, conn=conn, actor_id=actor_id, expect=bundle.status,
               event="bundle.released", data={"from_writer_id": str(holder) if holder else None, "reason": reason},
               writer_id=None, excluded_writers=exclude(bundle.excluded_writers, holder))
    return True


async def assign(principal: Principal, bundle_id: UUID, writer_id: UUID, *, reason: str) -> Bundle:
    """Assign a queued bundle, or reassign one already offered or held, straight to a writer (no offer)."""
    bundle = await scope.get_bundle(principal, bundle_id)
    async with allocation_transaction(wait=True) as conn:
        assert conn is not None
        bundle = await Bundle.filter(id=bundle.id).using_db(conn).get()
        writer, contract = await _writer(principal, writer_id, conn)
        if bundle.writer_id == writer_id and bundle.status in HOLDING:  # type: ignore[attr-defined]
            raise Conflict("the bundle is already with this writer", current_status=bundle.status.value)
        if bundle.status != BundleStatus.QUEUED and bundle.status not in REASSIGNABLE:
            raise Conflict(f"the bundle is {bundle.status.value}; it can be assigned only while queued, offered, "
                           "allocated, drafting or returned", current_status=bundle.status.value)
        problem = why_not_eligible(contract, bundle, writer)
        if problem is not None:
            raise Conflict(f"cannot assign: {problem}")
        if not await _free_slot(writer_id, contract, conn):
            raise Conflict("cannot assign: the writer has no free slot")
        if bundle.status != BundleStatus.QUEUED:
            await _release(bundle.id, conn, actor_id=principal.user_id,
                           reason=f"reassigned by the coordinator: {reason}")
        note: dict[str, Any] = {"writer_id": str(writer_id), "reason": f"assigned by the coordinator: {reason}",
                                "at": clock.now().isoformat()}
        return await move(bundle.id, BundleStatus.ALLOCATED, conn=conn, actor_id=principal.user_id,
                          expect=BundleStatus.QUEUED, event="bundle.assigned", data=note, writer_id=writer_id,
                          allocation_note=note)


async def release_all(principal: Principal, writer_id: UUID, *, reason: str) -> list[UUID]:
    """A writer is lost (illness): every bundle they hold or are offered goes back to the queue, then a round."""
    async with allocation_transaction(wait=True) as conn:
        assert conn is not None
        await _writer(principal, writer_id, conn)
        return await _release_all_held(principal.organisation_id, writer_id, conn, actor_id=principal.user_id,
                                       reason=reason)


async def release_writer_work(provider_id: UUID, writer_id: UUID, *, actor_id: UUID | None,
                              reason: str) -> list[UUID]:
    """The same release for a writer leaving the writing service (offboarding, by the API or the command line):
    the writer need not have terms in force, only be the service's."""
    async with allocation_transaction(wait=True) as conn:
        assert conn is not None
        if not await Writer.filter(id=writer_id, provider_id=provider_id).using_db(conn).exists():
            raise NotFound("no such writer")
        return await _release_all_held(provider_id, writer_id, conn, actor_id=actor_id, reason=reason)


async def _release_all_held(provider_id: UUID, writer_id: UUID, conn: BaseDBAsyncClient, *, actor_id: UUID | None,
                            reason: str) -> list[UUID]:
    offered: list[UUID] = list(await Offer.filter(writer_id=writer_id, status=OfferStatus.PENDING).using_db(
        conn).values_list("bundle_id", flat=True))  # type: ignore[arg-type]
    held: list[UUID] = list(await Bundle.filter(
        provider_id=provider_id, writer_id=writer_id, status__in=list(REASSIGNABLE)
    ).using_db(conn).values_list("id", flat=True))  # type: ignore[arg-type]
    moved: list[UUID] = []
    for bundle_id in dict.fromkeys([*offered, *held]):
        if await _release(bundle_id, conn, actor_id=actor_id, reason=f"writer unavailable: {reason}"):
            moved.append(bundle_id)
    # an offer accepted while we worked: its bundle is now held, so take it back too
    late: list[UUID] = list(await Bundle.filter(writer_id=writer_id, status__in=list(REASSIGNABLE)).using_db(
        conn).values_list("id", flat=True))  # type: ignore[arg-type]
    for bundle_id in late:
        if await _release(bundle_id, conn, actor_id=actor_id, reason=f"writer unavailable: {reason}"):
            moved.append(bundle_id)
    return moved


async def pin(principal: Principal, bundle_id: UUID, writer_id: UUID | None) -> Bundle:
    bundle = await scope.get_bundle(principal, bundle_id)
    async with allocation_transaction(wait=True) as conn:
        assert conn is not None
        if writer_id is not None:
            writer, contract = await _writer(principal, writer_id, conn)
            problem = why_not_eligible(contract, bundle, writer)
            if problem is not None:
                raise Conflict(f"cannot pin: {problem}")
        fresh = await Bundle.filter(id=bundle.id).using_db(conn).get()
        excluded = [w for w in fresh.excluded_writers if w != str(writer_id)]
        await Bundle.filter(id=bundle.id).using_db(conn).update(pinned_writer_id=writer_id, excluded_writers=excluded,
                                                                updated_at=clock.now())
        await record(bundle.id, "bundle.pinned" if writer_id else "bundle.unpinned", conn=conn,
                     actor_id=principal.user_id, data={"writer_id": str(writer_id) if writer_id else None})
        return await Bundle.filter(id=bundle.id).using_db(conn).get()


async def set_effort(principal: Principal, bundle_id: UUID, hours: float | None) -> Bundle:
    bundle = await scope.get_bundle(principal, bundle_id)
    async with allocation_transaction(wait=True) as conn:
        assert conn is not None
        await Bundle.filter(id=bundle.id).using_db(conn).update(effort_hours=hours, updated_at=clock.now())
        await record(bundle.id, "bundle.effort_set", conn=conn, actor_id=principal.user_id,
                     data={"effort_hours": hours})
        return await Bundle.filter(id=bundle.id).using_db(conn).get()
