"""API tokens: random, shown once, stored as SHA-256, revocable; held only by the roles that run systems."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from service import clock
from service.errors import NotFound
from service.models import ApiToken, Role, User

TOKEN_PREFIX = "pw_"  # noqa: S105 - a public prefix, not a secret
# Who may hold API tokens: the roles that connect systems (a provider's admin, coordinators and finance; an LA's
# admin for its case system; the operator's metrics scrape). Writers, QA reviewers and LA case officers are people
# at a screen: they sign in, and hold no token (a provider's break-glass token for an LA user is the exception, short
# and announced: service/admin/service.py).
TOKEN_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.FINANCE, Role.LA_ADMIN, Role.OPERATOR})


def may_hold_tokens(role: Role) -> bool:
    return role in TOKEN_ROLES


@dataclass(frozen=True)
class IssuedToken:
    id: UUID
    token: str  # the only time the plain token exists outside the caller's hands
    prefix: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(
    user: User, *, label: str = "", expires_at: datetime | None = None, read_only: bool = False,
    la_scope: UUID | None = None, issued_by: UUID | None = None, break_glass: bool = False,
    using: BaseDBAsyncClient | None = None,
) -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = await ApiToken.create(user=user, token_hash=hash_token(token), prefix=token[:10], label=label,
                                expires_at=expires_at, read_only=read_only, la_scope_id=la_scope,
                                issued_by_id=issued_by, break_glass=break_glass, using_db=using)
    return IssuedToken(id=row.id, token=token, prefix=row.prefix)


async def revoke_token(token_id: UUID, *, organisation_id: UUID | None = None) -> None:
    query = ApiToken.filter(id=token_id, revoked_at__isnull=True)
    if organisation_id is not None:
        query = query.filter(user__organisation_id=organisation_id)
    if await query.update(revoked_at=clock.now()) == 0:
        raise NotFound("no such active token")


async def end_tokens_of_role(user_id: UUID, role: Role, *, using: BaseDBAsyncClient) -> int:
    """A user whose (new) role may hold no tokens loses every live one now; how many were ended."""
    if may_hold_tokens(role):
        return 0
    return await ApiToken.filter(user_id=user_id, revoked_at__isnull=True).using_db(using).update(
        revoked_at=clock.now())
