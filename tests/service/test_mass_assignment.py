"""Mass assignment: a write may carry only the fields its body declares. Fields a caller may not set (tenancy,
status, people, money, ids, versions) are refused with 422 naming the field, and nothing in the database moves."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from tortoise import Tortoise

from service.app import ENDPOINTS
from service.http import Endpoint
from tests.factories import Tenant
from tests.service.test_tenancy import POLICIES, ROLES, build_world

BODY_ROUTES = [ep for ep in ENDPOINTS if ep.body is not None]
# what a caller might try to smuggle in: the tenancy, the state machine, people, money, ids and versions
FORBIDDEN = {
    "la_id": "00000000-0000-4000-8000-000000000001", "provider_id": "00000000-0000-4000-8000-000000000002",
    "organisation_id": "00000000-0000-4000-8000-000000000003", "status": "delivered",
    "writer_id_override": "00000000-0000-4000-8000-000000000004", "created_by_id": None, "id": 7,
    "price_pence": 1, "amount_pence": 1, "payout_pence": 0, "access_version": 99, "role": "admin",
    "reviewer_id": "00000000-0000-4000-8000-000000000005", "secret_wrapped": "AA==", "active": True,
}


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    """The model and every model nested in its fields."""
    found = [model]
    for info in model.model_fields.values():
        for arg in (*getattr(info.annotation, "__args__", ()), info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in found:
                found.extend(_models(arg))
    return found


@pytest.mark.parametrize("endpoint", [ep for ep in ENDPOINTS if ep.body or ep.query],
                         ids=[f"{e.method} {e.path}" for e in ENDPOINTS if e.body or e.query])
def test_every_request_model_forbids_unknown_fields(endpoint: Endpoint) -> None:
    for declared in (endpoint.body, endpoint.query):
        for model in _models(declared) if declared else []:
            assert model.model_config.get("extra") == "forbid", model.__name__


async def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, so 'nothing changed' means nothing at all; except the record of the refused call
    itself (an `access.denied` audit entry, a token's `last_used_at`), which must be written."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for model in Tortoise.apps["models"].values():
        query = model.all().order_by(model._meta.pk_attr)
        if model._meta.db_table == "audit_entry":
            query = query.exclude(action="access.denied")
        fields = [name for name in model._meta.db_fields if name != "last_used_at"]
        rows = await query.values_list(*fields)
        tables[model._meta.db_table] = [tuple(map(str, row)) for row in rows]
    return tables


@pytest.mark.parametrize("endpoint", BODY_ROUTES, ids=[f"{e.method} {e.path}" for e in BODY_ROUTES])
async def test_fields_a_caller_may_not_set_are_refused_and_change_nothing(
    client: httpx.AsyncClient, tenant: Tenant, endpoint: Endpoint
) -> None:
    policy = POLICIES[f"{endpoint.method} {endpoint.path}"]
    world = await build_world(client, tenant)
    role = next(r for r in ROLES if r.rstrip("1") in {x.value for x in endpoint.roles})
    valid = policy.body_for(world, role)
    assert endpoint.body is not None and valid is not None
    before = await _snapshot()
    declared = set(endpoint.body.model_fields)
    for name, value in FORBIDDEN.items():
        if name in declared:
            continue
        body = {**valid, name: value}
        response = await client.request(endpoint.method, world.path(endpoint, role), headers=tenant.auth(role),
                                        json=body)
        assert response.status_code == 422, (name, response.status_code, response.text[:200])
        assert any(error["field"] == f"body.{name}" for error in response.json()["errors"]), response.text
    assert await _snapshot() == before


async def test_a_bundle_created_with_another_tenancy_and_status_is_refused(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    """The plain case, spelled out: an LA cannot create a bundle for another LA, nor skip the screening."""
    from service.models import Bundle

    response = await client.post("/v1/bundles", headers=tenant.auth("la_officer"), json={
        "reference": "MA-1", "work_type": "new_plan", "la_id": str(other_tenant.la.id), "status": "queued"})
    assert response.status_code == 422
    assert not await Bundle.filter(reference="MA-1").exists()
    created = await client.post("/v1/bundles", headers=tenant.auth("la_officer"),
                                json={"reference": "MA-1", "work_type": "new_plan"})
    bundle = await Bundle.get(id=created.json()["id"])
    assert bundle.la_id == tenant.la.id and bundle.status.value == "draft"  # type: ignore[attr-defined]


QUERY_ROUTES = [ep for ep in ENDPOINTS if ep.query is not None and not ep.public]


@pytest.mark.parametrize("endpoint", QUERY_ROUTES, ids=[f"{e.method} {e.path}" for e in QUERY_ROUTES])
async def test_a_tenancy_in_the_query_string_is_refused_too(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, endpoint: Endpoint
) -> None:
    """No listing or report can be pointed at another tenant by a query parameter: unknown ones answer 422."""
    world = await build_world(client, tenant)
    role = next(r for r in ROLES if r.rstrip("1") in {x.value for x in endpoint.roles})
    before = await _snapshot()
    policy = POLICIES[f"{endpoint.method} {endpoint.path}"]
    response = await client.request(endpoint.method, world.path(endpoint), headers=tenant.auth(role),
                                    params={**(policy.params or {}), "la_id": str(other_tenant.la.id)})
    assert endpoint.query is not None
    if "la_id" in endpoint.query.model_fields:  # a declared filter (finance's purchase orders): not theirs, not there
        assert response.status_code == 404, response.text[:200]
    else:
        assert response.status_code == 422, response.text[:200]
        assert any(error["field"] == "query.la_id" for error in response.json()["errors"]), response.text
    assert await _snapshot() == before
