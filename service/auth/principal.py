"""Who is calling: a bearer token resolved to a Principal (organisation, role, user)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from uuid import UUID

from service import clock
from service.auth.tokens import TOKEN_PREFIX, hash_token
from service.errors import Unauthenticated
from service.models import ApiToken, OrganisationKind, Role, User
from service.models.people import LA_ROLES

LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    user_id: UUID
    organisation_id: UUID
    organisation_kind: OrganisationKind
    role: Role
    writer_id: UUID | None = None
    # for an LA: the writing service it contracts with; for a provider: itself
    provider_id: UUID | None = None
    # the token's scopes, narrower than the role: only safe methods; only this LA's work
    read_only: bool = False
    la_scope: UUID | None = None
    # a provider's break-glass token for an LA's user: every act with it is on the LA's record
    break_glass: bool = False
    # the bearer token this request came with (none for a principal loaded for a job or a link): what the caller
    # makes with it, a download link, lives no longer than the token
    token_id: UUID | None = None
    # the session this request came with, for a person signed in through their organisation's issuer
    session_id: UUID | None = None

    @property
    def is_la(self) -> bool:
        return self.role in LA_ROLES


async def authenticate(authorization: str | None) -> Principal:
    if not authorization:
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    row = (
        await ApiToken.filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .select_related("user__organisation", "user__writer")
        .first()
    )
    now = clock.now()
    if row is None or not row.user.active or (row.expires_at is not None and row.expires_at <= now):
        raise Unauthenticated("the token is unknown, expired or revoked")
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        # at most one write a minute per token: `last_used_at` says whether a token is alive, not each request
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    return replace(principal_for(row.user, token_id=row.id), read_only=row.read_only, la_scope=row.la_scope_id,
                   break_glass=row.break_glass)


def principal_for(user: User, *, token_id: UUID | None = None) -> Principal:
    """The Principal of a user loaded with its organisation (and writer, if any)."""
    organisation = user.organisation
    writer = getattr(user, "writer", None)
    if organisation.kind == OrganisationKind.LA:
        provider_id = organisation.provider_id  # type: ignore[attr-defined]
    else:
        provider_id = organisation.id if organisation.kind == OrganisationKind.PROVIDER else None
    return Principal(
        user_id=user.id,
        organisation_id=organisation.id,
        organisation_kind=organisation.kind,
        role=user.role,
        writer_id=writer.id if writer is not None else None,
        provider_id=provider_id,
        token_id=token_id,
    )
