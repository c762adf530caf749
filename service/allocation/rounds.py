"""Allocation rounds in the service: build the engine's instance from the database, run it, write offers.

The engine (engine.py) is pure; this shell loads queued bundles and writer capacity per writing service, calls it,
and turns its plan into offers with their reasons. A dry run returns the plan and writes nothing. Every write that
changes who holds what takes one lock, so only one round (or hand assignment) runs at a time across processes:
a PostgreSQL advisory lock, or a process lock on SQLite.

Round requests coalesce (`request_round`, what the job runs): every queued bundle asks for a round, so a burst asks
for many at once. A request that finds a round running waits for it, if no other request waits already, and then
runs; if one waits already it leaves at once, since the waiting round starts after it and so sees its bundles.
A busy round is therefore never an error: nothing a healthy system does is retried into the dead-letter queue.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from contracts.allocation import Allocation, CalendarSpec, Instance, InstanceBundle, InstanceWriter
from service import clock
from service.allocation.effort import DEFAULT_EFFORT, EffortRule, effort_hours, weight
from service.allocation.engine import Explained, allocate_explained, eligible
from service.allocation.estimates import areas_of, planning_factor, provider_estimates, queue_groups
from service.allocation.fairness import over_share
from service.allocation.learning import Estimates, in_weak_tail, keep_off, within_quality_cost
from service.bundles.transitions import move
from service.calendar import WorkingCalendar
from service.clock import london_date
from service.contracts_in_force import contract_between, contracts_by_la
from service.errors import Conflict
from service.logging import get_logger
from service.models import (
    Bundle,
    BundleStatus,
    Draft,
    LaContract,
    Offer,
    OfferStatus,
    Organisation,
    Tier,
    WriterContract,
    WriterLeave,
    WriterStatus,
)
from service.offers.window import offer_deadline
from service.runtime import current

log = get_logger(__name__)

# statuses in which a writer holds a bundle (its slot is taken); the work still to do counts as committed hours
HOLDING = (BundleStatus.ALLOCATED, BundleStatus.DRAFTING, BundleStatus.AWAITING_LA, BundleStatus.IN_QA,
           BundleStatus.RETURNED, BundleStatus.AMENDMENT_REQUESTED)
WORK_LEFT = frozenset({BundleStatus.ALLOCATED, BundleStatus.DRAFTING, BundleStatus.AWAITING_LA,
                       BundleStatus.RETURNED, BundleStatus.AMENDMENT_REQUESTED})
ROUND_LOCK_KEY = 0x504C_414E_5752  # "PLANWR"
# held by the one request waiting for the running round (a session lock, given up as soon as the round lock is had)
ROUND_WAITER_KEY = ROUND_LOCK_KEY + 1
UNPLANNABLE = ("unplannable: a writer's terms or a bundle's needs here are not ones the engine can read (an empty "
               "or malformed skill); set the writers' terms again")
WORKING_DAYS_PER_WEEK = 5
RECENT_DAYS = 28  # fair shares look at the last four weeks' work
_process_lock = asyncio.Lock()
_process_waiting = False


@asynccontextmanager
async def allocation_transaction(*, wait: bool) -> AsyncIterator[BaseDBAsyncClient | None]:
    """A transaction holding the allocation lock; None when `wait` is false and another holder has it."""
    if current().settings.is_postgres:
        async with in_transaction() as conn:
            if wait:
                await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [ROUND_LOCK_KEY])
            else:
                _, rows = await conn.execute_query("SELECT pg_try_advisory_xact_lock($1) AS got", [ROUND_LOCK_KEY])
                if not rows or not rows[0]["got"]:
                    yield None
                    return
            yield conn
        return
    if not wait and _process_lock.locked():
        yield None
        return
    async with _process_lock, in_transaction() as conn:
        yield conn


@asynccontextmanager
async def round_or_wait() -> AsyncIterator[BaseDBAsyncClient | None]:
    """The allocation lock, now or once the running holder is done; None when another request is waiting for it.

    None is no loss: the request that waits already takes the lock later than the caller asked, so the round it runs
    reads every bundle queued before the caller's request. At most one waits, on PostgreSQL across processes.
    """
    global _process_waiting
    if current().settings.is_postgres:
        async with in_transaction() as conn:
            if not await _try_lock(conn, "pg_try_advisory_xact_lock", ROUND_LOCK_KEY):
                if not await _try_lock(conn, "pg_try_advisory_lock", ROUND_WAITER_KEY):
                    yield None
                    return
                try:
                    await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [ROUND_LOCK_KEY])
                finally:
                    # given up before the round reads anything, so a request arriving from now on can wait in turn.
                    # (Should this fail, asyncpg's pool unlocks a connection's advisory locks when it takes it back.)
                    await conn.execute_query("SELECT pg_advisory_unlock($1)", [ROUND_WAITER_KEY])
            yield conn
        return
    if _process_lock.locked():
        if _process_waiting:
            yield None
            return
        _process_waiting = True
        try:
            await _process_lock.acquire()
        finally:
            _process_waiting = False
    else:
        await _process_lock.acquire()
    try:
        async with in_transaction() as conn:
            yield conn
    finally:
        _process_lock.release()


async def _try_lock(conn: BaseDBAsyncClient, function: str, key: int) -> bool:
    _, rows = await conn.execute_query(f"SELECT {function}($1) AS got", [key])
    return bool(rows and rows[0]["got"])


class RoundBusy(Conflict):
    """Another round holds the lock (a round asked for by hand; the job's requests coalesce instead)."""


@dataclass(frozen=True)
class PlannedOffer:
    bundle_id: UUID
    writer_id: UUID
    reason: str
    projected_completion: date | None
    on_time: bool


@dataclass(frozen=True)
class Unplaced:
    bundle_id: UUID
    reason: str


@dataclass(frozen=True)
class QualityTrade:
    """A round that could keep writers in the weak tail of first-time QA passes off bundles: how many pairs it
    kept apart on how many bundles, the planned on-time weight with and without, and which plan it used."""

    kept_off: int
    bundles: int
    used: bool
    on_time_weight: float
    unrestricted_on_time_weight: float


@dataclass(frozen=True)
class FairShareTrade:
    """A round with writers over their fair share (the writing service's `fair_share_tolerance`): how many it
    could pass over, the planned on-time weight with and without, and whether it did (only when it cost none)."""

    closed: int
    used: bool
    on_time_weight: float
    unrestricted_on_time_weight: float


@dataclass
class Plan:
    offers: list[PlannedOffer] = field(default_factory=list)
    unassigned: list[Unplaced] = field(default_factory=list)
    quality: QualityTrade | None = None
    fair_share: FairShareTrade | None = None


def effort_table(contract: LaContract | None) -> dict[str, EffortRule]:
    table = dict(DEFAULT_EFFORT)
    for work_type, rule in (contract.effort_table if contract else {}).items():
        table[work_type] = EffortRule(**rule)
    return table


def bundle_effort(bundle: Bundle, contract: LaContract | None) -> float:
    """The coordinator's override if set, else the contract's table applied to the bundle's pages."""
    return planned_effort(bundle.effort_hours, bundle.work_type.value, bundle.page_count, contract)


def planned_effort(override: float | None, work_type: str, pages: int, contract: LaContract | None) -> float:
    """`bundle_effort` from a bundle's columns (for callers that aggregate rows instead of loading bundles)."""
    if override is not None:
        return override
    return effort_hours(work_type, pages, effort_table(contract))


@dataclass
class WriterCapacity:
    """A writer's current contract and what they already hold: bundles (with pending offers), hours of work left
    and leave from today."""

    contract: WriterContract
    held: int
    committed_hours: float
    leave: list[date]


async def writer_capacity(provider_id: UUID, today: date, la_contracts: dict[UUID, LaContract],
                          conn: BaseDBAsyncClient) -> dict[UUID, WriterCapacity]:
    """Every writer of one writing service with a contract in force today, by writer id (`la_contracts` from
    service.contracts_in_force.contracts_by_la prices the work they hold)."""
    writers: dict[UUID, WriterCapacity] = {}
    # only active writers take work: invited, suspended and offboarded writers get no offers
    for c in await WriterContract.filter(writer__provider_id=provider_id, writer__status=WriterStatus.ACTIVE,
                                         starts_on__lte=today).using_db(conn).order_by(
        "writer_id", "-starts_on", "-created_at", "-id"
    ):
        if c.writer_id in writers or (c.ends_on is not None and c.ends_on < today):  # type: ignore[attr-defined]
            continue
        writers[c.writer_id] = WriterCapacity(contract=c, held=0, committed_hours=0.0, leave=[])  # type: ignore[attr-defined]
    if not writers:
        return writers
    ids = list(writers)
    for held in await Bundle.filter(writer_id__in=ids, status__in=HOLDING).using_db(conn):
        cap = writers[held.writer_id]  # type: ignore[attr-defined]
        cap.held += 1
        if held.status in WORK_LEFT:
            cap.committed_hours += bundle_effort(held, la_contracts.get(held.la_id))  # type: ignore[attr-defined]
    for offer in await Offer.filter(writer_id__in=ids, status=OfferStatus.PENDING).using_db(conn).select_related(
        "bundle"
    ):
        cap = writers[offer.writer_id]  # type: ignore[attr-defined]
        cap.held += 1
        cap.committed_hours += bundle_effort(offer.bundle, la_contracts.get(offer.bundle.la_id))  # type: ignore[attr-defined]
    for leave in await WriterLeave.filter(writer_id__in=ids, day__gte=today).using_db(conn):
        writers[leave.writer_id].leave.append(leave.day)  # type: ignore[attr-defined]
    return writers


def instance_writer(writer_id: UUID, cap: WriterCapacity, extra_skills: list[str],
                    factor: float = 1.0) -> InstanceWriter:
    """The engine's view of a writer (contracts/allocation.py InstanceWriter). `factor` is the writer's expected
    hours per planned hour (planning_factors): the engine's effort is one figure per bundle, so the writer's hours a
    day are divided by it instead, the same plan as scaling every bundle's effort for that writer."""
    c = cap.contract
    return InstanceWriter(
        id=str(writer_id), hours_per_day=c.hours_per_week / WORKING_DAYS_PER_WEEK / factor,
        skills=sorted({*c.skills, *extra_skills}), excluded_las=list(c.excluded_las),
        max_concurrent=c.max_concurrent, active_bundles=min(cap.held, c.max_concurrent) if c.max_concurrent else 0,
        committed_hours=round(cap.committed_hours / factor, 2), leave=sorted(cap.leave), dbs_expires=c.dbs_expires,
    )


def planning_factors(learned: Estimates, writers: dict[UUID, WriterCapacity], queued: Iterable[Bundle],
                     la_contracts: dict[UUID, LaContract]) -> dict[UUID, float]:
    """Each writer's expected hours per planned hour on the queued work they could take (estimates.py)."""
    groups = queue_groups(
        (b.work_type.value, b.page_count, b.requires, bundle_effort(b, la_contracts.get(b.la_id)))  # type: ignore[attr-defined]
        for b in queued)
    return {w: planning_factor(learned, w, cap.contract.skills, groups) for w, cap in writers.items()}


async def _round_inputs(provider_id: UUID, today: date, conn: BaseDBAsyncClient
                        ) -> tuple[dict[UUID, LaContract], dict[UUID, WriterCapacity], list[Bundle]]:
    """What a round of one writing service reads: its LA contracts, its writers' capacity, its queue in order."""
    la_contracts = await contracts_by_la(provider_id, conn)
    writers = await writer_capacity(provider_id, today, la_contracts, conn)
    queued = await Bundle.filter(provider_id=provider_id, status=BundleStatus.QUEUED).using_db(conn).order_by(
        "turnaround_due", "queued_at", "id"
    )
    return la_contracts, writers, queued


async def planning_factors_now(provider_id: UUID, learned: Estimates) -> dict[UUID, float]:
    """What the next round would plan each writer with, for the coordinator's view of the estimates."""
    async with in_transaction() as conn:
        la_contracts, writers, queued = await _round_inputs(provider_id, clock.today(), conn)
        return planning_factors(learned, writers, queued, la_contracts)


async def plan_round(provider_id: UUID, conn: BaseDBAsyncClient, *, now: datetime) -> Plan:
    """What a round would do for one writing service, with a reason for every queued bundle.

    Planned with what completed work taught (estimates.py): each writer's speed and likely QA returns. Where an
    LA's contract lets quality cost on-time weight (`quality_cost_limit`), writers in the weak tail of first-time
    passes for a bundle's areas are kept off it, and that plan is used when every LA keeps what its contract
    requires of the plan that does not (`quality_trade`).
    """
    today = london_date(now)
    la_contracts, writers, queued = await _round_inputs(provider_id, today, conn)
    plan = Plan()
    if not queued:
        return plan
    instance_bundles: list[InstanceBundle] = []
    by_id: dict[str, Bundle] = {}
    allowed: dict[str, set[UUID]] = {}  # per-bundle limits the instance format has no field for
    for bundle in queued:
        pinned = bundle.pinned_writer_id  # type: ignore[attr-defined]
        excluded = {UUID(w) for w in bundle.excluded_writers}
        if pinned is not None or excluded:
            allowed[str(bundle.id)] = {w for w in writers if (pinned is None or w == pinned) and w not in excluded}
        by_id[str(bundle.id)] = bundle
        instance_bundles.append(instance_bundle(bundle, la_contracts.get(bundle.la_id), today))  # type: ignore[attr-defined]
    learned = await provider_estimates(provider_id, conn)
    factors = planning_factors(learned, writers, queued, la_contracts)

    def instance(limits: dict[str, set[UUID]], closed: frozenset[UUID] = frozenset()) -> Instance:
        return build_instance(today, writers, factors, instance_bundles, limits, closed)

    unrestricted = instance(allowed)
    # CPU-bound for large rounds: keep it off the event loop
    explained = await asyncio.to_thread(allocate_explained, unrestricted)
    kept_off = _kept_off_for_quality(unrestricted, learned, by_id, la_contracts)
    if kept_off:
        explained, plan.quality, allowed = await _quality_step(explained, unrestricted, kept_off, allowed, writers,
                                                               instance, la_contracts)
    provider = await Organisation.filter(id=provider_id).using_db(conn).only("id", "fair_share_tolerance").first()
    if provider is not None and provider.fair_share_tolerance is not None:
        closed = over_share_now(writers, await recent_utilisation(writers, today, conn), provider.fair_share_tolerance)
        if closed:
            explained, plan.fair_share = await _fair_share_step(explained, instance(allowed, closed), closed)
    for a in explained.allocation.assignments:
        reason = _reason(explained.reasons.get(a.bundle), a.on_time, by_id[a.bundle])
        if plan.quality is not None and plan.quality.used and a.bundle in kept_off:
            areas = ", ".join(areas_of(by_id[a.bundle].requires))
            reason += (f"; {len(kept_off[a.bundle])} writer(s) whose first drafts in {areas} pass QA least often "
                       "kept off it")
        plan.offers.append(PlannedOffer(
            bundle_id=by_id[a.bundle].id, writer_id=UUID(a.writer), reason=reason,
            projected_completion=a.projected_completion, on_time=a.on_time,
        ))
    for u in explained.allocation.unassigned:
        plan.unassigned.append(Unplaced(bundle_id=by_id[u.bundle].id,
                                        reason=_unplaced_reason(u.reason, unrestricted, by_id[u.bundle], writers)))
    return plan


async def _quality_step(
    explained: Explained, unrestricted: Instance, kept_off: dict[str, set[UUID]], allowed: dict[str, set[UUID]],
    writers: dict[UUID, WriterCapacity], instance: Callable[[dict[str, set[UUID]]], Instance],
    la_contracts: dict[UUID, LaContract],
) -> tuple[Explained, QualityTrade, dict[str, set[UUID]]]:
    """The plan with the weak tail kept off, where every LA's contract lets it cost what it costs (quality_trade);
    the plan, the trade and the per-bundle limits the plan was made under."""
    costs = {la: c.quality_cost_limit for la, c in la_contracts.items()}
    if not any(UUID(a.writer) in kept_off.get(a.bundle, ()) for a in explained.allocation.assignments):
        # the plan keeps them off already: planning again could only cost time (the engine is a round's cost)
        return explained, quality_trade(explained.allocation, explained.allocation, unrestricted, kept_off,
                                        costs), allowed
    limits = {**allowed, **{b: allowed.get(b, set(writers)) - out for b, out in kept_off.items()}}
    restricted = await asyncio.to_thread(allocate_explained, instance(limits))
    trade = quality_trade(explained.allocation, restricted.allocation, unrestricted, kept_off, costs)
    return (restricted, trade, limits) if trade.used else (explained, trade, allowed)


async def _fair_share_step(explained: Explained, fair_instance: Instance,
                           closed: frozenset[UUID]) -> tuple[Explained, FairShareTrade]:
    """The plan giving no new work to writers over their share, kept only when no LA loses planned on-time weight
    or placed work by it (a soft target)."""
    weight_now = round(explained.allocation.stats.on_time_weight, 4)
    if not any(UUID(a.writer) in closed for a in explained.allocation.assignments):
        return explained, FairShareTrade(len(closed), True, weight_now, weight_now)  # no new work for them already
    fair = await asyncio.to_thread(allocate_explained, fair_instance)
    used = keeps_each_las_share(explained.allocation, fair.allocation, fair_instance, {})
    trade = FairShareTrade(len(closed), used, round(fair.allocation.stats.on_time_weight, 4), weight_now)
    return (fair, trade) if used else (explained, trade)


def instance_bundle(bundle: Bundle, contract: LaContract | None, today: date) -> InstanceBundle:
    """The engine's view of a bundle: its needs, planned effort, due date and weight."""
    due = bundle.turnaround_due or today
    return InstanceBundle(
        id=str(bundle.id), la=str(bundle.la_id), work_type=bundle.work_type.value,  # type: ignore[attr-defined]
        requires=list(bundle.requires), effort_hours=bundle_effort(bundle, contract), due=due,
        weight=weight(due=due, statutory_date=bundle.statutory_due, express=bundle.tier == Tier.EXPRESS),
    )


def build_instance(today: date, writers: dict[UUID, WriterCapacity], factors: dict[UUID, float],
                   bundles: list[InstanceBundle], allowed: dict[str, set[UUID]],
                   closed: frozenset[UUID] = frozenset()) -> Instance:
    """The engine's instance. A bundle in `allowed` may go only to those writers: it requires a token only they
    hold (the instance format has no per-bundle list of writers). A `closed` writer takes no new work."""
    extra_skills: dict[UUID, list[str]] = {w: [] for w in writers}
    limited = []
    for b in bundles:
        if b.id not in allowed:
            limited.append(b)
            continue
        token = f"bundle-ok:{b.id}"
        limited.append(b.model_copy(update={"requires": [*b.requires, token]}))
        for w in allowed[b.id]:
            extra_skills[w].append(token)
    return Instance(
        now=today, calendar=CalendarSpec(region="england-and-wales", extra_closures=[]),
        writers=[_close(instance_writer(w, cap, extra_skills[w], factors[w]), w in closed)
                 for w, cap in writers.items()],
        bundles=limited,
    )


def _close(writer: InstanceWriter, closed: bool) -> InstanceWriter:
    """A closed writer has no free slot: what they hold, and nothing new."""
    return writer.model_copy(update={"max_concurrent": writer.active_bundles}) if closed else writer


def _kept_off_for_quality(instance: Instance, learned: Estimates, by_id: dict[str, Bundle],
                          la_contracts: dict[UUID, LaContract]) -> dict[str, set[UUID]]:
    """Per queued bundle whose LA's contract lets quality cost on-time weight: the writers who could take it but
    are in the weak tail of first-time passes in one of its areas (learning.py), unless that is all of them."""
    kept_off: dict[str, set[UUID]] = {}
    for b in instance.bundles:
        contract = la_contracts.get(by_id[b.id].la_id)  # type: ignore[attr-defined]
        if contract is None or contract.quality_cost_limit <= 0:
            continue
        areas = areas_of(by_id[b.id].requires)
        able = [w.id for w in instance.writers if eligible(w, b)]
        out = keep_off(able, functools.partial(in_weak_tail, learned, areas=areas))
        if out:
            kept_off[b.id] = {UUID(w) for w in out}
    return kept_off


def quality_trade(unrestricted: Allocation, restricted: Allocation, instance: Instance,
                  kept_off: dict[str, set[UUID]], limits: dict[UUID, float]) -> QualityTrade:
    """Whether the plan keeping the weak tail off may be used: every LA keeps what its contract's limit requires
    (`keeps_each_las_share`); an LA none of whose bundles had a writer kept off gives up nothing."""
    la_of = {b.id: b.la for b in instance.bundles}
    restricted_las = {la_of[b] for b in kept_off}
    used = keeps_each_las_share(unrestricted, restricted, instance,
                                {la: limits.get(UUID(la), 0.0) for la in restricted_las})
    return QualityTrade(kept_off=sum(len(w) for w in kept_off.values()), bundles=len(kept_off), used=used,
                        on_time_weight=round(restricted.stats.on_time_weight, 4),
                        unrestricted_on_time_weight=round(unrestricted.stats.on_time_weight, 4))


def keeps_each_las_share(before: Allocation, after: Allocation, instance: Instance, limits: dict[str, float]) -> bool:
    """Whether every LA keeps, of its bundles' planned on-time weight and of its work placed, what `limits` (by
    LA id; absent: 0) requires of the plan `before` (learning.within_quality_cost)."""
    la_of = {b.id: b.la for b in instance.bundles}
    weight_of = {b.id: b.weight for b in instance.bundles}

    def per_la(allocation: Allocation) -> dict[str, tuple[float, int]]:
        out: dict[str, tuple[float, int]] = {la: (0.0, 0) for la in la_of.values()}
        for a in allocation.assignments:
            w, n = out[la_of[a.bundle]]
            out[la_of[a.bundle]] = (w + (weight_of[a.bundle] if a.on_time else 0.0), n + 1)
        return out

    was, now = per_la(before), per_la(after)
    return all(within_quality_cost(was[la][0], now[la][0], limits.get(la, 0.0), placed_before=was[la][1],
                                   placed_after=now[la][1]) for la in was)


async def recent_utilisation(writers: dict[UUID, WriterCapacity], today: date,
                             conn: BaseDBAsyncClient) -> dict[UUID, float]:
    """Each writer's share of their contract hours worked over the last four weeks: the hours they gave with the
    drafts they uploaded then (the planned effort where they gave none) over four weeks of their hours."""
    since = datetime.combine(today - timedelta(days=RECENT_DAYS), datetime.min.time(), tzinfo=UTC)
    worked: dict[UUID, float] = dict.fromkeys(writers, 0.0)
    for row in await Draft.filter(writer_id__in=list(writers), created_at__gte=since).using_db(conn).values(
            "writer_id", "hours_spent", "hours_estimated"):
        worked[row["writer_id"]] += float(row["hours_spent"] or row["hours_estimated"] or 0.0)
    weeks = RECENT_DAYS / 7
    return {w: worked[w] / (cap.contract.hours_per_week * weeks) for w, cap in writers.items()
            if cap.contract.hours_per_week > 0}


def over_share_now(writers: dict[UUID, WriterCapacity], utilisation: dict[UUID, float],
                   tolerance: float) -> frozenset[UUID]:
    """Writers over their share among writers on the same terms (the same hours a week and skills)."""
    over = over_share({str(w): u for w, u in utilisation.items()},
                      {str(w): (cap.contract.hours_per_week, tuple(sorted(cap.contract.skills)))
                       for w, cap in writers.items()}, tolerance)
    return frozenset(UUID(w) for w in over)


def _reason(engine_reason: str | None, on_time: bool, bundle: Bundle) -> str:
    base = engine_reason or ("on time" if on_time else "late, but this writer finishes it soonest")
    if bundle.pinned_writer_id is not None:  # type: ignore[attr-defined]
        base = f"pinned by the coordinator; {base}"
    return base


def _unplaced_reason(code: str, instance: Instance, bundle: Bundle, writers: dict[UUID, WriterCapacity]) -> str:
    if bundle.pinned_writer_id is not None and bundle.pinned_writer_id not in writers:  # type: ignore[attr-defined]
        return "no_eligible_writer: the pinned writer has no current contract"
    if code == "no_free_slot":
        return "no_free_slot: every eligible writer holds as many bundles as their contract allows"
    subject = next(b for b in instance.bundles if b.id == str(bundle.id))
    if not any(eligible(w, subject) for w in instance.writers if not w.id.startswith("~")):
        needs = ", ".join(sorted({subject.work_type, *[r for r in subject.requires if ":" not in r]}))
        return f"no_eligible_writer: no writer with a current contract has {needs}, no conflict and a valid DBS check"
    return code


async def run_round(*, dry_run: bool = False, provider_id: UUID | None = None) -> dict[UUID, Plan]:
    """Plan and (unless dry_run) write offers for every writing service with queued bundles; RoundBusy if one runs."""
    if dry_run:
        async with in_transaction() as conn:
            return await _round(conn, provider_id, write=False)
    async with allocation_transaction(wait=False) as conn:
        if conn is None:
            raise RoundBusy("another allocation round is running; try again in a moment")
        return await _round(conn, provider_id, write=True)


async def request_round() -> dict[UUID, Plan] | None:
    """A round now, or after the running one; None when another request already waits for it (see round_or_wait)."""
    async with round_or_wait() as conn:
        if conn is None:
            log.debug("allocation.round_coalesced")
            return None
        return await _round(conn, None, write=True)


async def _round(conn: BaseDBAsyncClient, provider_id: UUID | None, *, write: bool) -> dict[UUID, Plan]:
    now = clock.now()  # taken once the lock is had: a request may have waited for it
    plans = {}
    for provider in await _providers(conn, provider_id):
        try:
            plans[provider] = plan = await plan_round(provider, conn, now=now)
        except ValidationError as exc:
            # One writing service's rows the engine cannot take (terms written before today's checks) must not
            # stop every other service's round; retrying would fail the same way, so its bundles say why instead.
            log.error("allocation.provider_unplanned", provider_id=str(provider), errors=exc.error_count())
            if write:
                await Bundle.filter(provider_id=provider, status=BundleStatus.QUEUED).using_db(conn).update(
                    allocation_note={"unassigned": UNPLANNABLE, "at": now.isoformat()})
            continue
        if write:
            await _write(plan, conn, now=now)
    if write and plans:
        made = sum(len(p.offers) for p in plans.values())
        log.info("allocation.round", offers=made, unassigned=sum(len(p.unassigned) for p in plans.values()),
                 kept_off_for_quality=sum(p.quality.kept_off for p in plans.values() if p.quality and p.quality.used))
    return plans


async def _providers(conn: BaseDBAsyncClient, only: UUID | None) -> list[UUID]:
    query = Bundle.filter(status=BundleStatus.QUEUED).using_db(conn)
    if only is not None:
        query = query.filter(provider_id=only)
    return sorted(set(await query.values_list("provider_id", flat=True)))  # type: ignore[arg-type]


async def _write(plan: Plan, conn: BaseDBAsyncClient, *, now: datetime) -> None:
    calendar = WorkingCalendar()
    windows: dict[UUID, float] = {}
    for planned in plan.offers:
        bundle = await Bundle.filter(id=planned.bundle_id).using_db(conn).get()
        la_id = bundle.la_id  # type: ignore[attr-defined]
        if la_id not in windows:
            contract = await contract_between(la_id, bundle.provider_id, conn)  # type: ignore[attr-defined]
            windows[la_id] = contract.offer_window_hours if contract else 8.0
        offer = await Offer.create(bundle_id=planned.bundle_id, writer_id=planned.writer_id,
                                   reason=planned.reason[:300], using_db=conn,
                                   expires_at=offer_deadline(now, windows[la_id], calendar))
        note: dict[str, Any] = {"writer_id": str(planned.writer_id), "reason": planned.reason,
                                "on_time": planned.on_time, "at": now.isoformat(),
                                "projected_completion": planned.projected_completion.isoformat()
                                if planned.projected_completion else None}
        await move(planned.bundle_id, BundleStatus.OFFERED, conn=conn, expect=BundleStatus.QUEUED, event="offer.made",
                   data={"offer_id": str(offer.id), **note}, allocation_note=note)
    for unplaced in plan.unassigned:
        await Bundle.filter(id=unplaced.bundle_id, status=BundleStatus.QUEUED).using_db(conn).update(
            allocation_note={"unassigned": unplaced.reason, "at": now.isoformat()}
        )
