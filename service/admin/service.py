"""API tokens as an organisation's admin manages them, and a provider's break-glass access to an LA's account.

An admin (a provider's `admin`, an LA's `la_admin`) issues, lists and revokes tokens of its own organisation's
users only. A provider reaches an LA user's account only by break-glass: a short-lived token (or a revocation)
with a stated reason, written onto the LA's own audit chain and announced to the LA's and the provider's
security endpoints (`security.break_glass`), in the same transaction.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from tortoise.transactions import in_transaction

from contracts.api import BreakGlassIssue, TokenCreate, TokenIssued, TokenOut
from contracts.webhooks import SecurityNoticeData
from service import clock
from service.audit.service import audit
from service.auth.principal import Principal
from service.auth.pseudonyms import pseudonym
from service.auth.tokens import issue_token, may_hold_tokens
from service.errors import InvalidInput, NotFound
from service.models import ApiToken, Organisation, OrganisationKind, User
from service.runtime import current
from service.webhooks.notices import announce


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"body.{field}: {message}", errors=[{"field": f"body.{field}", "message": message,
                                                             "type": "value_error"}])


async def lifetime_days(organisation: Organisation, asked: int | None) -> int:
    """The days a new token lives: the organisation's default unless asked, never over its maximum (and never over
    the instance's TOKEN_MAX_DAYS, whatever the organisation says)."""
    settings = current().settings
    most = min(organisation.token_max_days or settings.token_max_days, settings.token_max_days)
    days = asked if asked is not None else min(organisation.token_default_days or settings.token_default_days, most)
    if days > most:
        raise _invalid("expires_in_days", f"at most {most} days for this organisation")
    return days


async def issue(principal: Principal, body: TokenCreate) -> TokenIssued:
    user = await User.filter(id=body.user_id, organisation_id=principal.organisation_id, active=True).first()
    if user is None:
        raise NotFound("no such user")
    if not may_hold_tokens(user.role):
        raise _invalid("user_id", f"a {user.role.value} holds no API tokens (people in that role sign in); tokens "
                                  "are for the roles that connect systems")
    organisation = await Organisation.get(id=principal.organisation_id)
    if body.la_scope is not None:
        # an LA user's token is about its own LA anyway; a provider's may be narrowed to one of its client LAs
        in_reach = (body.la_scope == organisation.id if organisation.kind == OrganisationKind.LA
                    else await Organisation.filter(id=body.la_scope, provider_id=organisation.id).exists())
        if not in_reach:
            raise NotFound("no such LA")
    expires_at = clock.now() + timedelta(days=await lifetime_days(organisation, body.expires_in_days))
    async with in_transaction() as conn:
        issued = await issue_token(user, label=body.label, expires_at=expires_at, read_only=body.read_only,
                                   la_scope=body.la_scope, issued_by=principal.user_id, using=conn)
        await audit(principal, "token.issued", object_type="api_token", object_id=issued.id, using=conn,
                    data={"user_id": str(user.id), "expires_at": expires_at.isoformat(),
                          "read_only": body.read_only, "la_scope": str(body.la_scope) if body.la_scope else None})
    return TokenIssued(id=issued.id, token=issued.token, prefix=issued.prefix, expires_at=expires_at)


def token_out(row: ApiToken) -> TokenOut:
    return TokenOut(id=row.id, prefix=row.prefix, label=row.label, user_id=row.user_id,  # type: ignore[attr-defined]
                    created_at=row.created_at, expires_at=row.expires_at, revoked_at=row.revoked_at,
                    last_used_at=row.last_used_at, read_only=row.read_only, la_scope=row.la_scope_id,
                    break_glass=row.break_glass)


async def tokens(principal: Principal) -> list[TokenOut]:
    """Every token of the organisation's users, newest first (break-glass tokens a provider made for them too)."""
    rows = await ApiToken.filter(user__organisation_id=principal.organisation_id).order_by("-created_at", "id")
    return [token_out(row) for row in rows]


async def revoke(principal: Principal, token_id: UUID) -> None:
    async with in_transaction() as conn:
        won = await ApiToken.filter(id=token_id, user__organisation_id=principal.organisation_id,
                                    revoked_at__isnull=True).using_db(conn).update(revoked_at=clock.now())
        if won == 0:
            raise NotFound("no such active token")
        await audit(principal, "token.revoked", object_type="api_token", object_id=token_id, using=conn)


async def _client_la_user(principal: Principal, user_id: UUID) -> User:
    user = await User.filter(id=user_id, active=True, organisation__kind=OrganisationKind.LA,
                             organisation__provider_id=principal.organisation_id).first()
    if user is None:
        raise NotFound("no such user")
    return user


def _notice(principal: Principal, la_id: UUID, action: str, **fields: object) -> list[tuple[UUID, SecurityNoticeData]]:
    """The same notice for the LA (the provider admin as the LA's pseudonym) and for the provider itself."""
    def data(actor: str) -> SecurityNoticeData:
        return SecurityNoticeData(actor=actor, actor_organisation_id=principal.organisation_id, action=action,
                                  la_id=la_id, **fields)  # type: ignore[arg-type]

    return [(la_id, data(pseudonym(la_id, principal.user_id, principal.role))),
            (principal.organisation_id, data(str(principal.user_id)))]


async def break_glass_issue(principal: Principal, body: BreakGlassIssue) -> TokenIssued:
    user = await _client_la_user(principal, body.user_id)
    la_id: UUID = user.organisation_id  # type: ignore[attr-defined]
    expires_at = clock.now() + timedelta(hours=current().settings.break_glass_hours)
    async with in_transaction() as conn:
        issued = await issue_token(user, label="break-glass", expires_at=expires_at, issued_by=principal.user_id,
                                   break_glass=True, using=conn)
        await audit(principal, "token.break_glass_issued", object_type="api_token", object_id=issued.id, la_id=la_id,
                    data={"user_id": str(user.id), "reason": body.reason, "expires_at": expires_at.isoformat()},
                    using=conn)
        await announce(_notice(principal, la_id, "token.break_glass_issued", user_id=user.id, token_id=issued.id,
                               token_expires_at=expires_at, reason=body.reason),
                       "security.break_glass", conn=conn)
    return TokenIssued(id=issued.id, token=issued.token, prefix=issued.prefix, expires_at=expires_at)


async def break_glass_revoke(principal: Principal, token_id: UUID, reason: str) -> None:
    row = await ApiToken.filter(id=token_id, revoked_at__isnull=True, user__organisation__kind=OrganisationKind.LA,
                                user__organisation__provider_id=principal.organisation_id
                                ).select_related("user").first()
    if row is None:
        raise NotFound("no such active token")
    la_id: UUID = row.user.organisation_id  # type: ignore[attr-defined]
    async with in_transaction() as conn:
        await ApiToken.filter(id=row.id, revoked_at__isnull=True).using_db(conn).update(revoked_at=clock.now())
        await audit(principal, "token.break_glass_revoked", object_type="api_token", object_id=row.id, la_id=la_id,
                    data={"user_id": str(row.user.id), "reason": reason}, using=conn)
        await announce(_notice(principal, la_id, "token.break_glass_revoked", user_id=row.user.id, token_id=row.id,
                               reason=reason), "security.break_glass", conn=conn)
