"""Reports agree with a hand-computed example, and an LA sees only its own figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from service import clock
from service.auth.pseudonyms import pseudonym
from service.models import Bundle, BundleStatus, WorkType
from tests.factories import Tenant


async def delivered(tenant: Tenant, days: int, on_time: bool, at: datetime, writer: str = "writer1") -> None:
    await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                        reference="D-1", work_type=WorkType.NEW_PLAN, status=BundleStatus.DELIVERED,
                        writer=tenant.writers[writer], delivered_at=at, turnaround_working_days=days,
                        delivered_on_time=on_time)


async def test_turnaround_report_matches_the_hand_computed_figures(client: httpx.AsyncClient, tenant: Tenant,
                                                                   other_tenant: Tenant) -> None:
    june = datetime(2026, 6, 10, 12, tzinfo=UTC)
    for days, ok in [(5, True), (8, True), (10, True), (12, False)]:
        await delivered(tenant, days, ok, june)
    await delivered(tenant, 3, True, datetime(2026, 4, 30, 23, 30, tzinfo=UTC), writer="writer2")  # 1 May London
    await delivered(other_tenant, 30, False, june)
    response = await client.get("/v1/reports/turnaround", params={"from": "2026-01-01", "to": "2026-12-31"},
                                headers=tenant.auth("la_officer"))
    assert response.status_code == 200, response.text
    rows = {(r["dimension"], r["key"]): r for r in response.json()["rows"]}
    # writer 1: 5, 8, 10, 12 -> median (8 + 10) / 2 = 9; p90 at rank 2.7 -> 10 + 0.7 * 2 = 11.4; 3 of 4 on time
    # (the LA knows its writers by its own pseudonyms: README, Security)
    w1 = rows[("writer", pseudonym(tenant.la.id, tenant.writers["writer1"].id))]
    assert w1["label"] == w1["key"]
    assert str(tenant.writers["writer1"].id) not in response.text
    assert tenant.users["writer1"].name not in response.text
    assert (w1["delivered"], w1["median_working_days"], w1["p90_working_days"], w1["on_time_rate"]) == (
        4, 9.0, 11.4, 0.75)
    # the LA: 3, 5, 8, 10, 12 -> median 8; p90 at rank 3.6 -> 10 + 0.6 * 2 = 11.2; 4 of 5 on time
    la = rows[("la", str(tenant.la.id))]
    assert (la["delivered"], la["median_working_days"], la["p90_working_days"], la["on_time_rate"]) == (
        5, 8.0, 11.2, 0.8)
    assert la["label"] == tenant.la.name
    assert rows[("month", "2026-05")]["delivered"] == 1 and rows[("month", "2026-06")]["delivered"] == 4
    assert not any(k == str(other_tenant.la.id) for _, k in rows)  # never another LA's figures
    csv = await client.get("/v1/reports/turnaround", params={"from": "2026-06-01", "to": "2026-06-30",
                                                             "format": "csv"}, headers=tenant.auth("coordinator"))
    lines = csv.text.splitlines()
    assert lines[0] == "dimension,key,label,delivered,median_working_days,p90_working_days,on_time_rate"
    assert "work_type,new_plan,new_plan,4,9.0,11.4,0.75" in lines
    # the `.csv` twin (an operation of its own, for generated clients) answers the same bytes, takes no format
    twin = await client.get("/v1/reports/turnaround.csv", params={"from": "2026-06-01", "to": "2026-06-30"},
                            headers=tenant.auth("coordinator"))
    assert twin.status_code == 200 and twin.headers["content-type"] == csv.headers["content-type"]
    assert twin.content == csv.content
    formatted = await client.get("/v1/reports/turnaround.csv", params={"format": "json"},
                                 headers=tenant.auth("coordinator"))
    assert formatted.status_code == 422 and formatted.headers["content-type"] == "application/problem+json"
    assert (await client.get("/v1/reports/turnaround.csv", headers=tenant.auth("writer1"))).status_code == 403


async def test_statutory_risk_queue_and_roles(client: httpx.AsyncClient, tenant: Tenant) -> None:
    today = clock.today()
    common: dict[str, Any] = {"la": tenant.la, "provider": tenant.provider, "created_by": tenant.users["la_officer"],
              "work_type": WorkType.PHASE_TRANSFER, "queued_at": clock.now() - timedelta(days=2)}
    late = await Bundle.create(reference="R-1", status=BundleStatus.DRAFTING, turnaround_due=today + timedelta(30),
                               statutory_due=today + timedelta(25), **common)
    await Bundle.create(reference="R-2", status=BundleStatus.QUEUED, turnaround_due=today + timedelta(10),
                        statutory_due=today + timedelta(90), **common)
    risk = (await client.get("/v1/reports/statutory-risk", headers=tenant.auth("la_admin"))).json()["rows"]
    assert [r["bundle_id"] for r in risk] == [str(late.id)] and risk[0]["margin_days"] == -5
    queue = {r["status"]: r for r in (await client.get("/v1/reports/queue",
                                                        headers=tenant.auth("coordinator"))).json()["rows"]}
    assert queue["queued"]["bundles"] == 1 and queue["backlog"]["bundles"] == 2
    assert 1.9 < queue["queued"]["oldest_age_days"] < 2.1
    assert (await client.get("/v1/reports/utilisation", headers=tenant.auth("la_admin"))).status_code == 403
    util = (await client.get("/v1/reports/utilisation", headers=tenant.auth("coordinator"))).json()["rows"]
    assert len(util) == 3 and all(r["hours_per_week"] == 30 for r in util)
    qa = (await client.get("/v1/reports/qa", headers=tenant.auth("qa_reviewer"))).json()["rows"]
    assert qa[-1]["writer_id"] == "all"
    bad = await client.get("/v1/reports/turnaround", params={"from": "2026-02-01", "to": "2026-01-01"},
                           headers=tenant.auth("coordinator"))
    assert bad.status_code == 422
