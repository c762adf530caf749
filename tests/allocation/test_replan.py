"""Re-planning proposals (service/allocation/replan.py): accepted work a writer has not started and would finish
late, moved only where another writer is planned to finish it on time."""

from __future__ import annotations

from datetime import timedelta

import httpx

from service import clock
from service.calendar import WorkingCalendar
from service.models import Bundle, BundleStatus, WorkType, WriterLeave
from tests.factories import Tenant, make_tenant


async def _held(tenant: Tenant, writer: str, reference: str, *, effort: float, working_days: int,
                status: BundleStatus = BundleStatus.ALLOCATED) -> Bundle:
    return await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                               reference=reference, work_type=WorkType.NEW_PLAN, status=status,
                               writer=tenant.writers[writer], page_count=20, effort_hours=effort,
                               queued_at=clock.now(),
                               turnaround_due=WorkingCalendar().add_working_days(clock.today(), working_days))


async def test_a_sick_writers_unstarted_work_is_proposed_to_writers_who_finish_it_on_time(
    client: httpx.AsyncClient,
) -> None:
    tenant = await make_tenant(writer_skills=[["new_plan"]] * 3)
    saved = await _held(tenant, "writer1", "RP-SAVE", effort=12.0, working_days=4)
    hopeless = await _held(tenant, "writer1", "RP-HOPE", effort=100.0, working_days=4)  # 100 hours in 4 days
    started = await _held(tenant, "writer1", "RP-START", effort=6.0, working_days=4, status=BundleStatus.DRAFTING)
    on_track = await _held(tenant, "writer2", "RP-FINE", effort=6.0, working_days=4)
    for n in range(14):  # off sick for a fortnight
        await WriterLeave.create(writer=tenant.writers["writer1"], day=clock.today() + timedelta(days=n))
    coordinator = tenant.auth("coordinator")

    response = await client.get("/v1/allocation/replan", headers=coordinator)
    assert response.status_code == 200, response.text
    body = response.json()
    (move,) = body["moves"]
    assert move["bundle_id"] == str(saved.id) and move["reference"] == "RP-SAVE"
    assert move["from_writer_id"] == str(tenant.writers["writer1"].id)
    assert move["to_writer_id"] in {str(tenant.writers["writer2"].id), str(tenant.writers["writer3"].id)}
    assert move["finish_now"] > move["due"] >= move["finish_after"], move
    assert "day(s) away before it is due" in move["reason"]
    assert body["changes"] == 2
    (unsaved,) = body["unsaved"]
    assert unsaved["bundle_id"] == str(hopeless.id) and "only add a change" in unsaved["reason"]
    listed = {m["bundle_id"] for m in body["moves"]} | {u["bundle_id"] for u in body["unsaved"]}
    assert str(started.id) not in listed and str(on_track.id) not in listed  # started, or on time: never moved

    # The coordinator makes the move; the next proposal reads the result and proposes nothing more.
    made = await client.post(f"/v1/bundles/{saved.id}/assign", headers=coordinator,
                             json={"writer_id": move["to_writer_id"], "reason": "writer1 off sick"})
    assert made.status_code == 200, made.text
    again = (await client.get("/v1/allocation/replan", headers=coordinator)).json()
    assert again["moves"] == [] and [u["bundle_id"] for u in again["unsaved"]] == [str(hopeless.id)]


async def test_a_writer_back_at_work_with_room_has_nothing_moved(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await _held(tenant, "writer1", "RP-OK", effort=12.0, working_days=4)
    body = (await client.get("/v1/allocation/replan", headers=tenant.auth("coordinator"))).json()
    assert body == {"moves": [], "changes": 0, "unsaved": []}


async def test_only_a_coordinator_reads_proposals_and_only_their_own(client: httpx.AsyncClient, tenant: Tenant,
                                                                     other_tenant: Tenant) -> None:
    # running late, not away: started work ahead of it leaves writer1 finishing it on the fourth working day
    await _held(tenant, "writer1", "RP-FIRST", effort=12.0, working_days=1, status=BundleStatus.DRAFTING)
    await _held(tenant, "writer1", "RP-MINE", effort=8.0, working_days=2)
    for role in ("writer1", "qa_reviewer", "la_officer", "finance"):
        refused = await client.get("/v1/allocation/replan", headers=tenant.auth(role))
        assert refused.status_code == 403, role
    theirs = (await client.get("/v1/allocation/replan", headers=other_tenant.auth("coordinator"))).json()
    assert theirs == {"moves": [], "changes": 0, "unsaved": []}
    mine = (await client.get("/v1/allocation/replan", headers=tenant.auth("coordinator"))).json()
    assert [m["reference"] for m in mine["moves"]] == ["RP-MINE"]
    assert "day(s) away" not in mine["moves"][0]["reason"]
