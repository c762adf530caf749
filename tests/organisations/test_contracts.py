"""LA clients and their contract versions: a change is a new version from a day, the past keeps its terms, and each
bundle is clocked under the version in force when it was queued; archived LAs send no new bundles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import time_machine
from tortoise.transactions import in_transaction

from service import clock
from service.bundles.transitions import move
from service.calendar import WorkingCalendar
from service.models import Bundle, BundleStatus, LaContract
from tests.factories import Tenant, bundle_in


def terms(days: int, **more: Any) -> dict[str, Any]:
    return {"starts_on": (clock.today() + timedelta(days=days)).isoformat(),
            "turnaround_days": {"standard": 10, "express": 5}, **more}


async def test_a_new_version_starts_today_or_later_and_a_start_day_holds_one_set_of_terms(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    admin, la = tenant.auth("admin"), tenant.la.id
    past = await client.post(f"/v1/organisations/{la}/contracts", headers=admin, json=terms(-1))
    assert past.status_code == 422 and "starts_on" in past.json()["detail"]
    made = await client.post(f"/v1/organisations/{la}/contracts", headers=admin, json=terms(3, retention_days=30))
    assert made.status_code == 201 and made.json()["in_force"] is False, made.text
    other = await client.post(f"/v1/organisations/{la}/contracts", headers=admin, json=terms(3, retention_days=31))
    assert other.status_code == 409
    listed = (await client.get(f"/v1/organisations/{la}/contracts", headers=tenant.auth("finance"))).json()["items"]
    assert [v["in_force"] for v in listed] == [True, False]
    with time_machine.travel(clock.now() + timedelta(days=3, hours=1), tick=False):
        listed = (await client.get(f"/v1/organisations/{la}/contracts", headers=admin)).json()["items"]
        assert [v["in_force"] for v in listed] == [False, True]


async def test_terms_are_checked_by_the_rooms_that_read_them(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin, la = tenant.auth("admin"), tenant.la.id
    for body, where in [
        (terms(1, turnaround_days={"standard": 0}), "turnaround_days"),
        (terms(1, screening_policy={"shoe_size": "block"}), "screening_policy"),
        (terms(1, rate_card={"prices_pence": {"new_plan": -1}, "payouts_pence": {}}), "rate_card"),
        (terms(1, rate_card={"prices_pence": {"new_plan": 1}, "payouts_pence": {"new_plan": 1}}), "rate_card"),
        (terms(1, ends_on=clock.today().isoformat()), "ends_on"),
    ]:
        response = await client.post(f"/v1/organisations/{la}/contracts", headers=admin, json=body)
        assert response.status_code == 422, (body, response.text)
        problem = response.json()
        assert where in problem["detail"] or any(e["field"].startswith(where) for e in problem["errors"])
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await LaContract.filter(la_id=la).count() == 1  # nothing stored


async def test_each_bundle_is_clocked_under_the_version_in_force_when_it_was_queued(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    faster = await client.post(f"/v1/organisations/{tenant.la.id}/contracts", headers=tenant.auth("admin"),
                               json=terms(7, turnaround_days={"standard": 2, "express": 1}))
    assert faster.status_code == 201, faster.text

    async def queued() -> Bundle:
        bundle = await bundle_in(tenant, BundleStatus.SCREENING)
        async with in_transaction() as conn:
            await move(bundle.id, BundleStatus.QUEUED, conn=conn, expect=BundleStatus.SCREENING,
                       event="bundle.queued")
        fresh = await Bundle.get(id=bundle.id)
        assert fresh.turnaround_due is not None
        return fresh

    calendar = WorkingCalendar()
    first = await queued()
    assert calendar.working_days_between(clock.today(), first.turnaround_due) == 10  # type: ignore[arg-type]
    with time_machine.travel(clock.now() + timedelta(days=8), tick=False):
        second = await queued()
        assert calendar.working_days_between(clock.today(), second.turnaround_due) == 2  # type: ignore[arg-type]
    # the bundle queued before the change keeps the clock it was queued under
    assert (await Bundle.get(id=first.id)).turnaround_due == first.turnaround_due


async def test_an_archived_la_sends_no_new_bundles_and_keeps_its_history(client: httpx.AsyncClient,
                                                                        tenant: Tenant) -> None:
    officer = tenant.auth("la_officer")
    kept = await client.post("/v1/bundles", headers=officer, json={"reference": "ARC-1", "work_type": "new_plan"})
    assert kept.status_code == 201
    archived = await client.post(f"/v1/organisations/{tenant.la.id}/archive", headers=tenant.auth("admin"))
    twice = await client.post(f"/v1/organisations/{tenant.la.id}/archive", headers=tenant.auth("admin"))
    assert archived.json()["archived_at"] == twice.json()["archived_at"] is not None
    refused = await client.post("/v1/bundles", headers=officer, json={"reference": "ARC-2", "work_type": "new_plan"})
    assert refused.status_code == 409 and "archived" in refused.json()["detail"]
    assert (await client.get(f"/v1/bundles/{kept.json()['id']}", headers=officer)).status_code == 200


async def test_an_ended_contract_stops_new_bundles(client: httpx.AsyncClient, tenant: Tenant) -> None:
    ending = await client.post(f"/v1/organisations/{tenant.la.id}/contracts", headers=tenant.auth("admin"),
                               json=terms(0, ends_on=(clock.today() + timedelta(days=2)).isoformat()))
    assert ending.status_code == 201, ending.text
    officer = tenant.auth("la_officer")
    assert (await client.post("/v1/bundles", headers=officer,
                              json={"reference": "END-1", "work_type": "new_plan"})).status_code == 201
    with time_machine.travel(clock.now() + timedelta(days=3), tick=False):
        late = await client.post("/v1/bundles", headers=officer, json={"reference": "END-2", "work_type": "new_plan"})
        assert late.status_code == 409 and "ended" in late.json()["detail"]


async def test_renaming_to_another_clients_name_is_a_conflict(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = tenant.auth("admin")
    second = await client.post("/v1/organisations", headers=admin, json={"name": "Westshire"})
    assert second.status_code == 201
    clash = await client.patch(f"/v1/organisations/{tenant.la.id}", headers=admin, json={"name": "Westshire"})
    assert clash.status_code == 409
    renamed = await client.patch(f"/v1/organisations/{tenant.la.id}", headers=admin, json={"name": "Eastshire"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Eastshire"
    blank = await client.patch(f"/v1/organisations/{tenant.la.id}", headers=admin, json={"name": "   "})
    assert blank.status_code == 422
