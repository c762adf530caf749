"""Metrics: request latency and queue figures in Prometheus' format, for administrators only."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import Tenant


async def test_metrics_are_for_admins_only(client: httpx.AsyncClient, tenant: Tenant) -> None:
    assert (await client.get("/metrics")).status_code == 401
    for role in ("la_officer", "la_admin", "coordinator", "writer1", "finance"):
        assert (await client.get("/metrics", headers=tenant.auth(role))).status_code == 403, role


async def test_metrics_report_latency_and_queues(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await client.post("/v1/bundles", headers=tenant.auth("la_officer"),
                      json={"reference": "MET-1", "work_type": "new_plan"})
    response = await client.get("/metrics", headers=tenant.auth("admin"))
    assert response.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    latency = families["planwright_http_request_seconds"]
    routes = {s.labels.get("route") for s in latency.samples}
    assert "/v1/bundles" in routes
    assert all("pw_" not in str(s.labels) for s in latency.samples)
    drafts = [s for s in families["planwright_bundles"].samples if s.labels["status"] == "draft"]
    assert drafts and drafts[0].value >= 1
    assert "planwright_offers_pending" in families and "planwright_outbox_pending" in families
