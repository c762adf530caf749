"""Clocks in the service: the stored due dates follow the contract and the pauses, and every bundle shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from tortoise.transactions import in_transaction

from service import clock
from service.bundles.transitions import move
from service.calendar import WorkingCalendar
from service.models import Bundle, BundleStatus, LaContract, Organisation, OrganisationKind, WorkType
from service.sla.service import on_move
from tests.factories import Tenant
from tests.sla.timeline import bundle_with_timeline

CAL = WorkingCalendar()


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def test_queueing_applies_the_contracts_per_work_type_turnaround(client: httpx.AsyncClient,
                                                                        tenant: Tenant) -> None:
    await LaContract.filter(la_id=tenant.la.id).update(
        turnaround_days={"standard": 10, "express": 5, "new_plan": {"standard": 20}})
    new_plan = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                   reference="N-1", work_type=WorkType.NEW_PLAN, status=BundleStatus.SCREENING)
    review = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference="A-1", work_type=WorkType.ANNUAL_REVIEW_AMENDMENT,
                                 status=BundleStatus.SCREENING)
    async with in_transaction() as conn:
        for b in (new_plan, review):
            await move(b.id, BundleStatus.QUEUED, conn=conn, queued_at=clock.now(),
                       turnaround_due=date(2000, 1, 1))
    today = clock.today()
    assert (await Bundle.get(id=new_plan.id)).turnaround_due == CAL.add_working_days(today, 20)
    assert (await Bundle.get(id=review.id)).turnaround_due == CAL.add_working_days(today, 10)
    shown = (await client.get(f"/v1/bundles/{new_plan.id}", headers=tenant.auth("la_officer"))).json()["sla"]
    assert shown["state"] == "running" and shown["paused"] is False
    assert shown["turnaround_due"] == CAL.add_working_days(today, 20).isoformat()
    assert shown["working_days_left"] == 20


async def test_a_phase_transfer_without_a_date_gets_the_february_deadline(client: httpx.AsyncClient,
                                                                           tenant: Tenant) -> None:
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference="P-1", work_type=WorkType.PHASE_TRANSFER, status=BundleStatus.SCREENING)
    given = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                reference="P-2", work_type=WorkType.PHASE_TRANSFER, status=BundleStatus.SCREENING,
                                statutory_due=date(2027, 1, 8))
    async with in_transaction() as conn:
        for b in (bundle, given):
            await move(b.id, BundleStatus.QUEUED, conn=conn, queued_at=clock.now())
    today = clock.today()
    feb = date(today.year, 2, 15) if today <= date(today.year, 2, 15) else date(today.year + 1, 2, 15)
    page = (await client.get("/v1/bundles", headers=tenant.auth("la_officer"))).json()["items"]
    shown = {item["reference"]: item["sla"] for item in page}
    assert shown["P-1"]["statutory_due"] == feb.isoformat() and shown["P-1"]["statutory_derived"] is True
    assert shown["P-2"]["statutory_due"] == "2027-01-08" and shown["P-2"]["statutory_derived"] is False


async def test_leaving_awaiting_la_gives_back_the_paused_working_days(tenant: Tenant) -> None:
    # queued Mon 1 Jun 2026 (10 days: due 15 Jun), awaiting the LA from Wed 3 to Mon 8 Jun: due Thu 18 Jun
    bundle = await bundle_with_timeline(tenant, BundleStatus.DRAFTING, [
        ("screening", "queued", at(date(2026, 6, 1))), ("drafting", "awaiting_la", at(date(2026, 6, 3))),
        ("awaiting_la", "drafting", at(date(2026, 6, 8), 15))],
        turnaround_due=date(2026, 6, 15), paused_since=at(date(2026, 6, 3)))
    async with in_transaction() as conn:
        await on_move(bundle.id, BundleStatus.AWAITING_LA, BundleStatus.DRAFTING, conn=conn)
    fresh = await Bundle.get(id=bundle.id)
    assert fresh.turnaround_due == date(2026, 6, 18)
    assert fresh.paused_since is None


async def test_the_first_delivery_stores_the_working_days_and_whether_it_was_on_time(tenant: Tenant) -> None:
    moves: list[tuple[str | None, str, datetime]] = [
        ("screening", "queued", at(date(2026, 6, 1))), ("drafting", "awaiting_la", at(date(2026, 6, 3))),
        ("awaiting_la", "drafting", at(date(2026, 6, 8))), ("drafting", "in_qa", at(date(2026, 6, 17))),
        ("in_qa", "delivered", at(date(2026, 6, 18), 14))]
    on_time = await bundle_with_timeline(tenant, BundleStatus.DELIVERED, moves,
                                         delivered_at=at(date(2026, 6, 18), 14))
    late = await bundle_with_timeline(tenant, BundleStatus.DELIVERED, [
        moves[0], ("drafting", "in_qa", at(date(2026, 6, 17))), ("in_qa", "delivered", at(date(2026, 6, 18)))],
        delivered_at=at(date(2026, 6, 18), 14))
    async with in_transaction() as conn:
        for b in (on_time, late):
            await on_move(b.id, BundleStatus.IN_QA, BundleStatus.DELIVERED, conn=conn)
    first = await Bundle.get(id=on_time.id)
    assert (first.turnaround_working_days, first.delivered_on_time, first.turnaround_due) == (
        10, True, date(2026, 6, 18))
    second = await Bundle.get(id=late.id)
    assert (second.turnaround_working_days, second.delivered_on_time) == (13, False)
    # a later re-delivery (after an amendment) does not move the measured turnaround
    await Bundle.filter(id=on_time.id).update(delivered_at=at(date(2026, 7, 30)))
    async with in_transaction() as conn:
        await on_move(on_time.id, BundleStatus.IN_QA, BundleStatus.DELIVERED, conn=conn)
    assert (await Bundle.get(id=on_time.id)).turnaround_working_days == 10


async def test_a_bundle_awaiting_the_la_shows_a_paused_clock(client: httpx.AsyncClient, tenant: Tenant) -> None:
    today = clock.today()
    bundle = await bundle_with_timeline(tenant, BundleStatus.DRAFTING, [
        ("screening", "queued", clock.now())], turnaround_due=CAL.add_working_days(today, 6))
    async with in_transaction() as conn:
        await move(bundle.id, BundleStatus.AWAITING_LA, conn=conn)
    paused = (await client.get(f"/v1/bundles/{bundle.id}", headers=tenant.auth("coordinator"))).json()["sla"]
    assert paused["state"] == "paused" and paused["paused"] is True
    assert paused["working_days_left"] == 6
    async with in_transaction() as conn:
        await move(bundle.id, BundleStatus.DRAFTING, conn=conn)
    fresh = await Bundle.get(id=bundle.id)
    assert fresh.paused_since is None
    # paused and resumed the same day: no working day was given back
    assert fresh.turnaround_due == CAL.add_working_days(today, 10)


async def test_working_days_left_skip_each_contracts_closure_days(client: httpx.AsyncClient, tenant: Tenant) -> None:
    today = clock.today()
    closed = CAL.add_working_days(today, 2)
    closing = WorkingCalendar(extra_closures=[closed])
    await LaContract.filter(la_id=tenant.la.id).update(closure_days=[closed.isoformat()])
    # a second LA of the same writing service, whose contract has no closure day
    other_la = await Organisation.create(kind=OrganisationKind.LA, name="Second county", provider=tenant.provider)
    await LaContract.create(la=other_la, provider=tenant.provider, starts_on=today, turnaround_days={})
    due = closing.add_working_days(today, 10)  # what on_move stores with the closure
    running = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                  reference="C-1", work_type=WorkType.NEW_PLAN, status=BundleStatus.DRAFTING,
                                  turnaround_due=due)
    await Bundle.create(la=other_la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                        reference="C-2", work_type=WorkType.NEW_PLAN, status=BundleStatus.QUEUED, turnaround_due=due)
    page = (await client.get("/v1/bundles", headers=tenant.auth("coordinator"))).json()["items"]
    left = {item["reference"]: item["sla"]["working_days_left"] for item in page}
    # each bundle counts on its own contract's calendar: bank holidays alone count the closure day too
    assert left == {"C-1": 10, "C-2": 11}
    detail = (await client.get(f"/v1/bundles/{running.id}", headers=tenant.auth("la_officer"))).json()["sla"]
    assert detail["working_days_left"] == 10
    # a paused clock counts on the contract's calendar too
    await Bundle.filter(id=running.id).update(status=BundleStatus.AWAITING_LA, paused_since=clock.now())
    paused = (await client.get(f"/v1/bundles/{running.id}", headers=tenant.auth("coordinator"))).json()["sla"]
    assert (paused["state"], paused["working_days_left"], paused["turnaround_due"]) == ("paused", 10, due.isoformat())
