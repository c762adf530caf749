"""Writers: their load as coordinators see it, and leave, which withdraws the offers they have not answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from contracts.api import WriterDetail, WriterInvite, WriterTerms
from service import clock
from service.admin.people import Steward, add_invited, user_by_email
from service.allocation.overrides import release_writer_work
from service.allocation.rounds import HOLDING
from service.audit.service import audit
from service.auth.acting import Acting
from service.auth.principal import Principal
from service.bundles.transitions import move
from service.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.models import (
    Bundle,
    BundleStatus,
    Offer,
    OfferStatus,
    Organisation,
    OrganisationKind,
    Role,
    User,
    Writer,
    WriterContract,
    WriterLeave,
    WriterStatus,
)


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
        contract = await current_terms(writer.id)
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



# --- the writer's lifecycle: invite, onboard, suspend, reinstate, offboard; terms and conflicts of interest --------

DBS_WARNING_DAYS = 30
AUDIT_ACTIONS = {"onboard": "writer.onboarded", "suspend": "writer.suspended", "reinstate": "writer.reinstated",
                 "offboard": "writer.offboarded"}
# who may move a writer from one status to another, and by which act
MOVES: dict[str, tuple[frozenset[WriterStatus], WriterStatus]] = {
    "onboard": (frozenset({WriterStatus.INVITED}), WriterStatus.ACTIVE),
    "suspend": (frozenset({WriterStatus.ACTIVE}), WriterStatus.SUSPENDED),
    "reinstate": (frozenset({WriterStatus.SUSPENDED}), WriterStatus.ACTIVE),
    "offboard": (frozenset({WriterStatus.INVITED, WriterStatus.ACTIVE, WriterStatus.SUSPENDED}),
                 WriterStatus.OFFBOARDED),
}


def dbs_expiring(expires: date | None, today: date) -> bool:
    """The coordinator's warning: the certificate expires within DBS_WARNING_DAYS (or has expired)."""
    return expires is not None and expires <= today + timedelta(days=DBS_WARNING_DAYS)


async def current_terms(writer_id: UUID, conn: BaseDBAsyncClient | None = None) -> WriterContract | None:
    """The writer's contract version in force today (the latest started; of two started the same day, the later)."""
    query = WriterContract.filter(writer_id=writer_id, starts_on__lte=clock.today())
    if conn is not None:
        query = query.using_db(conn)
    return await query.order_by("-starts_on", "-created_at", "-id").first()


async def detail(writer: Writer) -> WriterDetail:
    await writer.fetch_related("user")
    c = await current_terms(writer.id)
    return WriterDetail(
        id=writer.id, user_id=writer.user_id, name=writer.user.name, status=writer.status.value,  # type: ignore[attr-defined]
        skills=list(c.skills) if c else [], hours_per_week=c.hours_per_week if c else None,
        max_concurrent=c.max_concurrent if c else None, excluded_las=list(c.excluded_las) if c else [],
        dbs_number=writer.dbs_number, dbs_expires=c.dbs_expires if c else None,
        dbs_expiring=dbs_expiring(c.dbs_expires if c else None, clock.today()),
        contract_starts_on=c.starts_on if c else None)


async def writer_of(acting: Acting, writer_id: UUID, conn: BaseDBAsyncClient | None = None) -> Writer:
    """One of the writing service's writers, or NotFound (another service's writer answers the same)."""
    query = Writer.filter(id=writer_id, provider_id=acting.provider_id)
    if conn is not None:
        query = query.using_db(conn)
    writer = await query.first()
    if writer is None:
        raise NotFound("no such writer")
    return writer


async def _client_las(provider_id: UUID, la_ids: list[UUID], conn: BaseDBAsyncClient) -> None:
    """Every LA named must be one of the writing service's clients (another's LA is not there: 404)."""
    if not la_ids:
        return
    found = await Organisation.filter(id__in=la_ids, kind=OrganisationKind.LA, provider_id=provider_id).using_db(
        conn).count()
    if found != len(set(la_ids)):
        raise NotFound("no such LA")


def _terms_of(body: WriterTerms) -> dict[str, Any]:
    if len(set(body.skills)) != len(body.skills):
        raise InvalidInput("body.skills: a skill is named twice")
    return {"skills": list(body.skills), "hours_per_week": body.hours_per_week,
            "max_concurrent": body.max_concurrent, "excluded_las": sorted({str(la) for la in body.excluded_las}),
            "dbs_expires": body.dbs_expires, "starts_on": body.starts_on or clock.today()}


async def invite(acting: Acting, body: WriterInvite) -> tuple[Writer, bool]:
    """A writer on the books (invited: no offers until onboarded): a person invited by email now (their user and
    invitation made as service/admin/people.py makes any, and emailed), or a user of the writing service with the
    writer role. The same user or email again answers the writer already made (created False)."""
    terms = _terms_of(body)
    if terms["starts_on"] < clock.today():
        raise InvalidInput("body.starts_on: a writer's terms take effect today or later")
    async with in_transaction() as conn:
        await Organisation.filter(id=acting.provider_id).using_db(conn).select_for_update().first()
        if body.email is not None:
            user = await user_by_email(acting.provider_id, body.email, conn)
            if user is None:
                steward = Steward(acting.provider_id, False, acting.principal, acting.origin)
                user = await add_invited(steward, name=body.name or "", email=body.email, role=Role.WRITER, conn=conn)
            elif not user.active:
                raise Conflict("this email belongs to a deactivated user of the writing service")
        else:
            user = await User.filter(id=body.user_id, organisation_id=acting.provider_id, active=True).using_db(
                conn).first()
        if user is None:
            raise NotFound("no such user")
        if user.role != Role.WRITER:
            raise Conflict(f"the user's role is {user.role.value}; a writer's account has the writer role")
        existing = await Writer.filter(user_id=user.id).using_db(conn).first()
        if existing is not None:
            return existing, False
        await _client_las(acting.provider_id, list(body.excluded_las), conn)
        writer = await Writer.create(user_id=user.id, provider_id=acting.provider_id, status=WriterStatus.INVITED,
                                     dbs_number=body.dbs_number, using_db=conn)
        await WriterContract.create(writer_id=writer.id, using_db=conn, **terms)
        await audit(acting.principal, "writer.invited", object_type="writer", object_id=writer.id,
                    data=acting.audit_data(user_id=str(user.id)), using=conn)
    return writer, True


async def set_terms(acting: Acting, writer_id: UUID, body: WriterTerms) -> Writer:
    """New terms from `body.starts_on` (default today): a new version; the old ones stay on the record."""
    terms = _terms_of(body)
    if terms["starts_on"] < clock.today():
        raise InvalidInput("body.starts_on: new terms take effect today or later")
    async with in_transaction() as conn:
        writer = await writer_of(acting, writer_id, conn)
        if writer.status == WriterStatus.OFFBOARDED:
            raise Conflict("the writer is offboarded", current_status=writer.status.value)
        await _client_las(acting.provider_id, list(body.excluded_las), conn)
        await WriterContract.create(writer_id=writer.id, using_db=conn, **terms)
        await Writer.filter(id=writer.id).using_db(conn).update(dbs_number=body.dbs_number)
        await audit(acting.principal, "writer.terms_set", object_type="writer", object_id=writer.id,
                    data=acting.audit_data(starts_on=terms["starts_on"].isoformat()), using=conn)
    return await Writer.get(id=writer.id)


async def _withdraw_pending_offers(writer_id: UUID, conn: BaseDBAsyncClient, actor_id: UUID | None,
                                   reason: str) -> int:
    """Every offer the writer has not answered is withdrawn; its bundle goes back to the queue."""
    withdrawn = 0
    now = clock.now()
    for offer in await Offer.filter(writer_id=writer_id, status=OfferStatus.PENDING).using_db(conn):
        if await Offer.filter(id=offer.id, status=OfferStatus.PENDING).using_db(conn).update(
            status=OfferStatus.WITHDRAWN, responded_at=now, reason=reason
        ):
            await move(offer.bundle_id, BundleStatus.QUEUED, conn=conn, actor_id=actor_id,  # type: ignore[attr-defined]
                       expect=BundleStatus.OFFERED, event="offer.withdrawn",
                       data={"offer_id": str(offer.id), "reason": reason})
            withdrawn += 1
    return withdrawn


async def change_status(acting: Acting, writer_id: UUID, act: str, reason: str) -> Writer:
    """Onboard (needs a DBS certificate in date), suspend (no offers: unanswered ones are withdrawn; work in hand
    stays) or reinstate a writer. Offboarding is `offboard`, which also releases the work in hand."""
    sources, target = MOVES[act]
    async with in_transaction() as conn:
        writer = await writer_of(acting, writer_id, conn)
        if writer.status == target:
            return writer  # asked twice: done once
        if writer.status not in sources:
            raise Conflict(f"a {writer.status.value} writer cannot be {AUDIT_ACTIONS[act].removeprefix('writer.')}",
                           current_status=writer.status.value)
        if act == "onboard":
            terms = await current_terms(writer.id, conn)
            if terms is None or terms.dbs_expires < clock.today():
                raise Conflict("the writer's DBS certificate has expired; set new terms with the renewed one first")
        won = await Writer.filter(id=writer.id, status=writer.status).using_db(conn).update(status=target)
        if not won:
            raise Conflict("the writer changed meanwhile; read it again")
        if act == "suspend":
            await _withdraw_pending_offers(writer.id, conn, acting.principal.user_id if acting.principal else None,
                                           "the writer is suspended")
        await audit(acting.principal, AUDIT_ACTIONS[act],
                    object_type="writer", object_id=writer.id,
                    data=acting.audit_data(reason=reason, previous=writer.status.value), using=conn)
    return await Writer.get(id=writer.id)


async def offboard(acting: Acting, writer_id: UUID, reason: str) -> tuple[Writer, list[UUID]]:
    """The writer leaves: no offers from now on, and the work in hand and on offer goes back to the queue through
    the coordinators' release path (service/allocation/overrides.py). Offboarding twice releases nothing more."""
    actor_id = acting.principal.user_id if acting.principal else None
    async with in_transaction() as conn:
        writer = await writer_of(acting, writer_id, conn)
        previous = writer.status
        if previous != WriterStatus.OFFBOARDED:
            # first the status, so no round offers the writer anything while the work is released
            await Writer.filter(id=writer.id).using_db(conn).update(status=WriterStatus.OFFBOARDED)
    released = await release_writer_work(acting.provider_id, writer_id, actor_id=actor_id,
                                         reason=f"the writer is offboarded: {reason}")
    if previous != WriterStatus.OFFBOARDED or released:
        await audit(acting.principal, "writer.offboarded", object_type="writer", object_id=writer_id,
                    data=acting.audit_data(reason=reason, previous=previous.value,
                                           released_bundle_ids=[str(b) for b in released]))
    return await Writer.get(id=writer_id), released


async def declare_conflict(principal: Principal, la_id: UUID) -> Writer:
    """A writer declares an LA they must not work for: new terms from today, that LA excluded."""
    if principal.writer_id is None:
        raise Forbidden("only writers declare their own conflicts of interest")
    async with in_transaction() as conn:
        writer = await Writer.filter(id=principal.writer_id).using_db(conn).get()
        await _client_las(writer.provider_id, [la_id], conn)  # type: ignore[attr-defined]
        terms = await current_terms(writer.id, conn)
        if terms is None:
            raise Conflict("the writer has no terms yet")
        if str(la_id) not in terms.excluded_las:
            await WriterContract.create(
                writer_id=writer.id, skills=list(terms.skills), hours_per_week=terms.hours_per_week,
                max_concurrent=terms.max_concurrent, excluded_las=sorted({*terms.excluded_las, str(la_id)}),
                dbs_expires=terms.dbs_expires, starts_on=clock.today(), ends_on=terms.ends_on, using_db=conn)
            await audit(principal, "writer.conflict_declared", object_type="writer", object_id=writer.id,
                        la_id=la_id, data={"la_id": str(la_id)}, using=conn)
    return writer
