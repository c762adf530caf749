"""A writer's lifecycle: only active writers with a DBS certificate in date get offers; suspension withdraws what
is on offer; offboarding releases the work in hand through the release path; conflicts keep LAs apart."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from service import clock
from service.allocation.rounds import run_round
from service.auth.tokens import issue_token
from service.models import (
    AuditEntry,
    Bundle,
    BundleStatus,
    Offer,
    OfferStatus,
    Role,
    User,
    Writer,
    WriterContract,
    WriterStatus,
)
from tests.factories import Tenant, bundle_in, make_tenant

TERMS = {"skills": ["new_plan"], "hours_per_week": 30, "max_concurrent": 3, "excluded_las": [],
         "dbs_number": "001234567890"}


@pytest.fixture
async def solo(app: object) -> Tenant:
    """A writing service with one writer, so a round's offer can only go to them."""
    return await make_tenant(writer_skills=[["new_plan", "phase_transfer", "annual_review_amendment"]])


async def offered_writers(tenant: Tenant) -> set[str]:
    await bundle_in(tenant, BundleStatus.QUEUED, turnaround_due=clock.today() + timedelta(days=14))
    plans = await run_round(dry_run=True, provider_id=tenant.provider.id)
    return {str(o.writer_id) for plan in plans.values() for o in plan.offers}


async def test_invited_suspended_and_offboarded_writers_get_no_offers(client: httpx.AsyncClient, solo: Tenant) -> None:
    coordinator = solo.auth("coordinator")
    writer_id = str(solo.writers["writer1"].id)
    assert await offered_writers(solo) == {writer_id}
    suspended = await client.post(f"/v1/writers/{writer_id}/suspend", headers=coordinator, json={"reason": "illness"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended", suspended.text
    assert await offered_writers(solo) == set()
    assert (await client.post(f"/v1/writers/{writer_id}/reinstate", headers=coordinator,
                              json={"reason": "back"})).json()["status"] == "active"
    assert await offered_writers(solo) == {writer_id}
    recorded = await AuditEntry.filter(object_id=writer_id).order_by("id").values_list("action", flat=True)
    assert recorded == ["writer.suspended", "writer.reinstated"]
    await Writer.filter(id=writer_id).update(status=WriterStatus.INVITED)
    assert await offered_writers(solo) == set()


async def test_an_expired_dbs_certificate_means_no_offers_and_no_onboarding(client: httpx.AsyncClient,
                                                                          solo: Tenant) -> None:
    writer = solo.writers["writer1"]
    await client.put(f"/v1/writers/{writer.id}/terms", headers=solo.auth("coordinator"),
                     json={**TERMS, "dbs_expires": (clock.today() - timedelta(days=1)).isoformat()})
    assert await offered_writers(solo) == set()
    await Writer.filter(id=writer.id).update(status=WriterStatus.INVITED)
    refused = await client.post(f"/v1/writers/{writer.id}/onboard", headers=solo.auth("coordinator"),
                                json={"reason": "checked"})
    assert refused.status_code == 409 and "DBS" in refused.json()["detail"]


@pytest.mark.parametrize(("days", "warned"), [(45, False), (30, True), (5, True), (-1, True)])
async def test_the_coordinator_is_warned_30_days_before_a_dbs_certificate_expires(
    client: httpx.AsyncClient, tenant: Tenant, days: int, warned: bool
) -> None:
    writer = tenant.writers["writer2"]
    put = await client.put(f"/v1/writers/{writer.id}/terms", headers=tenant.auth("coordinator"),
                           json={**TERMS, "dbs_expires": (clock.today() + timedelta(days=days)).isoformat()})
    assert put.status_code == 200, put.text
    assert put.json()["dbs_expiring"] is warned
    listed = {w["id"]: w for w in (await client.get("/v1/writers", headers=tenant.auth("coordinator"))).json()["items"]}
    assert listed[str(writer.id)]["dbs_expiring"] is warned
    assert listed[str(tenant.writers["writer1"].id)]["dbs_expiring"] is False


async def test_suspending_withdraws_the_offers_not_yet_answered_and_keeps_work_in_hand(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    offered = await bundle_in(tenant, BundleStatus.OFFERED)
    offer = await Offer.create(bundle=offered, writer=tenant.writers["writer1"],
                               expires_at=clock.now() + timedelta(hours=8))
    held = await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1")
    response = await client.post(f"/v1/writers/{tenant.writers['writer1'].id}/suspend",
                                 headers=tenant.auth("coordinator"), json={"reason": "complaint under review"})
    assert response.status_code == 200, response.text
    await offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN
    assert (await Bundle.get(id=offered.id)).status == BundleStatus.QUEUED
    assert (await Bundle.get(id=held.id)).status == BundleStatus.DRAFTING


async def test_offboarding_releases_the_work_in_hand_and_is_audited(client: httpx.AsyncClient, tenant: Tenant) -> None:
    held = await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1",
                           turnaround_due=clock.today() + timedelta(days=10))
    writer_id = tenant.writers["writer1"].id
    response = await client.post(f"/v1/writers/{writer_id}/offboard", headers=tenant.auth("coordinator"),
                                 json={"reason": "contract ended"})
    assert response.status_code == 200, response.text
    assert response.json()["released_bundle_ids"] == [str(held.id)]
    assert response.json()["writer"]["status"] == "offboarded"
    bundle = await Bundle.get(id=held.id)
    assert bundle.status == BundleStatus.QUEUED and bundle.writer_id is None  # type: ignore[attr-defined]
    entry = await AuditEntry.filter(action="writer.offboarded", object_id=str(writer_id)).first()
    assert entry is not None and entry.actor_id == tenant.users["coordinator"].id
    assert entry.data["origin"].startswith("api ") and entry.data["released_bundle_ids"] == [str(held.id)]
    # offboarded is final: no reinstating, no new terms
    again = await client.post(f"/v1/writers/{writer_id}/reinstate", headers=tenant.auth("coordinator"),
                              json={"reason": "oops"})
    assert again.status_code == 409
    terms = await client.put(f"/v1/writers/{writer_id}/terms", headers=tenant.auth("coordinator"),
                             json={**TERMS, "dbs_expires": "2030-01-01"})
    assert terms.status_code == 409


async def test_only_the_services_own_writer_users_can_be_invited(client: httpx.AsyncClient, tenant: Tenant,
                                                               other_tenant: Tenant) -> None:
    coordinator = tenant.auth("coordinator")
    body = {**TERMS, "dbs_expires": "2030-01-01"}
    theirs = await User.create(organisation=other_tenant.provider, name="their writer", role=Role.WRITER)
    assert (await client.post("/v1/writers", headers=coordinator,
                              json={**body, "user_id": str(theirs.id)})).status_code == 404
    finance = tenant.users["finance"]
    wrong_role = await client.post("/v1/writers", headers=coordinator, json={**body, "user_id": str(finance.id)})
    assert wrong_role.status_code == 409 and "writer role" in wrong_role.json()["detail"]
    conflicted = await client.post("/v1/writers", headers=coordinator, json={
        **body, "user_id": str((await User.create(organisation=tenant.provider, name="new", role=Role.WRITER)).id),
        "excluded_las": [str(other_tenant.la.id)]})
    assert conflicted.status_code == 404  # another service's LA is not there
    bad = await client.post("/v1/writers", headers=coordinator, json={**body, "user_id": str(finance.id),
                                                                      "hours_per_week": 0})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


async def test_a_writer_declares_a_conflict_and_gets_no_offers_from_that_la(client: httpx.AsyncClient,
                                                                           solo: Tenant) -> None:
    declared = await client.post("/v1/writers/me/conflicts", headers=solo.auth("writer1"),
                                 json={"la_id": str(solo.la.id)})
    assert declared.status_code == 200 and declared.json()["excluded_las"] == [str(solo.la.id)], declared.text
    assert await offered_writers(solo) == set()
    # the earlier terms stay on the record
    assert await WriterContract.filter(writer_id=solo.writers["writer1"].id).count() == 2


async def test_a_writer_made_with_a_user_token_reaches_offers_once_onboarded(client: httpx.AsyncClient,
                                                                           solo: Tenant) -> None:
    user = await User.create(organisation=solo.provider, name="newcomer", role=Role.WRITER)
    token = {"Authorization": f"Bearer {(await issue_token(user)).token}"}
    invited = await client.post("/v1/writers", headers=solo.auth("coordinator"),
                                json={**TERMS, "dbs_expires": "2030-01-01", "user_id": str(user.id)})
    assert invited.status_code == 201, invited.text
    assert (await client.get("/v1/offers", headers=token)).status_code == 200
    await Writer.filter(id=solo.writers["writer1"].id).update(status=WriterStatus.SUSPENDED)
    assert await offered_writers(solo) == set()  # invited: not yet
    await client.post(f"/v1/writers/{invited.json()['id']}/onboard", headers=solo.auth("coordinator"),
                      json={"reason": "checked"})
    assert await offered_writers(solo) == {invited.json()["id"]}


async def test_a_writer_is_invited_by_email_and_named_one_way_only(client: httpx.AsyncClient, tenant: Tenant) -> None:
    terms = {**TERMS, "dbs_expires": (clock.today() + timedelta(days=400)).isoformat()}
    coordinator = tenant.auth("coordinator")
    for who in ({"email": "w@example.org"}, {"email": "w@example.org", "name": "W",
                                              "user_id": str(tenant.users["writer1"].id)}, {}):
        refused = await client.post("/v1/writers", headers=coordinator, json={**terms, **who})
        assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert not await User.filter(email="w@example.org").exists()
    invited = await client.post("/v1/writers", headers=coordinator,
                                json={**terms, "email": "New.Writer@Example.org", "name": "New Writer"})
    assert invited.status_code == 201 and invited.json()["status"] == "invited", invited.text
    user = await User.get(id=invited.json()["user_id"])
    assert (user.role, user.email, user.organisation_id) == (  # type: ignore[attr-defined]
        Role.WRITER, "new.writer@example.org", tenant.provider.id)
    again = await client.post("/v1/writers", headers=coordinator,
                              json={**terms, "email": "new.writer@example.org", "name": "New Writer"})
    assert again.status_code == 200 and again.json()["id"] == invited.json()["id"]
    # an email of the service's staff is no writer's
    staff = await client.post("/v1/admin/users", headers=tenant.auth("admin"),
                              json={"email": "staff@example.org", "name": "Staff", "role": "finance"})
    clash = await client.post("/v1/writers", headers=coordinator,
                              json={**terms, "email": "staff@example.org", "name": "Staff"})
    assert staff.status_code == 201 and clash.status_code == 409


async def test_a_skill_is_one_lower_case_name_and_nothing_else_is_kept(client: httpx.AsyncClient,
                                                                      solo: Tenant) -> None:
    """Found by the API fuzzer: terms with an empty skill were kept, and the next round, whose engine refuses an
    empty name, failed for every writing service on the instance."""
    writer_id = solo.writers["writer1"].id
    before = await WriterContract.filter(writer_id=writer_id).count()
    for skills in ([""], ["  "], ["new_plan", ""], ["New Plan"], ["post16\u0000"]):
        refused = await client.put(f"/v1/writers/{writer_id}/terms", headers=solo.auth("coordinator"),
                                   json={**TERMS, "dbs_expires": "2030-01-01", "skills": skills})
        assert refused.status_code == 422, (skills, refused.text)
        assert refused.json()["errors"][0]["field"].startswith("body.skills"), refused.text
    assert await WriterContract.filter(writer_id=writer_id).count() == before
    kept = await client.put(f"/v1/writers/{writer_id}/terms", headers=solo.auth("coordinator"),
                            json={**TERMS, "dbs_expires": "2030-01-01", "skills": [" new_plan ", "post16"]})
    assert kept.status_code == 200 and kept.json()["skills"] == ["new_plan", "post16"], kept.text
