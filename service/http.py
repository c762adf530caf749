"""Declarative endpoints: each names its roles, bodies and responses once; routes and OpenAPI come from that.

A handler receives a `Call` (the request, the Principal, the parsed body and query) and returns a pydantic
model, a list of them, or a Starlette Response. Every endpoint must declare who may call it: `roles` is a set
of roles, or PUBLIC for the few routes with no token (health, the API document).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qs
from uuid import UUID

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contracts.ids import NOT_CANONICAL, parse_canonical_uuid
from service.auth.principal import Principal, authenticate
from service.auth.sessions import COOKIE, CSRF_FIELD, CSRF_HEADER, authenticate_session
from service.auth.tokens import hash_token
from service.documents.service import check_length
from service.errors import (
    Forbidden,
    InvalidInput,
    MalformedJson,
    NotFound,
    PayloadTooLarge,
    Problem,
    TooManyRequests,
)
from service.models import Role
from service.runtime import current

PUBLIC: Final = frozenset[Role]()
PROBLEM_JSON = "application/problem+json"
# what a read-only token may call
SAFE_METHODS = frozenset({"GET", "HEAD"})
PROBLEMS_PATH = "/problems"


@dataclass
class Call:
    request: Request
    principal: Principal
    body: Any = None
    query: Any = None

    def path_uuid(self, name: str) -> UUID:
        """An id in the path, in canonical form only (contracts/ids.py): anything else is a 422 naming the parameter,
        never "no such bundle" and never the same object under a second spelling."""
        try:
            return parse_canonical_uuid(str(self.request.path_params[name]))
        except ValueError:
            raise InvalidInput(f"path.{name}: {NOT_CANONICAL}", errors=[
                {"field": f"path.{name}", "message": NOT_CANONICAL, "type": "uuid_canonical"}]) from None

    def path_int(self, name: str, *, missing: str) -> int:
        """A whole-number path parameter that fits a database BIGINT; NotFound(`missing`) for anything else
        (ASCII digits only: str.isdigit admits '¹', which int() refuses)."""
        raw = str(self.request.path_params[name])
        if not (raw.isascii() and raw.isdigit()) or int(raw) >= 2**63:
            raise NotFound(missing)
        return int(raw)


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    roles: frozenset[Role]
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    # a streamed request body (uploads): its media types, e.g. ("application/pdf", ...)
    raw_body: tuple[str, ...] = ()
    # a non-JSON response, or the alternative to `response` a query asks for (CSV): its media type(s)
    produces: str | tuple[str, ...] | None = None
    errors: tuple[int, ...] = field(default=())
    # counts against the caller's per-token rate limit (metrics scrapes are exempt; public routes have no token)
    rate_limited: bool = True
    # an idempotent create: what it answers, with 200, when the object was made before (and the body it made)
    replays: str | None = None

    @property
    def public(self) -> bool:
        return self.roles == PUBLIC


def problem_type_uri(type_: str) -> str:
    """A problem type's URI: the page this service serves about it (service/problems/routes.py). A relative reference
    (RFC 9457 3.1.1), resolved against the request's own URL, so it reaches the service that answered, whatever
    name it was reached by, and stays one string for clients that compare types."""
    return f"{PROBLEMS_PATH}/{type_}"


def problem_response(exc: Problem, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type_uri(exc.type_),
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
    }
    if instance:
        body["instance"] = instance
    body.update(exc.extra)
    return JSONResponse(body, status_code=exc.status, media_type=PROBLEM_JSON, headers=exc.headers())


def validation_problem(error: ValidationError, where: str) -> InvalidInput:
    errors = [
        {"field": ".".join(str(part) for part in (where, *e["loc"])), "message": e["msg"], "type": e["type"]}
        for e in error.errors(include_url=False, include_input=False)
    ]
    first = errors[0]
    return InvalidInput(f"{first['field']}: {first['message']}", errors=errors)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(_has_nul(v) for v in value)
    return False


def _refuse_nul(value: Any, where: str) -> None:
    """PostgreSQL text cannot hold NUL (SQLite can): refuse it in every input alike, before anything is stored."""
    if _has_nul(value):
        raise InvalidInput(f"{where}: text must not contain NUL (\\u0000) characters")


async def _parse_body(request: Request, model: type[BaseModel]) -> BaseModel:
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if content_type not in {"application/json", ""}:
        from service.errors import UnsupportedMediaType

        raise UnsupportedMediaType("send the body as application/json")
    limit = current().settings.max_json_bytes
    check_length(request.headers.get("content-length"), limit)
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise PayloadTooLarge(f"the body is over the limit of {limit} bytes", limit=limit)
    try:
        body = model.model_validate_json(bytes(raw) or b"{}")
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors(include_url=False)):
            raise MalformedJson(f"body: not well-formed JSON ({exc.errors(include_url=False)[0]['msg']})") from None
        raise validation_problem(exc, "body") from None
    _refuse_nul(body.model_dump(), "body")
    return body


def _parse_query(request: Request, model: type[BaseModel]) -> BaseModel:
    params: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        params[key] = values if len(values) > 1 else values[0]
    _refuse_nul(params, "query")
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise validation_problem(exc, "query") from None


async def _within_rate_limit(request: Request) -> None:
    """Spend one request of the presented token's (or session's) bucket, before it is even looked up."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    credential = token.strip() if scheme.lower() == "bearer" else request.cookies.get(COOKIE, "")
    if not credential:
        return  # no token: authentication answers 401
    wait = await current().rate_limiter.take(hash_token(credential))
    if wait > 0:
        raise TooManyRequests(wait)


def _render(endpoint: Endpoint, result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        return Response(result.model_dump_json(), status_code=endpoint.status, media_type="application/json")
    if result is None:
        return Response(status_code=204 if endpoint.status == 200 else endpoint.status)
    return Response(json.dumps(result, default=str), status_code=endpoint.status, media_type="application/json")


async def _record_refusal(principal: Principal, endpoint: Endpoint, request: Request, status: int) -> None:
    """A refusal on the record: the ids the path and query named (never the body), see service/audit/denials.py."""
    from service.audit.denials import record_denial

    named = {str(k): str(v) for k, v in request.path_params.items()}
    named.update({k: v for k, v in request.query_params.items() if k.endswith("_id") and k not in named})
    await record_denial(principal, endpoint.method, endpoint.path, named, status)


async def authenticate_request(request: Request, *, safe: bool) -> Principal:
    """A bearer token (systems) or, without one, a signed-in person's session cookie, whose state-changing
    requests carry the session's CSRF token (header, or the form field of a form post)."""
    cookie = request.cookies.get(COOKIE)
    if request.headers.get("authorization") or not cookie:
        return await authenticate(request.headers.get("authorization"))
    csrf = request.headers.get(CSRF_HEADER)
    if csrf is None and not safe and request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"):
        check_length(request.headers.get("content-length"), current().settings.max_json_bytes)
        body = await request.body()
        if len(body) > current().settings.max_json_bytes:
            raise PayloadTooLarge("the form is over the limit", limit=current().settings.max_json_bytes)
        values = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD)
        csrf = values[0] if values else None
    return await authenticate_session(cookie, csrf=csrf, safe=safe)


def compile_route(endpoint: Endpoint) -> Route:
    async def asgi_endpoint(request: Request) -> Response:
        request.state.route_path = endpoint.path
        principal: Principal | None = None
        try:
            if endpoint.public:
                principal = None
            else:
                if endpoint.rate_limited:
                    await _within_rate_limit(request)
                principal = await authenticate_request(request, safe=endpoint.method in SAFE_METHODS)
                request.state.principal = principal
                if principal.role not in endpoint.roles:
                    raise Forbidden(f"{principal.role.value} may not call {endpoint.method} {endpoint.path}")
                if principal.read_only and endpoint.method not in SAFE_METHODS:
                    raise Forbidden(f"this token is read-only; it may not call {endpoint.method} {endpoint.path}")
                if principal.break_glass:
                    # a provider acting as the LA's user: every call is on the LA's own record, whatever its outcome
                    from service.audit.service import audit

                    await audit(principal, "break_glass.call", object_type="route", object_id=endpoint.path,
                                data={"method": endpoint.method, "route": endpoint.path})
            call = Call(request=request, principal=principal)  # type: ignore[arg-type]
            if endpoint.query is not None:
                call.query = _parse_query(request, endpoint.query)
            elif request.query_params and not endpoint.raw_body:
                unknown = ", ".join(sorted(request.query_params))
                raise InvalidInput(f"query: unknown parameter(s) {unknown}")
            if endpoint.body is not None:
                call.body = await _parse_body(request, endpoint.body)
            return _render(endpoint, await endpoint.handler(call))
        except Problem as exc:
            if principal is not None and exc.status in {403, 404}:
                await _record_refusal(principal, endpoint, request, exc.status)
            return problem_response(exc, instance=request.url.path)

    return Route(endpoint.path, asgi_endpoint, methods=[endpoint.method], name=endpoint.handler.__name__)
