"""Metrics: the whole instance for its operator (the token Prometheus scrapes with); a provider's admin reads its
own figures and nothing of any other tenant's, nor the instance's request counters."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import Tenant


def _families(text: str) -> dict[str, object]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def _drafts(text: str) -> float:
    families = {f.name: f for f in text_string_to_metric_families(text)}
    return next(s.value for s in families["planwright_bundles"].samples if s.labels["status"] == "draft")


async def test_metrics_are_for_the_operator_and_provider_admins_only(client: httpx.AsyncClient,
                                                                     tenant: Tenant) -> None:
    assert (await client.get("/metrics")).status_code == 401
    for role in ("la_officer", "la_admin", "coordinator", "writer1", "finance", "qa_reviewer"):
        assert (await client.get("/metrics", headers=tenant.auth(role))).status_code == 403, role
    for role in ("admin", "operator"):
        assert (await client.get("/metrics", headers=tenant.auth(role))).status_code == 200, role


async def test_the_operator_reads_latency_and_the_instances_queues(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await client.post("/v1/bundles", headers=tenant.auth("la_officer"),
                      json={"reference": "MET-1", "work_type": "new_plan"})
    response = await client.get("/metrics", headers=tenant.auth("operator"))
    assert response.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    latency = families["planwright_http_request_seconds"]
    routes = {s.labels.get("route") for s in latency.samples}
    assert "/v1/bundles" in routes
    assert all("pw_" not in str(s.labels) for s in latency.samples)
    assert _drafts(response.text) >= 1
    assert "planwright_offers_pending" in families and "planwright_outbox_pending" in families
    assert "planwright_denied_requests" in families and "planwright_security_events" in families


async def test_a_provider_admin_reads_only_its_own_figures(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    """The probe's finding: a second provider saw 21 bundles where it had 7. Now each sees its own count."""
    for n in range(3):
        created = await client.post("/v1/bundles", headers=tenant.auth("la_officer"),
                                    json={"reference": f"MET-A{n}", "work_type": "new_plan"})
        assert created.status_code == 201
    created = await client.post("/v1/bundles", headers=other_tenant.auth("la_officer"),
                                json={"reference": "MET-B0", "work_type": "new_plan"})
    assert created.status_code == 201
    mine = await client.get("/metrics", headers=tenant.auth("admin"))
    theirs = await client.get("/metrics", headers=other_tenant.auth("admin"))
    instance = await client.get("/metrics", headers=tenant.auth("operator"))
    assert (_drafts(mine.text), _drafts(theirs.text)) == (3, 1)
    assert _drafts(instance.text) >= 4
    for text in (mine.text, theirs.text):
        families = _families(text)
        assert "planwright_http_request_seconds" not in families  # every tenant's traffic: the operator's only
        assert "planwright_outbox_pending" not in families and "planwright_denied_requests" not in families
        assert {"planwright_bundles", "planwright_offers_pending", "planwright_bundles_overdue"} <= families.keys()
