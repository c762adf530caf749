"""ASGI middleware: a request id on every request and response, an access log line, security headers, and the
request time limit."""

from __future__ import annotations

import asyncio
import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import Problem, RequestTimeout, ServiceUnavailable
from service.http import problem_response
from service.logging import get_logger
from service.metrics.registry import observe_request
from service.request_context import set_request_id

log = get_logger("planwright.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
# the API answers data, never pages: nothing may load, run or frame it. Only /docs runs its own inline script.
API_CSP = b"default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (b"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
            b"frame-ancestors 'none'")
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
# the API document and its page are the same for everyone; every other answer is someone's data or state
CACHEABLE = {"/docs", "/openapi.json"}


def security_headers(path: str, given: list[tuple[bytes, bytes]], *, hsts: bool) -> list[tuple[bytes, bytes]]:
    names = {name.lower() for name, _ in given}
    headers = [*SECURITY_HEADERS, (b"content-security-policy", DOCS_CSP if path == "/docs" else API_CSP)]
    if hsts:
        headers.append(HSTS)
    if path not in CACHEABLE and b"cache-control" not in names:
        headers.append((b"cache-control", b"no-store"))
    return headers


class RequestContext:
    """`hsts` (outside development, where TLS is terminated in front) sends Strict-Transport-Security.
    `timeout_seconds` bounds the time until the response starts: still reading the body then answers 408, still
    working 503. A response already started (a download streaming) is not cut."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False, timeout_seconds: float | None = None) -> None:
        self.app = app
        self.hsts = hsts
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        set_request_id(request_id)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        responding = False
        body_complete = False
        reading_body = False
        limit = asyncio.timeout(self.timeout_seconds)

        async def send_with_headers(message: Message) -> None:
            nonlocal status, responding
            if message["type"] == "http.response.start":
                status = message["status"]
                responding = True
                if not limit.expired():  # the timeout's own answer is sent after it expired
                    limit.reschedule(None)
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(security_headers(scope["path"], headers, hsts=self.hsts))
                message["headers"] = headers
            await send(message)

        async def timed_receive() -> Message:
            # once the body is in, a receive() only waits for a disconnect: the client is no longer the hold-up
            nonlocal reading_body, body_complete
            reading_body = not body_complete  # stays set if the time limit cancels the wait
            message = await receive()
            reading_body = False
            body_complete = body_complete or not (message["type"] == "http.request" and message.get("more_body"))
            return message

        try:
            try:
                async with limit:
                    await self.app(scope, timed_receive, send_with_headers)
            except TimeoutError:
                if not limit.expired() or responding:
                    raise
                problem: Problem = (
                    RequestTimeout("the request body did not arrive in time") if reading_body
                    else ServiceUnavailable("the request took too long; try again")
                )
                log.warning("http.timeout", route=scope.get("state", {}).get("route_path", "unmatched"),
                            reading_body=reading_body)
                await problem_response(problem, instance=scope["path"])(scope, receive, send_with_headers)
        finally:
            state = scope.get("state", {})
            # the route template, never the raw path or query (which may carry file names)
            route = state.get("route_path", "unmatched")
            elapsed = time.perf_counter() - started
            observe_request(scope["method"], route, status, elapsed)
            # who asked, by id (never a token): the principal the route authenticated, if it got that far
            principal = state.get("principal")
            who = ({"user_id": str(principal.user_id), "organisation_id": str(principal.organisation_id)}
                   if principal is not None else {"user_id": None, "organisation_id": None})
            log.info("http.request", method=scope["method"], route=route, status=status, ms=round(elapsed * 1000, 1),
                     **who)
            structlog.contextvars.clear_contextvars()
