"""The Starlette application: routes from the endpoint table, middleware, problem handlers, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from tortoise.contrib.starlette import RegisterTortoise
from tortoise.exceptions import DBConnectionError

from service.admin.routes import ENDPOINTS as ADMIN
from service.allocation.routes import ENDPOINTS as ALLOCATION
from service.audit.routes import ENDPOINTS as AUDIT
from service.auth.me_routes import ENDPOINTS as ME
from service.auth.sign_in_routes import ENDPOINTS as SIGN_IN
from service.billing.routes import ENDPOINTS as BILLING
from service.bundles.allocation_routes import ENDPOINTS as BUNDLE_ALLOCATION
from service.bundles.delivery_routes import ENDPOINTS as BUNDLE_DELIVERY
from service.bundles.draft_routes import ENDPOINTS as BUNDLE_DRAFTS
from service.bundles.intake_routes import ENDPOINTS as BUNDLE_INTAKE
from service.bundles.query_routes import ENDPOINTS as BUNDLE_QUERIES
from service.bundles.routes import ENDPOINTS as BUNDLES
from service.db import tortoise_config
from service.delivery.routes import ENDPOINTS as DELIVERY
from service.drafts.review_routes import ENDPOINTS as DRAFT_REVIEWS
from service.drafts.routes import ENDPOINTS as DRAFTS
from service.errors import InternalError, MethodNotAllowed, NotFound, Problem, ServiceUnavailable
from service.health.routes import ENDPOINTS as HEALTH
from service.http import PROBLEM_JSON, Endpoint, compile_route, problem_response
from service.logging import get_logger
from service.metrics.routes import ENDPOINTS as METRICS
from service.middleware import RequestContext
from service.notifications.routes import ENDPOINTS as NOTIFICATIONS
from service.offers.routes import ENDPOINTS as OFFERS
from service.openapi import DOCS_PAGE, build_openapi
from service.organisations.routes import ENDPOINTS as ORGANISATIONS
from service.problems.routes import ENDPOINTS as PROBLEMS
from service.queries.routes import ENDPOINTS as QUERIES
from service.reviews.routes import ENDPOINTS as REVIEWS
from service.reviews.template_routes import ENDPOINTS as QA_TEMPLATES
from service.runtime import build_runtime, install
from service.settings import Settings, get_settings
from service.sla.routes import ENDPOINTS as SLA
from service.storage.port import StorageUnavailable
from service.webhooks.routes import ENDPOINTS as WEBHOOKS
from service.writers.routes import ENDPOINTS as WRITERS

log = get_logger(__name__)
ENDPOINTS: list[Endpoint] = [
    *HEALTH, *METRICS, *ME, *SIGN_IN,
    *BUNDLES, *BUNDLE_INTAKE, *BUNDLE_ALLOCATION, *BUNDLE_DRAFTS, *BUNDLE_QUERIES, *BUNDLE_DELIVERY,
    *OFFERS, *ALLOCATION, *WRITERS, *DRAFTS, *DRAFT_REVIEWS, *QUERIES, *REVIEWS, *QA_TEMPLATES,
    *DELIVERY, *BILLING, *ADMIN, *ORGANISATIONS, *WEBHOOKS, *NOTIFICATIONS, *SLA, *AUDIT, *PROBLEMS,
]


def openapi_document() -> dict[str, Any]:
    return build_openapi(ENDPOINTS)


async def _http_problem(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such route, a method the path does not take) as typed problems too."""
    assert isinstance(exc, HTTPException)
    kinds: dict[int, type[Problem]] = {404: NotFound, 405: MethodNotAllowed}
    kind = kinds.get(exc.status_code)
    if kind is None:
        body = {"type": "about:blank", "title": "Error", "status": exc.status_code, "detail": str(exc.detail),
                "instance": request.url.path}
        return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM_JSON, headers=exc.headers)
    response = problem_response(kind(str(exc.detail)), instance=request.url.path)
    response.headers.update(exc.headers or {})
    return response


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc, instance=request.url.path)


async def _storage_unavailable(request: Request, exc: Exception) -> Response:
    """The object store failed part-way (the upload was aborted, nothing kept): a retryable 503, not a 500."""
    log.warning("http.storage_unavailable", route=getattr(request.state, "route_path", "unmatched"))
    return problem_response(ServiceUnavailable("the document store is unavailable; please try again shortly"),
                            instance=request.url.path)


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """The database connection dropped under the request (a failover, a reaped connection): the transaction rolled
    back, so it is safe to retry; a 503, not a 500."""
    log.warning("http.database_unavailable", error=type(exc).__name__,
                route=getattr(request.state, "route_path", "unmatched"))
    return problem_response(ServiceUnavailable("the database connection was lost; please try again shortly"),
                            instance=request.url.path)


# What a lost database connection raises: tortoise's own and asyncpg's (PostgreSQL).
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    DBConnectionError, asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("http.unhandled", error=type(exc).__name__, route=getattr(request.state, "route_path", "unmatched"))
    return problem_response(InternalError("something went wrong on our side; quote the X-Request-ID when reporting it"))


def create_app(settings: Settings | None = None, *, embedded: bool = False) -> Starlette:
    """`embedded` runs the dramatiq worker and the scheduler in this process, on its event loop."""
    settings = settings or get_settings()
    document = openapi_document()

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(document)

    async def docs(request: Request) -> Response:
        return HTMLResponse(DOCS_PAGE)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        install(build_runtime(settings))
        from workers.broker import setup_broker

        setup_broker(settings)
        import workers.actors  # noqa: F401 - declares the actors, so the relay can publish to them

        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            runner = None
            if embedded:
                from workers.embedded import start_embedded

                runner = start_embedded(settings)
            log.info("planwright.started", environment=settings.environment, embedded=embedded)
            try:
                yield
            finally:
                if runner is not None:
                    await runner.stop()
                log.info("planwright.stopped")

    routes = [compile_route(ep) for ep in ENDPOINTS]
    routes += [Route("/openapi.json", openapi_json, methods=["GET"]), Route("/docs", docs, methods=["GET"])]
    middleware = [Middleware(RequestContext, hsts=settings.environment != "development",
                             timeout_seconds=settings.request_timeout_seconds)]
    if settings.cors_origins:
        # only the configured origins, only bearer tokens (no cookies); preflights still get the request id
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
            allow_methods=sorted({ep.method for ep in ENDPOINTS}),
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Repr-Digest", "X-Checksum-SHA256"], max_age=600,
        ))
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: _http_problem, Problem: _problem,
                            StorageUnavailable: _storage_unavailable,
                            **{kind: _database_unavailable for kind in DATABASE_UNAVAILABLE}, Exception: _unexpected},
        lifespan=lifespan,
    )
