"""Problem `type` URIs resolve: the service serves a page for every problem type it answers with, and path ids are
taken only in their canonical form (anything else is a 422 naming the parameter, never "no such bundle")."""

from __future__ import annotations

import uuid

import httpx
import pytest

from service.app import ENDPOINTS
from service.errors import Problem, problem_types
from tests.factories import Tenant
from tests.service.test_bad_input import problem
from tests.service.test_tenancy import new_bundle


def _all_problem_classes() -> set[type[Problem]]:
    found, pending = set(), [Problem]
    while pending:
        kind = pending.pop()
        found.add(kind)
        pending += kind.__subclasses__()
    return found


def test_every_problem_class_has_a_type_listed_with_an_explanation() -> None:
    assert ENDPOINTS  # the app's modules are imported, so every Problem subclass is defined
    listed = problem_types()
    for kind in _all_problem_classes():
        assert kind.type_ in listed, kind
        assert (kind.__doc__ or "").strip(), f"{kind.__name__} needs a docstring: it is its problem page"


@pytest.mark.parametrize("name", sorted(problem_types()))
async def test_each_problem_type_has_its_own_page(client: httpx.AsyncClient, name: str) -> None:
    page = await client.get(f"/problems/{name}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    kind = problem_types()[name]
    assert f"HTTP status {kind.status}" in page.text and kind.title in page.text
    index = await client.get("/problems")
    assert f'href="/problems/{name}"' in index.text


async def test_problem_types_in_answers_resolve_to_those_pages(client: httpx.AsyncClient, tenant: Tenant) -> None:
    answers = [
        await client.get("/v1/bundles"),  # 401
        await client.get("/v1/no/such/route"),  # 404 from the router
        await client.delete("/v1/bundles"),  # 405
        await client.get("/v1/bundles", headers=tenant.auth("la_officer"), params={"limit": "0"}),  # 422
        await client.post("/v1/bundles", headers=tenant.auth("la_officer"), content=b"{"),  # 400
        await client.get("/v1/billing/months/2026-01/summary", headers=tenant.auth("la_officer")),  # 403
    ]
    assert [a.status_code for a in answers] == [401, 404, 405, 422, 400, 403]
    for answer in answers:
        assert answer.headers["content-type"].startswith("application/problem+json")
        type_uri = answer.json()["type"]
        assert type_uri.startswith("/problems/"), type_uri
        page = await client.get(type_uri)
        assert page.status_code == 200, type_uri
    unknown = await client.get("/problems/no-such-problem")
    assert unknown.status_code == 404 and unknown.json()["type"] == "/problems/not-found"


def _spellings(canonical: str) -> list[str]:
    fullwidth = canonical.translate({ord(d): ord(d) - ord("0") + 0xFF10 for d in "0123456789"})
    return [canonical.upper(), canonical.replace("-", ""), f"urn:uuid:{canonical}", f"{{{canonical}}}", fullwidth,
            "not-a-uuid", canonical + "0"]


async def test_a_path_id_is_taken_only_in_canonical_form(client: httpx.AsyncClient, tenant: Tenant) -> None:
    la = tenant.auth("la_officer")
    bundle_id, _ = await new_bundle(client, tenant, with_document=False)
    assert (await client.get(f"/v1/bundles/{bundle_id}", headers=la)).status_code == 200
    assert any(c.isdigit() for c in bundle_id)
    for spelling in _spellings(bundle_id):
        body = problem(await client.get(f"/v1/bundles/{spelling}", headers=la), 422)
        assert body["type"] == "/problems/validation-error"
        assert body["errors"][0]["field"] == "path.bundle_id"  # type: ignore[index]
        assert "no such" not in str(body["detail"])
    # a well-formed id nobody has is still 404, and another route's id alike
    problem(await client.get(f"/v1/bundles/{uuid.uuid4()}", headers=la), 404)
    body = problem(await client.post(f"/v1/offers/{str(uuid.uuid4()).upper()}/accept",
                                     headers=tenant.auth("writer1")), 422)
    assert body["errors"][0]["field"] == "path.offer_id"  # type: ignore[index]


async def test_an_id_in_a_query_string_is_taken_only_in_canonical_form(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    finance = tenant.auth("finance")
    la_id = str(tenant.la.id)
    listed = await client.get("/v1/billing/purchase-orders", params={"la_id": la_id}, headers=finance)
    assert listed.status_code == 200
    body = problem(await client.get("/v1/billing/purchase-orders", params={"la_id": la_id.upper()},
                                    headers=finance), 422)
    assert body["errors"][0]["field"] == "query.la_id"  # type: ignore[index]
