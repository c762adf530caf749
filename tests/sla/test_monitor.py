"""The SLA monitor: one event per crossing, from the writer's queue and hours, leave and the time left."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from service import clock
from service.calendar import WorkingCalendar
from service.models import Bundle, BundleStatus, Event, SlaAlert, WriterLeave
from service.sla.monitor import run_monitor
from tests.factories import Tenant
from tests.service_fixtures import requires_postgres

CAL = WorkingCalendar()


async def held(tenant: Tenant, writer: str, *, effort: float, due: date, status: BundleStatus = BundleStatus.DRAFTING,
               ref: str = "H-1") -> Bundle:
    return await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                               reference=ref, work_type="new_plan", status=status, effort_hours=effort,
                               writer=tenant.writers[writer] if writer else None, turnaround_due=due,
                               queued_at=clock.now())


async def events(bundle: Bundle, name: str) -> int:
    return await Event.filter(bundle_id=bundle.id, name=name).count()


async def test_a_writer_with_too_much_work_raises_at_risk_exactly_once(tenant: Tenant) -> None:
    # the writer works from today when today is a working day, else from the next one; on any day of the year,
    # the due date is their fourth working day
    due = list(CAL.working_days(clock.today(), clock.today() + timedelta(days=30)))[3]
    # 30 hours a week is 6 a working day: 24 hours by the due date, so one of 2 x 20 hours is late
    first = await held(tenant, "writer1", effort=20, due=due, ref="H-1")
    second = await held(tenant, "writer1", effort=20, due=due, ref="H-2")
    fine = await held(tenant, "writer2", effort=6, due=due, ref="H-3")
    await run_monitor(provider_id=tenant.provider.id)
    await run_monitor(provider_id=tenant.provider.id)
    # the two are due the same day, so either may be worked first: exactly one of them finishes late
    counts = [await events(first, "sla.at_risk"), await events(second, "sla.at_risk")]
    assert sorted(counts) == [0, 1]
    assert await events(fine, "sla.at_risk") == 0
    late = second if counts[1] else first
    event = await Event.get(bundle_id=late.id, name="sla.at_risk")
    assert event.data["due"] == due.isoformat() and event.data["projected_completion"] > due.isoformat()


async def test_leave_before_the_due_date_puts_a_bundle_at_risk(tenant: Tenant) -> None:
    today = clock.today()
    due = CAL.add_working_days(today, 3)
    bundle = await held(tenant, "writer1", effort=12, due=due)
    await run_monitor(provider_id=tenant.provider.id)
    assert await events(bundle, "sla.at_risk") == 0  # 12 hours in 3 or 4 working days of 6 hours
    for day in CAL.working_days(today, due):
        if day != due:
            await WriterLeave.create(writer=tenant.writers["writer1"], day=day)
    await run_monitor(provider_id=tenant.provider.id)
    assert await events(bundle, "sla.at_risk") == 1


async def test_breached_at_the_due_time_and_at_risk_when_few_hours_remain(tenant: Tenant) -> None:
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)  # Wed 13:00 London
    past = await held(tenant, "", effort=5, due=date(2026, 6, 9), status=BundleStatus.QUEUED, ref="B-1")
    today = await held(tenant, "", effort=5, due=date(2026, 6, 10), status=BundleStatus.IN_QA, ref="B-2")
    later = await held(tenant, "", effort=5, due=date(2026, 6, 30), status=BundleStatus.OFFERED, ref="B-3")
    paused = await held(tenant, "", effort=5, due=date(2026, 6, 9), status=BundleStatus.AWAITING_LA, ref="B-4")
    raised = await run_monitor(now=now, provider_id=tenant.provider.id)
    assert {(r.bundle_id, r.kind.value) for r in raised} == {(past.id, "breached"), (today.id, "at_risk")}
    assert await events(later, "sla.at_risk") == 0 and await events(paused, "sla.breached") == 0
    assert await run_monitor(now=now, provider_id=tenant.provider.id) == []
    # the clock ran out on the second too: a new crossing, one more event
    raised = await run_monitor(now=datetime(2026, 6, 10, 16, 0, tzinfo=UTC), provider_id=tenant.provider.id)
    assert [(r.bundle_id, r.kind.value) for r in raised] == [(today.id, "breached")]
    # a pause that moved the due date makes a new crossing possible
    await Bundle.filter(id=past.id).update(turnaround_due=date(2026, 6, 10))
    raised = await run_monitor(now=now, provider_id=tenant.provider.id)
    assert [(r.bundle_id, r.kind.value) for r in raised] == [(past.id, "at_risk")]


@requires_postgres
async def test_concurrent_monitors_raise_one_event_per_crossing(tenant: Tenant) -> None:
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    bundles = [await held(tenant, "", effort=5, due=date(2026, 6, 9), status=BundleStatus.QUEUED, ref=f"C-{i}")
               for i in range(10)]
    results = await asyncio.gather(*(run_monitor(now=now, provider_id=tenant.provider.id) for _ in range(6)))
    assert sum(len(r) for r in results) == 10
    for b in bundles:
        assert await events(b, "sla.breached") == 1
        assert await SlaAlert.filter(bundle_id=b.id).count() == 1
