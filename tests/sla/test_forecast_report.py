"""The capacity forecast through the API: figures from the database agree with a hand computation, only the
writing service's coordinators and admins see it, and another service's bundles never count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from service import clock
from service.calendar import WorkingCalendar
from service.models import Bundle, BundleStatus, LaContract, WorkType, WriterLeave
from service.sla.forecast import week_start
from tests.factories import Tenant

CAL = WorkingCalendar()


async def bundle(tenant: Tenant, status: BundleStatus, queued_on: date | None, **fields: Any) -> Bundle:
    queued_at = datetime.combine(queued_on, time(12), tzinfo=UTC) if queued_on else clock.now()
    return await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                               reference="F-1", work_type=fields.pop("work_type", WorkType.NEW_PLAN), status=status,
                               queued_at=queued_at, page_count=fields.pop("page_count", 20), **fields)


async def test_capacity_forecast_matches_a_hand_computation(client: httpx.AsyncClient, tenant: Tenant,
                                                            other_tenant: Tenant) -> None:
    today = clock.today()
    first = week_start(today)
    year = timedelta(days=364)
    # the LA's contract: a new plan of 20 pages is 10 + 1 * 2 = 12 hours
    await LaContract.filter(la_id=tenant.la.id).update(
        effort_table={"new_plan": {"base_hours": 10, "hours_per_10_pages": 1, "cap_hours": 30}})
    # history: the first arrival well over a year and a quarter ago, 2 arrivals in last year's trend window and 4 in
    # this year's (trend x2), and 10 arrivals in the week 52 weeks before the forecast's third week
    await bundle(tenant, BundleStatus.ACCEPTED, first - timedelta(days=500))
    for _ in range(2):
        await bundle(tenant, BundleStatus.ACCEPTED, first - year - timedelta(days=50))
    for _ in range(4):
        await bundle(tenant, BundleStatus.ACCEPTED, first - timedelta(days=30))
    for _ in range(10):
        await bundle(tenant, BundleStatus.ACCEPTED, first + timedelta(days=15) - year)
    # open work: a queued bundle with the coordinator's 7.5 hours due in the third week, one being drafted with no
    # due date (12 hours, counted in the first week), one in QA (written: not counted)
    await bundle(tenant, BundleStatus.QUEUED, None, effort_hours=7.5, turnaround_due=first + timedelta(days=16))
    await bundle(tenant, BundleStatus.DRAFTING, None, writer=tenant.writers["writer1"])
    await bundle(tenant, BundleStatus.IN_QA, None, writer=tenant.writers["writer2"])
    # another writing service's work and history never count
    await bundle(other_tenant, BundleStatus.QUEUED, None, effort_hours=100)
    await bundle(other_tenant, BundleStatus.ACCEPTED, first + timedelta(days=15) - year)
    # writer 1 is on leave on the third week's first working day
    leave_day = CAL.next_working_day(first + timedelta(days=13))
    await WriterLeave.create(writer=tenant.writers["writer1"], day=leave_day)

    response = await client.get("/v1/reports/capacity-forecast", headers=tenant.auth("coordinator"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["report"], body["period_from"], body["period_to"]) == (
        "capacity-forecast", first.isoformat(), (first + timedelta(days=55)).isoformat())
    rows = body["rows"]
    assert [r["week_start"] for r in rows] == [(first + timedelta(weeks=k)).isoformat() for k in range(8)]
    assert {r["arrivals_basis"] for r in rows} == {"seasonal (1 year)"}

    def capacity(k: int) -> float:  # three writers at 30 hours a week: 6 hours a working day from today on
        start = first + timedelta(weeks=k)
        days = [d for d in CAL.working_days(max(start, today), start + timedelta(days=6))]
        return 18 * len(days) - (6 if leave_day in days else 0)

    third = rows[2]
    assert (third["expected_arrivals"], third["open_hours"], third["arrival_hours"], third["demand_hours"]) == (
        20, 7.5, 240, 247.5)
    assert (third["capacity_hours"], third["shortfall_hours"]) == (capacity(2), 247.5 - capacity(2))
    assert (rows[0]["open_hours"], rows[0]["expected_arrivals"]) == (12, 0)
    assert rows[0]["capacity_hours"] == capacity(0)
    assert all(r["demand_hours"] == 0 and r["capacity_hours"] == capacity(k) for k, r in enumerate(rows) if k > 2)

    csv = await client.get("/v1/reports/capacity-forecast", params={"format": "csv"}, headers=tenant.auth("admin"))
    lines = csv.text.splitlines()
    assert lines[0] == ("week_start,expected_arrivals,open_hours,arrival_hours,demand_hours,capacity_hours,"
                        "shortfall_hours,arrivals_basis")
    assert lines[3].startswith(f"{(first + timedelta(weeks=2)).isoformat()},20.0,7.5,240.0,247.5,")
    for role in ("la_officer", "la_admin", "writer1", "qa_reviewer", "finance"):
        refused = await client.get("/v1/reports/capacity-forecast", headers=tenant.auth(role))
        assert refused.status_code == 403, role
    dated = await client.get("/v1/reports/capacity-forecast", params={"from": "2026-01-01"},
                             headers=tenant.auth("coordinator"))
    assert dated.status_code == 422 and "8 weeks" in dated.text
