"""Sessions of people who signed in: a random cookie (Secure, HttpOnly, SameSite=Lax), kept server-side as its
SHA-256 with a CSRF token, an idle and an absolute expiry; listable and revocable. API tokens stay for systems."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from contracts.api import SessionOut
from service import clock
from service.auth.principal import Principal, principal_for
from service.auth.tokens import hash_token
from service.errors import Forbidden, NotFound, Unauthenticated
from service.models import User, UserSession
from service.runtime import current

# `__Host-`: the browser keeps it only if Secure, Path=/ and without a Domain, so no sibling host can plant one
COOKIE = "__Host-planwright_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


class CsrfRefused(Forbidden):
    """A state-changing request made with a session cookie must carry the session's CSRF token (the
    `X-CSRF-Token` header, or the `csrf_token` field of a form): `GET /v1/me/session` gives it."""

    type_, title = "csrf-token-missing", "CSRF token missing or wrong"


@dataclass(frozen=True)
class StartedSession:
    id: UUID
    cookie: str  # the only time the cookie's value exists outside the browser
    csrf_token: str


def idle_limit() -> timedelta:
    return timedelta(minutes=current().settings.session_idle_minutes)


async def start_session(user: User, *, ip: str | None, using: BaseDBAsyncClient | None = None) -> StartedSession:
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = clock.now()
    row = await UserSession.create(user=user, token_hash=hash_token(cookie), csrf_token=csrf, last_seen_at=now,
                                   expires_at=now + timedelta(hours=current().settings.session_absolute_hours),
                                   ip=ip, using_db=using)
    return StartedSession(id=row.id, cookie=cookie, csrf_token=csrf)


def cookie_header(value: str, *, max_age: int) -> str:
    return f"{COOKIE}={value}; Path=/; Max-Age={max_age}; Secure; HttpOnly; SameSite=Lax"


async def authenticate_session(cookie: str, *, csrf: str | None, safe: bool) -> Principal:
    """The Principal a session cookie speaks for; 401 if the session is unknown, revoked, idle too long or past its
    absolute end, or its user deactivated; 403 for a state-changing request without the session's CSRF token."""
    row = await UserSession.filter(token_hash=hash_token(cookie), revoked_at__isnull=True).select_related(
        "user__organisation", "user__writer").first()
    now = clock.now()
    if row is None or not row.user.active or row.expires_at <= now or now - row.last_seen_at >= idle_limit():
        raise Unauthenticated("the session is unknown, expired or ended: sign in again")
    if not safe and (csrf is None or not hmac.compare_digest(csrf.encode(), row.csrf_token.encode())):
        raise CsrfRefused("send the session's CSRF token with every state-changing request")
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        await UserSession.filter(id=row.id).update(last_seen_at=now)
    return replace(principal_for(row.user), session_id=row.id)


def session_out(row: UserSession, *, current_id: UUID | None = None) -> SessionOut:
    return SessionOut(id=row.id, user_id=row.user_id, created_at=row.created_at,  # type: ignore[attr-defined]
                      last_seen_at=row.last_seen_at, expires_at=row.expires_at,
                      idle_expires_at=min(row.expires_at, row.last_seen_at + idle_limit()),
                      revoked_at=row.revoked_at, current=row.id == current_id)


def _live(query: object) -> object:
    now = clock.now()
    return query.filter(revoked_at__isnull=True, expires_at__gt=now,  # type: ignore[attr-defined]
                        last_seen_at__gt=now - idle_limit())


async def live_sessions(*, user_id: UUID | None = None, organisation_id: UUID | None = None,
                        current_id: UUID | None = None) -> list[SessionOut]:
    query = UserSession.all()
    if user_id is not None:
        query = query.filter(user_id=user_id)
    if organisation_id is not None:
        query = query.filter(user__organisation_id=organisation_id)
    rows = await _live(query).order_by("-created_at", "id")  # type: ignore[attr-defined]
    return [session_out(row, current_id=current_id) for row in rows]


async def revoke_session(session_id: UUID, *, user_id: UUID | None = None, organisation_id: UUID | None = None,
                         using: BaseDBAsyncClient | None = None) -> None:
    query = UserSession.filter(id=session_id, revoked_at__isnull=True)
    if user_id is not None:
        query = query.filter(user_id=user_id)
    if organisation_id is not None:
        query = query.filter(user__organisation_id=organisation_id)
    if using is not None:
        query = query.using_db(using)
    if await query.update(revoked_at=clock.now()) == 0:
        raise NotFound("no such live session")


async def csrf_of(session_id: UUID) -> tuple[SessionOut, str]:
    row = await UserSession.get(id=session_id)
    return session_out(row, current_id=row.id), row.csrf_token
