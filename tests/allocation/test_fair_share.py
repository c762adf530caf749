"""Fair shares in the service's rounds: a writer well above their peers' recent load is passed over, but never at
the cost of an LA's planned on-time weight; the coordinator sets the target and reads what it cost."""

from __future__ import annotations

import httpx

from service import clock
from service.calendar import WorkingCalendar
from service.models import AuditEntry, Bundle, BundleStatus, Draft, DraftStatus, WorkType
from tests.factories import Tenant, make_tenant


async def _bundle(tenant: Tenant, reference: str, *, effort: float, working_days: int,
                  writer: str | None = None, status: BundleStatus = BundleStatus.QUEUED) -> Bundle:
    return await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                               reference=reference, work_type=WorkType.NEW_PLAN, status=status, page_count=20,
                               writer=tenant.writers[writer] if writer else None, effort_hours=effort,
                               queued_at=clock.now(),
                               turnaround_due=WorkingCalendar().add_working_days(clock.today(), working_days))


async def _busy_month(tenant: Tenant) -> None:
    """writer1 drafted 60 planned hours in the last four weeks (half their 120 contract hours); the others none."""
    done = await _bundle(tenant, "FS-DONE", effort=60.0, working_days=1, writer="writer1",
                         status=BundleStatus.DELIVERED)
    await Draft.create(bundle=done, writer=tenant.writers["writer1"], cycle=1, filename="v1.docx", size=1,
                       sha256="0" * 64, storage_key="", qa_findings=[], status=DraftStatus.PASSED,
                       hours_estimated=60.0)


async def _dry_run(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, object]:
    response = await client.post("/v1/allocation/rounds", headers=tenant.auth("coordinator"), json={"dry_run": True})
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_writer_over_their_share_is_passed_over_when_no_date_is_lost(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant(writer_skills=[["new_plan"]] * 3)
    await _busy_month(tenant)
    for writer in ("writer2", "writer3"):  # holding a little work now: the plain plan picks writer1
        await _bundle(tenant, f"FS-HELD-{writer}", effort=6.0, working_days=8, writer=writer,
                      status=BundleStatus.ALLOCATED)
    await _bundle(tenant, "FS-NEW", effort=12.0, working_days=10)
    plain = await _dry_run(client, tenant)
    assert plain["fair_share"] is None and plain["offers"][0]["writer_id"] == str(tenant.writers["writer1"].id)

    coordinator = tenant.auth("coordinator")
    assert (await client.get("/v1/allocation/settings", headers=coordinator)).json() == {"fair_share_tolerance": None}
    for bad in (0, -0.1, 1.5, "much"):
        refused = await client.put("/v1/allocation/settings", headers=coordinator, json={"fair_share_tolerance": bad})
        assert refused.status_code == 422, refused.text
    made = await client.put("/v1/allocation/settings", headers=coordinator, json={"fair_share_tolerance": 0.1})
    assert made.status_code == 200 and made.json() == {"fair_share_tolerance": 0.1}
    assert await AuditEntry.filter(action="allocation.settings_changed",
                                   object_id=str(tenant.provider.id)).exists()

    fair = await _dry_run(client, tenant)
    (offer,) = fair["offers"]
    assert offer["writer_id"] != str(tenant.writers["writer1"].id) and offer["on_time"] is True
    assert fair["fair_share"] == {"closed": 1, "used": True, "on_time_weight": 1.0,
                                  "unrestricted_on_time_weight": 1.0}


async def test_a_fair_share_never_costs_a_date(client: httpx.AsyncClient) -> None:
    """Only writer1 can finish the new bundle on time (the others hold 60 hours each): passing them over would
    make it late, so the round does not, and says what it would have cost."""
    tenant = await make_tenant(writer_skills=[["new_plan"]] * 3)
    await _busy_month(tenant)
    for writer in ("writer2", "writer3"):
        await _bundle(tenant, f"FS-FULL-{writer}", effort=60.0, working_days=20, writer=writer,
                      status=BundleStatus.ALLOCATED)
    await _bundle(tenant, "FS-URGENT", effort=12.0, working_days=3)
    await client.put("/v1/allocation/settings", headers=tenant.auth("coordinator"), json={"fair_share_tolerance": 0.1})
    plan = await _dry_run(client, tenant)
    (offer,) = plan["offers"]
    assert offer["writer_id"] == str(tenant.writers["writer1"].id) and offer["on_time"] is True
    assert plan["fair_share"] == {"closed": 1, "used": False, "on_time_weight": 0.0,
                                  "unrestricted_on_time_weight": 1.0}


async def test_only_a_coordinator_sets_the_target_of_their_own_service(client: httpx.AsyncClient, tenant: Tenant,
                                                                      other_tenant: Tenant) -> None:
    for role in ("writer1", "qa_reviewer", "la_officer", "finance", "admin"):
        refused = await client.put("/v1/allocation/settings", headers=tenant.auth(role),
                                   json={"fair_share_tolerance": 0.2})
        assert refused.status_code == 403, role
    await client.put("/v1/allocation/settings", headers=tenant.auth("coordinator"), json={"fair_share_tolerance": 0.2})
    theirs = await client.get("/v1/allocation/settings", headers=other_tenant.auth("coordinator"))
    assert theirs.json() == {"fair_share_tolerance": None}
