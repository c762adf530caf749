"""The Prometheus endpoint: for the platform's administrators (scrape with an admin token), never for tenants."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import Response

from service.http import Call, Endpoint
from service.metrics.registry import scrape
from service.models import Role


async def metrics(call: Call) -> Response:
    return Response(await scrape(), media_type=CONTENT_TYPE_LATEST)


ENDPOINTS = [
    Endpoint("GET", "/metrics", metrics, frozenset({Role.ADMIN}), "Prometheus metrics (admin token)", "health",
             produces="text/plain", rate_limited=False),
]
