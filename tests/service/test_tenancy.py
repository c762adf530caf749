"""Tenancy: another LA's bundle is simply not there (404); writers see only their own work; roles stay in lane."""

from __future__ import annotations

import httpx
import pytest

from service.app import ENDPOINTS
from service.http import Endpoint
from tests.factories import Tenant
from tests.files import EP_REPORT, PDF


async def new_bundle(
    client: httpx.AsyncClient, tenant: Tenant, *, with_document: bool = True
) -> tuple[str, str | None]:
    la = tenant.auth("la_officer")
    created = await client.post("/v1/bundles", headers=la, json={"reference": "TEN-1", "work_type": "new_plan"})
    assert created.status_code == 201, created.text
    bundle_id = created.json()["id"]
    document_id = None
    if with_document:
        uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep.pdf"},
                                     content=EP_REPORT, headers={**la, "Content-Type": PDF})
        assert uploaded.status_code == 201, uploaded.text
        document_id = uploaded.json()["id"]
    return bundle_id, document_id


async def test_another_la_cannot_list_get_download_or_cancel_a_bundle(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    bundle_id, document_id = await new_bundle(client, tenant)
    other = other_tenant.auth("la_officer")
    listed = await client.get("/v1/bundles", headers=other)
    assert bundle_id not in [b["id"] for b in listed.json()["items"]]
    assert (await client.get(f"/v1/bundles/{bundle_id}", headers=other)).status_code == 404
    download = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content", headers=other)
    assert download.status_code == 404
    assert (await client.post(f"/v1/bundles/{bundle_id}/cancel", headers=other)).status_code == 404
    assert (await client.post(f"/v1/bundles/{bundle_id}/submit", headers=other)).status_code == 404
    # and the owner still sees it untouched
    mine = await client.get(f"/v1/bundles/{bundle_id}", headers=tenant.auth("la_officer"))
    assert mine.status_code == 200 and mine.json()["status"] == "draft"


async def test_another_providers_staff_cannot_see_the_bundle(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    bundle_id, _ = await new_bundle(client, tenant)
    for role in ("coordinator", "qa_reviewer", "writer1", "admin"):
        response = await client.get(f"/v1/bundles/{bundle_id}", headers=other_tenant.auth(role))
        assert response.status_code == 404, role


async def test_a_writer_cannot_download_documents_of_a_bundle_not_theirs(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id, document_id = await new_bundle(client, tenant)
    response = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content",
                                headers=tenant.auth("writer2"))
    assert response.status_code == 404


async def test_the_coordinator_cannot_read_the_documents(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id, document_id = await new_bundle(client, tenant)
    response = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content",
                                headers=tenant.auth("coordinator"))
    assert response.status_code == 403


ROLES = ["la_officer", "la_admin", "coordinator", "writer1", "qa_reviewer", "finance", "admin"]
PROTECTED = [ep for ep in ENDPOINTS if not ep.public]


def _path(ep: Endpoint) -> str:
    return (ep.path.replace("{bundle_id}", "00000000-0000-4000-8000-000000000001")
            .replace("{document_id}", "00000000-0000-4000-8000-000000000002")
            .replace("{offer_id}", "00000000-0000-4000-8000-000000000003")
            .replace("{draft_id}", "00000000-0000-4000-8000-000000000004")
            .replace("{token_id}", "00000000-0000-4000-8000-000000000005")
            .replace("{writer_id}", "00000000-0000-4000-8000-000000000006")
            .replace("{query_id}", "00000000-0000-4000-8000-000000000007")
            .replace("{index}", "0")
            .replace("{endpoint_id}", "00000000-0000-4000-8000-000000000009")
            .replace("{delivery_id}", "00000000-0000-4000-8000-00000000000a")
            .replace("{month}", "2027-01")
            .replace("{la_id}", "00000000-0000-4000-8000-00000000000b")
            .replace("{line_id}", "1"))


@pytest.mark.parametrize("endpoint", PROTECTED, ids=[f"{e.method} {e.path}" for e in PROTECTED])
async def test_each_role_is_refused_the_routes_that_are_not_its_own(
    client: httpx.AsyncClient, tenant: Tenant, endpoint: Endpoint
) -> None:
    for role in ROLES:
        response = await client.request(endpoint.method, _path(endpoint), headers=tenant.auth(role))
        allowed = role.rstrip("1") in {r.value for r in endpoint.roles}
        if allowed:
            assert response.status_code != 403, (role, response.text)
        else:
            assert response.status_code == 403, (role, response.status_code, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("endpoint", PROTECTED, ids=[f"{e.method} {e.path}" for e in PROTECTED])
async def test_no_token_means_401(client: httpx.AsyncClient, endpoint: Endpoint) -> None:
    response = await client.request(endpoint.method, _path(endpoint))
    assert response.status_code == 401
    bad = await client.request(endpoint.method, _path(endpoint), headers={"Authorization": "Bearer pw_nope"})
    assert bad.status_code == 401


async def test_a_revoked_token_stops_working(client: httpx.AsyncClient, tenant: Tenant) -> None:
    from service.auth.tokens import issue_token, revoke_token

    issued = await issue_token(tenant.users["la_officer"])
    headers = {"Authorization": f"Bearer {issued.token}"}
    assert (await client.get("/v1/bundles", headers=headers)).status_code == 200
    await revoke_token(issued.id)
    assert (await client.get("/v1/bundles", headers=headers)).status_code == 401
