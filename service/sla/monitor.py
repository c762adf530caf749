"""The SLA monitor: a periodic, idempotent pass that raises `sla.at_risk` and `sla.breached` on bundles' timelines.

Each crossing is announced once: the SlaAlert row keyed by (bundle, kind, due date) is inserted in the same
transaction as the timeline event, so a second monitor (or a replay) hits the unique key and writes nothing.
A new due date (a pause moved it) is a new crossing. Paused bundles raise nothing. Events are written with
service.bundles.transitions.record, so webhooks pick them up from the timeline like any other event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service import clock
from service.allocation.rounds import WORK_LEFT, bundle_effort, instance_writer, writer_capacity
from service.bundles.transitions import record
from service.clock import london_date
from service.contracts_in_force import contracts_by_la
from service.logging import get_logger
from service.models import Bundle, BundleStatus, SlaAlert
from service.runtime import current
from service.sla.risk import AlertKind, HeldWork, assess, projected_completions
from service.sla.service import calendar_of

log = get_logger(__name__)

# the clock runs in these statuses (awaiting_la is paused; delivered and after, stopped)
WATCHED = (BundleStatus.QUEUED, BundleStatus.OFFERED, BundleStatus.ALLOCATED, BundleStatus.DRAFTING,
           BundleStatus.IN_QA, BundleStatus.RETURNED)


@dataclass(frozen=True)
class Raised:
    bundle_id: UUID
    kind: AlertKind
    reason: str


async def run_monitor(*, now: datetime | None = None, provider_id: UUID | None = None) -> list[Raised]:
    """One pass over every watched bundle; returns the alerts this pass raised (never one raised before)."""
    now = now or clock.now()
    threshold = current().settings.sla_at_risk_working_hours
    query = Bundle.filter(status__in=WATCHED, turnaround_due__isnull=False)
    if provider_id is not None:
        query = query.filter(provider_id=provider_id)
    providers: list[UUID] = sorted({UUID(str(p)) for p in await query.values_list("provider_id", flat=True)})
    raised: list[Raised] = []
    for provider in providers:
        raised += await _provider_pass(provider, now, threshold)
    if raised:
        log.info("sla.monitor", raised=len(raised))
    return raised


async def _provider_pass(provider_id: UUID, now: datetime, threshold: float) -> list[Raised]:
    today = london_date(now)
    async with in_transaction() as conn:
        la_contracts = await contracts_by_la(provider_id, conn)
        capacity = await writer_capacity(provider_id, today, la_contracts, conn)
        bundles = await Bundle.filter(provider_id=provider_id, status__in=WATCHED,
                                      turnaround_due__isnull=False).using_db(conn)
        held = await Bundle.filter(provider_id=provider_id, status__in=list(WORK_LEFT),
                                   writer_id__isnull=False).using_db(conn)
    # each writer's projected completions over everything they hold, earliest due first
    projected: dict[str, Any] = {}
    by_writer: dict[UUID, list[HeldWork]] = {}
    for b in held:
        by_writer.setdefault(b.writer_id, []).append(HeldWork(  # type: ignore[attr-defined]
            str(b.id), bundle_effort(b, la_contracts.get(b.la_id)), b.turnaround_due or today))  # type: ignore[attr-defined]
    for writer_id, work in by_writer.items():
        cap = capacity.get(writer_id)
        if cap is None:
            projected.update({w.key: None for w in work})  # no current contract: no hours
            continue
        calendar = calendar_of(None)
        projected.update(projected_completions(work, instance_writer(writer_id, cap, []), today, calendar))
    raised: list[Raised] = []
    for b in bundles:
        assert b.turnaround_due is not None
        is_held = b.writer_id is not None and b.status in WORK_LEFT  # type: ignore[attr-defined]
        verdict = assess(now, b.turnaround_due, calendar_of(la_contracts.get(b.la_id)),  # type: ignore[attr-defined]
                         threshold_hours=threshold, projected=projected.get(str(b.id)), held=is_held)
        if verdict.kind is None:
            continue
        data: dict[str, Any] = {"due": b.turnaround_due.isoformat(), "reason": verdict.reason,
                                "working_hours_left": verdict.hours_left}
        if is_held:
            completion = projected.get(str(b.id))
            data["projected_completion"] = completion.isoformat() if completion else None
        if await _raise_once(b.id, verdict.kind, b.turnaround_due, data):
            raised.append(Raised(b.id, verdict.kind, verdict.reason))
    return raised


async def _raise_once(bundle_id: UUID, kind: AlertKind, due: Any, data: dict[str, Any]) -> bool:
    """Write the alert row and its event together; False when this crossing was already announced."""
    if await SlaAlert.filter(bundle_id=bundle_id, kind=kind.value, due=due).exists():
        return False
    try:
        async with in_transaction() as conn:
            await SlaAlert.create(bundle_id=bundle_id, kind=kind.value, due=due, using_db=conn)
            await record(bundle_id, f"sla.{kind.value}", conn=conn, data=data)
    except IntegrityError:
        return False  # a concurrent monitor announced it first
    return True
