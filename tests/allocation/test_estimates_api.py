"""The coordinator's read of what allocation has learned (speed per work type and page band, first-time pass rates
per area, with their basis), where it comes from (the hours writers give with their drafts), and rounds that plan
with it."""

from __future__ import annotations

import math

import httpx
import pytest

from service import clock
from service.calendar import WorkingCalendar
from service.models import Bundle, BundleStatus, Draft, DraftStatus, LaContract, WorkType, WriterContract
from tests.delivery.test_workflow import SHEET, VAGUE_PLAN, drafting_bundle
from tests.factories import Tenant, make_tenant
from tests.files import DOCX


async def _first_draft(tenant: Tenant, writer: str, requires: list[str], passed: bool, n: int,
                       hours: tuple[float, float] | None = None, pages: int = 20) -> None:
    bundle = await Bundle.create(
        la=tenant.la,
        provider=tenant.provider,
        created_by=tenant.users["la_officer"],
        reference=f"EST-{writer}-{n}",
        work_type=WorkType.NEW_PLAN,
        requires=requires,
        status=BundleStatus.DELIVERED,
        writer=tenant.writers[writer],
        page_count=pages,
    )
    await Draft.create(
        bundle=bundle,
        writer=tenant.writers[writer],
        cycle=1,
        filename="v1.docx",
        size=1,
        sha256="0" * 64,
        storage_key="",
        qa_findings=[],
        status=DraftStatus.PASSED if passed else DraftStatus.RETURNED,
        hours_spent=hours[0] if hours else None,
        hours_estimated=hours[1] if hours else None,
    )


async def test_pass_rates_are_shrunk_toward_the_pool_and_show_their_basis(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    for n in range(10):
        await _first_draft(tenant, "writer1", [], passed=True, n=n)
    for n in range(2):
        await _first_draft(tenant, "writer2", [], passed=False, n=n)
    await _first_draft(tenant, "writer2", ["post16"], passed=True, n=9)
    for n in range(5):  # another writing service's drafts never count here
        await _first_draft(other_tenant, "writer1", [], passed=False, n=n)
    # A draft still in QA has no verdict yet.
    bundle = await Bundle.create(
        la=tenant.la,
        provider=tenant.provider,
        created_by=tenant.users["la_officer"],
        reference="EST-open",
        work_type=WorkType.NEW_PLAN,
        status=BundleStatus.IN_QA,
        writer=tenant.writers["writer1"],
    )
    await Draft.create(
        bundle=bundle,
        writer=tenant.writers["writer1"],
        cycle=1,
        filename="v1.docx",
        size=1,
        sha256="0" * 64,
        storage_key="",
        qa_findings=[],
        status=DraftStatus.IN_QA,
    )

    response = await client.get("/v1/allocation/estimates", headers=tenant.auth("coordinator"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["prior_strength"] == 5.0
    by_writer = {w["writer_id"]: {a["area"]: a for a in w["areas"]} for w in body["writers"]}
    assert set(by_writer) == {str(w.id) for w in tenant.writers.values()}
    one, two = by_writer[str(tenant.writers["writer1"].id)], by_writer[str(tenant.writers["writer2"].id)]
    pool = 10 / 12
    assert one["general"]["own_drafts"] == 10 and one["general"]["own_rate"] == 1.0
    assert one["general"]["pool_drafts"] == 12 and one["general"]["pool_rate"] == pytest.approx(pool, abs=1e-4)
    assert one["general"]["first_time_pass_rate"] == pytest.approx((10 + 5 * pool) / 15, abs=1e-4)
    assert two["general"]["own_rate"] == 0.0
    assert two["general"]["first_time_pass_rate"] == pytest.approx(5 * pool / 7, abs=1e-4)
    assert two["post16"]["own_drafts"] == 1 and one["post16"]["own_drafts"] == 0
    writer3 = by_writer[str(tenant.writers["writer3"].id)]
    assert writer3["general"]["own_rate"] is None and writer3["general"]["first_time_pass_rate"] == pytest.approx(
        pool, abs=1e-4
    )


async def test_only_coordinators_read_the_estimates(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for role in ("writer1", "qa_reviewer", "la_officer"):
        response = await client.get("/v1/allocation/estimates", headers=tenant.auth(role))
        assert response.status_code == 403, role
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_speed_is_learned_from_the_hours_writers_give_shrunk_toward_the_pool(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for n in range(5):
        await _first_draft(tenant, "writer1", [], passed=True, n=n, hours=(20.0, 10.0))  # twice the plan
        await _first_draft(tenant, "writer2", [], passed=True, n=10 + n, hours=(10.0, 10.0))  # as planned
    await _first_draft(tenant, "writer2", [], passed=True, n=20)  # no hours given: QA counts it, speed does not
    await _first_draft(tenant, "writer3", [], passed=True, n=30, hours=(90.0, 30.0), pages=200)  # another band
    body = (await client.get("/v1/allocation/estimates", headers=tenant.auth("coordinator"))).json()
    speeds = {w["writer_id"]: {(s["work_type"], s["page_band"]): s for s in w["speeds"]} for w in body["writers"]}
    one = speeds[str(tenant.writers["writer1"].id)][("new_plan", "up_to_50")]
    pool = math.log(2) / 2  # the pool's mean log ratio over ten drafts
    assert (one["own_factor"], one["own_drafts"], one["pool_drafts"]) == (2.0, 5, 10)
    assert one["pool_factor"] == pytest.approx(math.exp(pool), abs=1e-4)
    assert one["factor"] == pytest.approx(math.exp((5 * math.log(2) + 5 * pool) / 10), abs=1e-4)
    two = speeds[str(tenant.writers["writer2"].id)][("new_plan", "up_to_50")]
    assert two["own_drafts"] == 5 and two["factor"] == pytest.approx(math.exp(5 * pool / 10), abs=1e-4)
    three = speeds[str(tenant.writers["writer3"].id)]
    assert three[("new_plan", "over_150")]["own_factor"] == 3.0
    assert three[("new_plan", "up_to_50")]["own_factor"] is None  # the pool's figure, on no drafts of their own
    assert all(w["planning_factor"] == 1.0 for w in body["writers"])  # nothing queued: nothing to plan


async def test_a_round_plans_a_writer_with_the_speed_they_have_shown(client: httpx.AsyncClient) -> None:
    """A bundle one writer could finish by its date on the plan's hours, but not at the pace they have shown:
    the round now says it will be late, and the coordinator sees the factor it planned with."""
    solo = await make_tenant(writer_skills=[["new_plan"]])
    for n in range(10):
        await _first_draft(solo, "writer1", [], passed=True, n=n, hours=(30.0, 10.0))
    due = WorkingCalendar().add_working_days(clock.today(), 3)
    queued = await Bundle.create(la=solo.la, provider=solo.provider, created_by=solo.users["la_officer"],
                                 reference="PACE-1", work_type=WorkType.NEW_PLAN, status=BundleStatus.QUEUED,
                                 page_count=20, effort_hours=12.0, queued_at=clock.now(), turnaround_due=due)
    coordinator = solo.auth("coordinator")
    plan = (await client.post("/v1/allocation/rounds", headers=coordinator, json={"dry_run": True})).json()
    (offer,) = plan["offers"]
    assert offer["bundle_id"] == str(queued.id)
    # 30 hours a week is 6 a day, 18 or more by the third working day: on time as planned; at three times the
    # plan, 2 a day: late
    assert offer["on_time"] is False and "cannot be on time" in offer["reason"], offer
    body = (await client.get("/v1/allocation/estimates", headers=coordinator)).json()
    assert body["writers"][0]["planning_factor"] == pytest.approx(3.0, abs=1e-3)
    await Draft.filter(bundle__provider_id=solo.provider.id).update(hours_spent=None, hours_estimated=None)
    plan = (await client.post("/v1/allocation/rounds", headers=coordinator, json={"dry_run": True})).json()
    assert plan["offers"][0]["on_time"] is True


async def test_a_writer_gives_the_hours_a_draft_took_with_the_upload(client: httpx.AsyncClient,
                                                                    tenant: Tenant) -> None:
    bundle_id = await drafting_bundle(tenant)
    writer = tenant.auth("writer1")
    await client.put(f"/v1/bundles/{bundle_id}/front-sheet", headers=writer, json=SHEET)
    for bad in ("0", "-2", "501", "many"):
        refused = await client.post(f"/v1/bundles/{bundle_id}/drafts", content=VAGUE_PLAN,
                                    params={"filename": "plan.docx", "hours_spent": bad},
                                    headers={**writer, "Content-Type": DOCX})
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["errors"][0]["field"] == "query.hours_spent"
    assert not await Draft.filter(bundle_id=bundle_id).exists()
    sent = await client.post(f"/v1/bundles/{bundle_id}/drafts", content=VAGUE_PLAN,
                             params={"filename": "plan.docx", "hours_spent": "7.5"},
                             headers={**writer, "Content-Type": DOCX})
    assert sent.status_code == 201, sent.text
    draft = await Draft.get(bundle_id=bundle_id)
    bundle = await Bundle.get(id=bundle_id)
    assert draft.hours_spent == 7.5 and draft.hours_estimated is not None and draft.hours_estimated > 0
    assert bundle.effort_hours is None  # the plan's figure came from the effort table, kept beside the hours


async def _quality_tenant(weak_hours_per_week: float = 30, strong_hours_per_week: float = 30) -> Tenant:
    """Two writers who could take the same work: writer1's first drafts have all come back from QA, writer2's
    have all passed (20 each, so shrinkage leaves writer1 in the weak tail)."""
    pair = await make_tenant(writer_skills=[["new_plan"], ["new_plan"]])
    for n in range(20):
        await _first_draft(pair, "writer1", [], passed=False, n=n)
        await _first_draft(pair, "writer2", [], passed=True, n=100 + n)
    await WriterContract.filter(writer=pair.writers["writer1"]).update(hours_per_week=weak_hours_per_week)
    await WriterContract.filter(writer=pair.writers["writer2"]).update(hours_per_week=strong_hours_per_week)
    return pair


async def _queue(tenant: Tenant, reference: str, working_days: int, effort: float = 12.0) -> Bundle:
    return await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                               reference=reference, work_type=WorkType.NEW_PLAN, status=BundleStatus.QUEUED,
                               page_count=20, effort_hours=effort, queued_at=clock.now(),
                               turnaround_due=WorkingCalendar().add_working_days(clock.today(), working_days))


async def test_a_round_keeps_the_weak_tail_off_when_it_costs_no_dates(client: httpx.AsyncClient) -> None:
    pair = await _quality_tenant(weak_hours_per_week=40)  # the weak writer has more room: the plain plan's pick
    queued = await _queue(pair, "QUAL-1", working_days=10)
    coordinator = pair.auth("coordinator")
    plan = (await client.post("/v1/allocation/rounds", headers=coordinator, json={"dry_run": True})).json()
    (offer,) = plan["offers"]
    assert offer["bundle_id"] == str(queued.id) and offer["on_time"] is True
    assert offer["writer_id"] == str(pair.writers["writer2"].id), plan
    assert "writer(s) whose first drafts in general pass QA least often kept off it" in offer["reason"]
    assert plan["quality"] == {"kept_off": 1, "bundles": 1, "used": True, "on_time_weight": 1.0,
                               "unrestricted_on_time_weight": 1.0}
    # The contract lets quality cost nothing: the plain plan, and no trade to report.
    await LaContract.filter(la=pair.la).update(quality_cost_limit=0.0)
    plan = (await client.post("/v1/allocation/rounds", headers=coordinator, json={"dry_run": True})).json()
    assert plan["quality"] is None and "least often" not in plan["offers"][0]["reason"]
    assert plan["offers"][0]["writer_id"] == str(pair.writers["writer1"].id)


async def test_quality_never_costs_a_date_beyond_the_contracts_limit(client: httpx.AsyncClient) -> None:
    """Only the weak writer can be on time (the strong one works 2 hours a week): keeping them off would make the
    bundle late, a loss of all its on-time weight against the contract's 2%, so the round does not."""
    pair = await _quality_tenant(strong_hours_per_week=2)
    await _queue(pair, "QUAL-2", working_days=5)
    coordinator = pair.auth("coordinator")
    plan = (await client.post("/v1/allocation/rounds", headers=coordinator, json={"dry_run": True})).json()
    (offer,) = plan["offers"]
    assert offer["writer_id"] == str(pair.writers["writer1"].id) and offer["on_time"] is True, plan
    assert plan["quality"] == {"kept_off": 1, "bundles": 1, "used": False, "on_time_weight": 0.0,
                               "unrestricted_on_time_weight": 1.0}
    made = await client.post("/v1/allocation/rounds", headers=coordinator, json={"dry_run": False})
    assert made.json()["offers"][0]["writer_id"] == str(pair.writers["writer1"].id)


async def test_a_contract_version_says_how_much_quality_may_cost(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = tenant.auth("admin")
    terms = {"starts_on": clock.today().isoformat(), "turnaround_days": {"standard": 10, "express": 5}}
    for bad in (-0.01, 0.3, "much"):
        refused = await client.post(f"/v1/organisations/{tenant.la.id}/contracts", headers=admin,
                                    json={**terms, "quality_cost_limit": bad})
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "body.quality_cost_limit"
    made = await client.post(f"/v1/organisations/{tenant.la.id}/contracts", headers=admin,
                             json={**terms, "quality_cost_limit": 0.05})
    assert made.status_code == 201, made.text
    assert made.json()["quality_cost_limit"] == 0.05
    assert (await LaContract.filter(la=tenant.la).order_by("-created_at").first()).quality_cost_limit == 0.05  # type: ignore[union-attr]


async def test_a_plan_that_keeps_the_weak_tail_off_already_is_kept(client: httpx.AsyncClient) -> None:
    """The weak writer works 2 hours a week, so the plain plan gives the bundle to the strong one: nothing to trade."""
    pair = await _quality_tenant(weak_hours_per_week=2)
    await _queue(pair, "QUAL-3", working_days=10)
    plan = (await client.post("/v1/allocation/rounds", headers=pair.auth("coordinator"),
                              json={"dry_run": True})).json()
    assert plan["offers"][0]["writer_id"] == str(pair.writers["writer2"].id)
    assert plan["quality"] == {"kept_off": 1, "bundles": 1, "used": True, "on_time_weight": 1.0,
                               "unrestricted_on_time_weight": 1.0}
