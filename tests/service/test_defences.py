"""Defences in depth: security headers, CORS only when configured, JSON size and request time limits, and
per-token rate limits answering 429 with Retry-After."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.app import create_app
from service.auth.principal import Principal
from service.middleware import RequestContext
from service.models import Bundle, Document
from service.ratelimit import InProcessLimiter, RedisLimiter, window
from service.runtime import current, install
from service.settings import Settings
from tests.factories import Tenant
from tests.files import EP_REPORT, PDF


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://planwright.test")


async def test_api_answers_carry_the_security_headers_and_are_never_cached(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get("/v1/bundles", headers=tenant.auth("la_officer"))
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["cache-control"] == "no-store"
    # the test environment is not development: TLS is assumed in front, so browsers are told to keep to it
    assert response.headers["strict-transport-security"].startswith("max-age=")
    refused = await client.get("/v1/bundles")
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
    docs = await client.get("/docs")
    assert "script-src 'unsafe-inline'" in docs.headers["content-security-policy"]
    assert "cache-control" not in docs.headers


async def test_no_hsts_in_development() -> None:
    async def ok(request: Request) -> Response:
        return JSONResponse({})

    bare = Starlette(routes=[Route("/", ok)])
    async with _client(RequestContext(bare, hsts=False)) as http:  # type: ignore[arg-type]
        response = await http.get("/")
    assert "strict-transport-security" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_no_cors_unless_origins_are_configured(
    app: Starlette, client: httpx.AsyncClient, settings: Settings
) -> None:
    origin = {"Origin": "https://case.example.gov.uk"}
    plain = await client.get("/healthz", headers=origin)
    assert not [h for h in plain.headers if h.startswith("access-control-")]
    preflight = {**origin, "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in (await client.options("/v1/bundles", headers=preflight)).headers

    configured = create_app(settings.model_copy(update={"cors_origins": ["https://case.example.gov.uk"]}))
    async with _client(configured) as http:
        allowed = await http.options("/v1/bundles", headers={
            **preflight, "Access-Control-Request-Headers": "Authorization"})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://case.example.gov.uk"
        assert "access-control-allow-credentials" not in allowed.headers
        other = await http.options("/v1/bundles", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
        simple = await http.get("/healthz", headers=origin)
        assert simple.headers["access-control-allow-origin"] == "https://case.example.gov.uk"
        assert "x-request-id" in simple.headers


async def test_a_json_body_over_the_cap_is_refused_before_it_is_parsed(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    cap = current().settings.max_json_bytes
    huge = b'{"reference": "BIG-1", "work_type": "new_plan", "requires": ["' + b"x" * cap + b'"]}'
    declared = await client.post("/v1/bundles", content=huge,
                                 headers={**tenant.auth("la_officer"), "Content-Type": "application/json"})
    assert declared.status_code == 413, declared.text
    assert declared.headers["content-type"].startswith("application/problem+json")

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for start in range(0, len(huge), 65536):
            yield huge[start:start + 65536]

    streamed = await client.post("/v1/bundles", content=chunked(),
                                 headers={**tenant.auth("la_officer"), "Content-Type": "application/json"})
    assert streamed.status_code == 413, streamed.text
    assert not await Bundle.filter(reference="BIG-1").exists()


async def test_a_body_that_arrives_too_slowly_answers_408(
    app: Starlette, settings: Settings, tenant: Tenant
) -> None:
    impatient = create_app(settings.model_copy(update={"request_timeout_seconds": 0.3}))

    async def trickle() -> AsyncIterator[bytes]:
        yield b'{"reference": "SLOW-1", '
        await asyncio.sleep(30)  # a client that stalls mid-body
        yield b'"work_type": "new_plan"}'

    async with _client(impatient) as http:
        response = await http.post("/v1/bundles", content=trickle(),
                                    headers={**tenant.auth("la_officer"), "Content-Type": "application/json"})
    assert response.status_code == 408, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/request-timeout")
    assert "x-request-id" in response.headers
    assert not await Bundle.filter(la_id=tenant.la.id, reference="SLOW-1").exists()


async def test_a_stalled_upload_answers_408_and_leaves_no_document(
    app: Starlette, client: httpx.AsyncClient, settings: Settings, tenant: Tenant
) -> None:
    created = await client.post("/v1/bundles", headers=tenant.auth("la_officer"),
                                json={"reference": "SLOW-2", "work_type": "new_plan"})
    bundle_id = created.json()["id"]
    impatient = create_app(settings.model_copy(update={"request_timeout_seconds": 0.5}))

    async def trickle() -> AsyncIterator[bytes]:
        yield EP_REPORT[: len(EP_REPORT) // 2]
        await asyncio.sleep(30)
        yield EP_REPORT[len(EP_REPORT) // 2:]

    async with _client(impatient) as http:
        response = await http.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep.pdf"},
                                   content=trickle(), headers={**tenant.auth("la_officer"), "Content-Type": PDF})
    assert response.status_code == 408, response.text
    assert not await Document.filter(bundle_id=bundle_id).exists()


async def test_a_slow_request_in_the_real_app_answers_503(
    app: Starlette, settings: Settings, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.http

    async def stuck(authorization: str | None) -> Principal:
        await asyncio.sleep(30)  # e.g. a database that stopped answering
        raise AssertionError("not reached")

    monkeypatch.setattr(service.http, "authenticate", stuck)
    impatient = create_app(settings.model_copy(update={"request_timeout_seconds": 0.3}))
    async with _client(impatient) as http:
        response = await http.get("/v1/bundles", headers=tenant.auth("la_officer"))
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_handler_that_runs_too_long_answers_503_and_is_stopped() -> None:
    finished = []

    async def slow(request: Request) -> Response:
        await asyncio.sleep(30)
        finished.append(True)
        return JSONResponse({})

    bare = Starlette(routes=[Route("/slow", slow)])
    async with _client(RequestContext(bare, timeout_seconds=0.2)) as http:  # type: ignore[arg-type]
        response = await http.get("/slow")
    assert response.status_code == 503
    assert response.json()["type"].endswith("/unavailable")
    assert response.headers["cache-control"] == "no-store"
    assert finished == []


def test_the_window_holds_the_burst_and_the_sustained_rate() -> None:
    assert (window(20.0, 200).amount, window(20.0, 200).get_expiry()) == (200, 10)  # the defaults: 200 in any 10 s
    assert (window(3 / 60, 3).amount, window(3 / 60, 3).get_expiry()) == (3, 60)
    assert window(1000.0, 10).get_expiry() == 1  # whole seconds, at least one


async def test_a_window_lets_the_burst_through_then_says_when_the_oldest_request_leaves_it() -> None:
    limiter = InProcessLimiter(rate=3 / 60, burst=3)
    assert [await limiter.take("token") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = await limiter.take("token")
    assert 55 < wait <= 60
    assert await limiter.take("another token") == 0.0


@pytest.fixture
def tight_limit(app: Starlette) -> Iterator[None]:
    """Three requests per token a minute, for this test only."""
    runtime = current()
    install(dataclasses.replace(runtime, rate_limiter=InProcessLimiter(rate=3 / 60, burst=3)))
    yield
    install(runtime)


async def test_a_token_over_its_rate_answers_429_with_retry_after(
    client: httpx.AsyncClient, tenant: Tenant, tight_limit: None
) -> None:
    la = tenant.auth("la_officer")
    for _ in range(3):
        assert (await client.get("/v1/bundles", headers=la)).status_code == 200
    limited = await client.get("/v1/bundles", headers=la)
    assert limited.status_code == 429
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["retry_after"] == int(limited.headers["retry-after"])
    # another token has its own bucket; health is never limited
    assert (await client.get("/v1/bundles", headers=tenant.auth("la_admin"))).status_code == 200
    for _ in range(5):
        assert (await client.get("/healthz")).status_code == 200


async def test_metrics_scrapes_are_exempt(client: httpx.AsyncClient, tenant: Tenant, tight_limit: None) -> None:
    admin = tenant.auth("admin")
    for _ in range(3):
        assert (await client.get("/v1/notifications", headers=admin)).status_code == 200
    assert (await client.get("/v1/notifications", headers=admin)).status_code == 429
    assert (await client.get("/metrics", headers=admin)).status_code == 200


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379")
async def test_processes_sharing_redis_share_one_window() -> None:
    prefix = f"planwright-test:{uuid.uuid4().hex}:"
    first = RedisLimiter("redis://127.0.0.1:6379/15", rate=2 / 60, burst=2, prefix=prefix)
    second = RedisLimiter("redis://127.0.0.1:6379/15", rate=2 / 60, burst=2, prefix=prefix)
    assert await first.take("token") == 0.0
    assert await second.take("token") == 0.0
    assert await first.take("token") > 0
    assert await second.take("another token") == 0.0


async def test_an_unreachable_redis_lets_requests_through() -> None:
    closed = RedisLimiter("redis://127.0.0.1:1/0", rate=1 / 60, burst=1)
    assert await closed.take("token") == 0.0
    assert await closed.take("token") == 0.0
