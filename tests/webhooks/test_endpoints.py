"""The endpoint registry: LA admins only, the secret shown once and stored wrapped, URLs checked, tenant-scoped."""

from __future__ import annotations

import httpx
import pytest

from service.models import WebhookEndpoint
from service.runtime import current
from tests.factories import Tenant
from tests.webhooks.helpers import register

E = "/v1/webhooks/endpoints"


async def test_an_la_admin_registers_lists_updates_and_deletes_an_endpoint(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    admin = tenant.auth("la_admin")
    endpoint_id, secret = await register(client, tenant, "https://hooks.example.org/in", ["bundle.delivered"])
    assert secret.startswith("whsec_") and len(secret) > 40

    shown = (await client.get(f"{E}/{endpoint_id}", headers=admin)).json()
    assert "secret" not in shown
    assert secret.startswith(shown["secret_prefix"])
    assert [e["id"] for e in (await client.get(E, headers=admin)).json()["items"]] == [endpoint_id]

    changed = await client.patch(f"{E}/{endpoint_id}", headers=admin,
                                 json={"event_types": ["sla.breached", "bundle.queued", "sla.breached"],
                                       "active": False})
    assert changed.status_code == 200, changed.text
    assert changed.json()["event_types"] == ["bundle.queued", "sla.breached"]
    assert changed.json()["active"] is False

    assert (await client.delete(f"{E}/{endpoint_id}", headers=admin)).status_code == 204
    assert (await client.get(f"{E}/{endpoint_id}", headers=admin)).status_code == 404
    assert (await client.get(E, headers=admin)).json()["items"] == []


async def test_the_secret_is_not_stored_in_clear(client: httpx.AsyncClient, tenant: Tenant) -> None:
    endpoint_id, secret = await register(client, tenant, "https://hooks.example.org/in", ["bundle.queued"])
    row = await WebhookEndpoint.get(id=endpoint_id)
    raw = bytes(row.secret_wrapped)
    assert secret.encode() not in raw and secret.removeprefix("whsec_").encode() not in raw


async def test_unknown_event_types_and_bad_urls_are_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = tenant.auth("la_admin")
    unknown = await client.post(E, headers=admin, json={"url": "https://h.example.org", "event_types": ["bundle.x"]})
    assert unknown.status_code == 422
    none = await client.post(E, headers=admin, json={"url": "https://h.example.org", "event_types": []})
    assert none.status_code == 422
    bad = await client.post(E, headers=admin, json={"url": "mailto:someone@example.org", "event_types":
                                                    ["bundle.queued"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.url"


async def test_production_requires_https_and_a_public_host(
    client: httpx.AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(current().settings, "environment", "production")
    admin = tenant.auth("la_admin")
    for url in ("http://hooks.example.org/in", "https://127.0.0.1/in", "https://10.0.0.8/in",
                "https://localhost/in"):
        refused = await client.post(E, headers=admin, json={"url": url, "event_types": ["bundle.queued"]})
        assert refused.status_code == 422, url
    accepted = await client.post(E, headers=admin, json={"url": "https://hooks.example.org/in",
                                                         "event_types": ["bundle.queued"]})
    assert accepted.status_code == 201
    endpoint_id = accepted.json()["id"]
    moved = await client.patch(f"{E}/{endpoint_id}", headers=admin, json={"url": "http://hooks.example.org/in"})
    assert moved.status_code == 422


async def test_another_las_admin_finds_nothing(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    endpoint_id, _ = await register(client, tenant, "https://hooks.example.org/in", ["bundle.queued"])
    other = other_tenant.auth("la_admin")
    assert (await client.get(E, headers=other)).json()["items"] == []
    for method, path, body in [
        ("GET", f"{E}/{endpoint_id}", None), ("PATCH", f"{E}/{endpoint_id}", {"active": False}),
        ("DELETE", f"{E}/{endpoint_id}", None), ("POST", f"{E}/{endpoint_id}/rotate-secret", {}),
        ("GET", f"{E}/{endpoint_id}/deliveries", None),
        ("POST", f"{E}/{endpoint_id}/deliveries/00000000-0000-4000-8000-000000000009/redeliver", None),
    ]:
        response = await client.request(method, path, headers=other, json=body)
        assert response.status_code == 404, (method, path, response.status_code)
    assert (await WebhookEndpoint.get(id=endpoint_id)).active is True


@pytest.mark.parametrize("role", ["la_officer", "coordinator", "writer1", "qa_reviewer", "finance", "operator"])
async def test_only_la_admins_manage_endpoints(client: httpx.AsyncClient, tenant: Tenant, role: str) -> None:
    response = await client.post(E, headers=tenant.auth(role),
                                 json={"url": "https://hooks.example.org/in", "event_types": ["bundle.queued"]})
    assert response.status_code == 403


async def test_a_provider_admin_keeps_security_endpoints_only(client: httpx.AsyncClient, tenant: Tenant) -> None:
    """Bundle events are the LA's to receive; a provider's admin registers endpoints for security notices."""
    admin = tenant.auth("admin")
    bundle_events = await client.post(E, headers=admin, json={"url": "https://hooks.example.org/in",
                                                              "event_types": ["bundle.queued"]})
    assert bundle_events.status_code == 422
    security = await client.post(E, headers=admin, json={"url": "https://hooks.example.org/sec",
                                                         "event_types": ["security.probing", "security.break_glass"]})
    assert security.status_code == 201, security.text
    widened = await client.patch(f"{E}/{security.json()['id']}", headers=admin,
                                 json={"event_types": ["bundle.delivered"]})
    assert widened.status_code == 422
    listed = await client.get(E, headers=tenant.auth("la_admin"))
    assert security.json()["id"] not in listed.text  # the provider's endpoint is not the LA's
