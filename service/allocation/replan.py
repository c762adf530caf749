"""Re-planning without churn: when a writer is away or running late, propose moving the work they have not started
to writers who can still finish it on time.

Each writer's held work is projected as the SLA monitor projects it (sla/risk.py: earliest due first, at their
hours a day, leave and sickness days off), but at the pace they have shown (the round's planning factor,
estimates.py). A bundle they accepted and have not started (`allocated`: no advice read yet) that they would finish
after its due date is a candidate. The candidates go through the engine together, as a round would plan them, each
kept off its holder, with every other writer's capacity as it stands and the holder's freed of the candidates.

A change is not free: it reaches two writers, and the bundle's new writer starts from nothing. So a move is
proposed only where the new writer is planned to finish on time; a bundle no one can save stays with its holder
and is listed with the reason. Started work (`drafting`) and bundles the coordinator pinned are never moved.
Nothing is written: the coordinator makes a move with `POST /v1/bundles/{id}/assign`, and the next proposal reads
the result.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID

from tortoise.transactions import in_transaction

from contracts.api import ProposedMoveOut, UnsavedOut
from service import clock
from service.allocation.engine import allocate_explained
from service.allocation.estimates import provider_estimates
from service.allocation.rounds import (
    WORK_LEFT,
    build_instance,
    bundle_effort,
    instance_bundle,
    instance_writer,
    planning_factors,
    writer_capacity,
)
from service.calendar import WorkingCalendar
from service.contracts_in_force import contracts_by_la
from service.models import Bundle, BundleStatus
from service.sla.risk import HeldWork, projected_completions


@dataclass
class Replan:
    moves: list[ProposedMoveOut] = field(default_factory=list)
    unsaved: list[UnsavedOut] = field(default_factory=list)

    @property
    def changes(self) -> int:
        """Writers whose work changes if every move is made."""
        return len({m.from_writer_id for m in self.moves} | {m.to_writer_id for m in self.moves})


def late_unstarted(held: list[Bundle], finishes: dict[str, date | None]) -> list[Bundle]:
    """Held bundles not started whose projected finish is after their due date (or never)."""
    out = []
    for bundle in held:
        if bundle.status != BundleStatus.ALLOCATED or bundle.turnaround_due is None:
            continue
        if bundle.pinned_writer_id is not None:  # type: ignore[attr-defined]
            continue  # the coordinator's choice stands
        finish = finishes.get(str(bundle.id))
        if finish is None or finish > bundle.turnaround_due:
            out.append(bundle)
    return out


async def propose(provider_id: UUID) -> Replan:
    """The moves that would save late unstarted work in one writing service now (writes nothing)."""
    today = clock.today()
    calendar = WorkingCalendar()
    async with in_transaction() as conn:
        la_contracts = await contracts_by_la(provider_id, conn)
        writers = await writer_capacity(provider_id, today, la_contracts, conn)
        if not writers:
            return Replan()
        held = await Bundle.filter(provider_id=provider_id, writer_id__in=list(writers),
                                   status__in=list(WORK_LEFT)).using_db(conn).order_by("turnaround_due", "id")
        learned = await provider_estimates(provider_id, conn)
    factors = planning_factors(learned, writers, held, la_contracts)
    by_writer: dict[UUID, list[Bundle]] = {}
    for bundle in held:
        by_writer.setdefault(bundle.writer_id, []).append(bundle)  # type: ignore[attr-defined]
    candidates: list[Bundle] = []
    finish_now: dict[str, date | None] = {}
    for writer_id, work in by_writer.items():
        me = instance_writer(writer_id, writers[writer_id], [], factors[writer_id])
        finishes = projected_completions(
            [HeldWork(key=str(b.id), effort_hours=bundle_effort(b, la_contracts.get(b.la_id)),  # type: ignore[attr-defined]
                      due=b.turnaround_due or today) for b in work], me, today, calendar)
        finish_now.update(finishes)
        candidates.extend(late_unstarted(work, finishes))
    replan = Replan()
    if not candidates:
        return replan
    # the holders' capacity without the candidates; every candidate kept off its holder (and any writer excluded)
    freed = dict(writers)
    for bundle in candidates:
        cap = freed[bundle.writer_id]  # type: ignore[attr-defined]
        freed[bundle.writer_id] = replace(  # type: ignore[attr-defined]
            cap, held=cap.held - 1,
            committed_hours=max(0.0, cap.committed_hours - bundle_effort(bundle, la_contracts.get(bundle.la_id))))  # type: ignore[attr-defined]
    allowed = {str(b.id): {w for w in writers if w != b.writer_id and str(w) not in b.excluded_writers}  # type: ignore[attr-defined]
               for b in candidates}
    instance = build_instance(today, freed, factors,
                              [instance_bundle(b, la_contracts.get(b.la_id), today) for b in candidates],  # type: ignore[attr-defined]
                              allowed)
    explained = await asyncio.to_thread(allocate_explained, instance)
    planned = {a.bundle: a for a in explained.allocation.assignments}
    for bundle in candidates:
        key, due, holder = str(bundle.id), bundle.turnaround_due, bundle.writer_id  # type: ignore[attr-defined]
        assert due is not None
        why = _why_late(finish_now[key], writers[holder].leave, today, due)
        a = planned.get(key)
        if a is not None and a.on_time:
            replan.moves.append(ProposedMoveOut(
                bundle_id=bundle.id, reference=bundle.reference, from_writer_id=holder, to_writer_id=UUID(a.writer),
                due=due, finish_now=finish_now[key], finish_after=a.projected_completion,
                reason=f"{why}; the new writer is planned to finish on time"))
        else:
            replan.unsaved.append(UnsavedOut(
                bundle_id=bundle.id, reference=bundle.reference, writer_id=holder, due=due,
                finish_now=finish_now[key],
                reason=why + ("; no other writer can take it" if a is None else
                              "; no other writer would finish it on time either, so moving it would only add a "
                              "change")))
    return replan


def _why_late(finish: date | None, leave: list[date], today: date, due: date) -> str:
    away = sum(1 for d in leave if today <= d <= due)
    base = ("the holder is not projected to finish it" if finish is None
            else f"the holder is projected to finish it on {finish.isoformat()}, after its due date")
    return f"{base} ({away} day(s) away before it is due)" if away else base
