"""The Prometheus endpoint: the instance's figures for its operator (an `operator` token, which Prometheus scrapes
with), a provider's own figures for that provider's `admin`; never one tenant's view of another."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import Response

from service.http import Call, Endpoint
from service.metrics.registry import provider_scrape, scrape
from service.models import Role


async def metrics(call: Call) -> Response:
    if call.principal.role == Role.OPERATOR:
        body = await scrape()
    else:
        body = await provider_scrape(call.principal.organisation_id)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


ENDPOINTS = [
    Endpoint("GET", "/metrics", metrics, frozenset({Role.ADMIN, Role.OPERATOR}),
             "Prometheus metrics: the whole instance for the operator, a provider's own figures for its admin",
             "health", produces="text/plain", rate_limited=False),
]
