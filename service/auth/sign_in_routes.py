"""Signing people in: `/v1/auth/...` starts and completes an OpenID Connect sign-in and ends a session; `/v1/me/...`
shows a signed-in person their session (with its CSRF token) and their other sessions."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from contracts.api import OidcCallback, SessionCsrf, SessionList
from service.audit.service import audit
from service.auth import oidc
from service.auth.principal import Principal
from service.auth.sessions import cookie_header, csrf_of, live_sessions, revoke_session
from service.auth.sign_in import sign_in
from service.errors import Conflict
from service.http import PUBLIC, Call, Endpoint
from service.models import Role
from service.runtime import current

EVERYONE = frozenset(Role)


async def start_sign_in(call: Call) -> Response:
    url = await oidc.start(call.path_uuid("organisation_id"))
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


async def finish_sign_in(call: Call) -> Response:
    query: OidcCallback = call.query
    if query.error is not None or query.code is None:
        raise oidc.SignInFailed(f"the issuer did not sign you in ({query.error or 'no code'})")
    identity = await oidc.finish(query.state, query.code, iss=query.iss)
    client = call.request.client
    started = await sign_in(identity, ip=client.host if client else None)
    max_age = current().settings.session_absolute_hours * 3600
    return RedirectResponse("/v1/me", status_code=303, headers={
        "Set-Cookie": cookie_header(started.cookie, max_age=max_age), "Cache-Control": "no-store"})


def _session_of(principal: Principal):  # type: ignore[no-untyped-def]
    if principal.session_id is None:
        raise Conflict("this request came with an API token, not a sign-in session")
    return principal.session_id


async def sign_out(call: Call) -> Response:
    session_id = _session_of(call.principal)
    await revoke_session(session_id, user_id=call.principal.user_id)
    await audit(call.principal, "user.signed_out", object_type="user_session", object_id=session_id)
    return Response(status_code=204, headers={"Set-Cookie": cookie_header("", max_age=0)})


async def my_session(call: Call) -> SessionCsrf:
    session, csrf = await csrf_of(_session_of(call.principal))
    return SessionCsrf(session=session, csrf_token=csrf)


async def my_sessions(call: Call) -> SessionList:
    return SessionList(items=await live_sessions(user_id=call.principal.user_id,
                                                 current_id=call.principal.session_id))


async def end_my_session(call: Call) -> None:
    session_id = call.path_uuid("session_id")
    await revoke_session(session_id, user_id=call.principal.user_id)
    await audit(call.principal, "session.revoked", object_type="user_session", object_id=session_id)


ENDPOINTS = [
    Endpoint("GET", "/v1/auth/oidc/{organisation_id}/start", start_sign_in, PUBLIC,
             "Sign in: redirects to the organisation's OpenID issuer (authorization code flow with PKCE, state and "
             "nonce)", "auth", status=302, errors=(404, 422)),
    Endpoint("GET", "/v1/auth/oidc/callback", finish_sign_in, PUBLIC,
             "Where the issuer sends the person back: checks the ID token, links the invited user and starts a "
             "session (a Secure, HttpOnly, SameSite=Lax cookie), then redirects to /v1/me", "auth", query=OidcCallback,
             status=303, errors=(401, 403, 422)),
    Endpoint("POST", "/v1/auth/sign-out", sign_out, EVERYONE,
             "End this sign-in session (with the session's CSRF token) and clear its cookie", "auth", status=204,
             errors=(403, 409)),
    Endpoint("GET", "/v1/me/session", my_session, EVERYONE,
             "This sign-in session and its CSRF token (for state-changing requests made with the cookie)", "auth",
             response=SessionCsrf, errors=(409,)),
    Endpoint("GET", "/v1/me/sessions", my_sessions, EVERYONE, "My live sign-in sessions", "auth",
             response=SessionList),
    Endpoint("DELETE", "/v1/me/sessions/{session_id}", end_my_session, EVERYONE, "End one of my sign-in sessions",
             "auth", status=204, errors=(404,)),
]
