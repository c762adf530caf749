"""The coordinator's read of what allocation has learned: first-time pass rates per writer and area, with basis."""

from __future__ import annotations

import httpx
import pytest

from service.models import Bundle, BundleStatus, Draft, DraftStatus, WorkType
from tests.factories import Tenant


async def _first_draft(tenant: Tenant, writer: str, requires: list[str], passed: bool, n: int) -> None:
    bundle = await Bundle.create(
        la=tenant.la,
        provider=tenant.provider,
        created_by=tenant.users["la_officer"],
        reference=f"EST-{writer}-{n}",
        work_type=WorkType.NEW_PLAN,
        requires=requires,
        status=BundleStatus.DELIVERED,
        writer=tenant.writers[writer],
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
