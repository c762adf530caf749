"""The SLA clocks in the service: keep a bundle's stored due dates right as it moves, and show its clocks.

`on_move` is called by the one transition function (service/bundles/transitions.py) inside the mover's
transaction: entering `queued` (re)computes turnaround_due from the contract and the statutory date when the LA gave
none; entering `awaiting_la` starts a pause; leaving it recomputes turnaround_due from the whole timeline; the first
delivery stores the working days the clock ran and whether it was on time, so reports aggregate plain columns.
`sla_view` reads the bundle row and its contract's calendar; `calendars_for` loads the calendars of a whole list of
bundles in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from service import clock
from service.calendar import WorkingCalendar
from service.clock import london_date
from service.contracts_in_force import contract_of, contracts_for
from service.models import Bundle, BundleStatus, Event, LaContract
from service.sla.clock import (
    NOT_STARTED,
    STOPPED,
    ClockState,
    Pause,
    contract_days,
    derived_statutory_date,
    statutory_at_risk,
    statutory_deliver_by,
    turnaround_due,
    turnaround_working_days,
    working_days_left,
)

_CALENDAR = WorkingCalendar()


def calendar_of(contract: LaContract | None) -> WorkingCalendar:
    """Bank holidays plus the contract's own closure days."""
    if contract is None or not contract.closure_days:
        return _CALENDAR
    return WorkingCalendar(extra_closures=[date.fromisoformat(d) for d in contract.closure_days])


async def calendars_for(bundles: Iterable[Bundle]) -> dict[tuple[UUID, UUID], WorkingCalendar]:
    """The calendar of each (LA, writing service) pair among `bundles`, from their current contracts (one query)."""
    bundles = list(bundles)
    in_force = await contracts_for(bundles)
    return {pair: calendar_of(in_force.get(pair)) for pair in {(b.la_id, b.provider_id) for b in bundles}}  # type: ignore[attr-defined]


def calendar_in(calendars: dict[tuple[UUID, UUID], WorkingCalendar], bundle: Bundle) -> WorkingCalendar:
    """A bundle's calendar from `calendars_for`."""
    return calendars.get((bundle.la_id, bundle.provider_id), _CALENDAR)  # type: ignore[attr-defined]


def pauses_from(events: list[Event]) -> list[Pause]:
    """Pauses from a timeline (ordered by id): each move into awaiting_la until the next move out of it."""
    pauses: list[Pause] = []
    start: date | None = None
    for event in events:
        if event.to_status == BundleStatus.AWAITING_LA.value and start is None:
            start = london_date(event.created_at)
        elif event.from_status == BundleStatus.AWAITING_LA.value and start is not None:
            pauses.append(Pause(start, london_date(event.created_at)))
            start = None
    if start is not None:
        pauses.append(Pause(start))
    return pauses


async def _timeline(bundle_id: UUID, conn: BaseDBAsyncClient) -> tuple[date | None, list[Pause]]:
    """The London date the bundle was first queued, and its pauses."""
    events = await Event.filter(bundle_id=bundle_id, to_status__isnull=False).using_db(conn).order_by("id")
    first_queued = next((london_date(e.created_at) for e in events if e.to_status == BundleStatus.QUEUED.value), None)
    return first_queued, pauses_from(events)


async def on_move(bundle_id: UUID, source: BundleStatus, target: BundleStatus, *, conn: BaseDBAsyncClient) -> None:
    """Keep the stored clocks right after a move (called by transitions.move, after the event row is written)."""
    leaving_pause = source == BundleStatus.AWAITING_LA
    if target == BundleStatus.AWAITING_LA:
        await Bundle.filter(id=bundle_id).using_db(conn).update(paused_since=clock.now())
        return
    if target != BundleStatus.QUEUED and not leaving_pause and target != BundleStatus.DELIVERED:
        return
    bundle = await Bundle.filter(id=bundle_id).using_db(conn).get()
    if target == BundleStatus.DELIVERED and bundle.turnaround_working_days is not None:
        return  # the turnaround is measured to the first delivery
    queued_on, pauses = await _timeline(bundle_id, conn)
    if queued_on is None:
        return
    # the clock runs under the contract version in force when the bundle was first queued
    contract = await contract_of(bundle, conn, at=queued_on)
    calendar = calendar_of(contract)
    today = clock.today()
    due = turnaround_due(queued_on, contract_days(contract.turnaround_days if contract else None,
                                                  bundle.work_type.value, bundle.tier.value),
                         [p for p in pauses if p.end is not None], calendar)
    changes: dict[str, Any] = {"turnaround_due": due}
    if leaving_pause:
        changes["paused_since"] = None
    if bundle.statutory_due is None or bundle.statutory_derived:
        derived = derived_statutory_date(bundle.work_type.value, bundle.requires, queued_on)
        if derived is not None:
            changes.update(statutory_due=derived, statutory_derived=True)
    if target == BundleStatus.DELIVERED:
        delivered_on = london_date(bundle.delivered_at) if bundle.delivered_at else today
        changes["turnaround_working_days"] = turnaround_working_days(queued_on, delivered_on, pauses, calendar)
        changes["delivered_on_time"] = delivered_on <= due
    await Bundle.filter(id=bundle_id).using_db(conn).update(**changes)


def sla_view(bundle: Bundle, calendar: WorkingCalendar, today: date | None = None) -> dict[str, Any]:
    """The clocks a bundle shows, from its row (turnaround_due is stored without the open pause) and its contract's
    calendar (bank holidays and closure days, as the stored due date), which `calendars_for` loads for a list."""
    today = today or clock.today()
    status = bundle.status.value
    statutory = bundle.statutory_due
    due = bundle.turnaround_due
    if status == BundleStatus.CANCELLED.value:
        state = ClockState.CANCELLED
    elif status in NOT_STARTED or due is None:
        state = ClockState.NOT_STARTED
    elif status in STOPPED:
        state = ClockState.STOPPED
    elif bundle.paused_since is not None:
        state = ClockState.PAUSED
    else:
        state = ClockState.RUNNING
    left: int | None = None
    if state == ClockState.PAUSED and due is not None and bundle.paused_since is not None:
        start = london_date(bundle.paused_since)
        if start < due:
            due = calendar.add_working_days(due, calendar.working_days_between(start, max(start, today)))
    if state in (ClockState.RUNNING, ClockState.PAUSED) and due is not None:
        left = working_days_left(due, today, calendar)
    live = state in (ClockState.RUNNING, ClockState.PAUSED)
    return {
        "state": state.value, "turnaround_due": due if state != ClockState.CANCELLED else None,
        "statutory_due": statutory, "statutory_derived": bundle.statutory_derived,
        "working_days_left": left, "paused": state == ClockState.PAUSED,
        "statutory_deliver_by": statutory_deliver_by(statutory, calendar) if statutory is not None else None,
        "statutory_at_risk": live and statutory_at_risk(due, statutory, calendar),
        "turnaround_working_days": bundle.turnaround_working_days, "delivered_on_time": bundle.delivered_on_time,
    }
