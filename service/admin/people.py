"""An organisation's people as its admin manages them: invite by email, change role, deactivate; its OpenID issuer;
its people's sessions.

A provider's `admin` manages the provider's staff; an LA's `la_admin` the LA's staff; the instance's operator any
organisation's, from the command line (`planwright user ...`: the first admin of a new organisation comes that way).
A user belongs to one organisation, and every query here is scoped to the one acted on: another organisation's user
is simply not there (404). Deactivating a user ends their API tokens and sessions in the same transaction: their
next request is 401. A role that may hold no API tokens (service/auth/tokens.py) loses them when given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from starlette.requests import Request
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Lower
from tortoise.transactions import in_transaction

from contracts.api import (
    IdentityProviderOut,
    IdentityProviderSet,
    UserChange,
    UserInvite,
    UserList,
    UserOut,
)
from service import clock
from service.audit.service import audit
from service.auth.acting import cli_origin, request_origin
from service.auth.oidc import forget_issuers, redirect_uri, seal
from service.auth.principal import Principal
from service.auth.sessions import live_sessions, revoke_session
from service.auth.tokens import end_tokens_of_role
from service.errors import Conflict, Forbidden, NotFound
from service.jobs import Job
from service.models import (
    ApiToken,
    IdentityProvider,
    Invitation,
    InvitationStatus,
    Organisation,
    OrganisationKind,
    Role,
    User,
    UserSession,
)
from service.models.people import LA_ROLES, PROVIDER_ROLES
from service.outbox.service import enqueue
from service.runtime import current


@dataclass(frozen=True)
class Steward:
    """Who manages an organisation's people, and from where: its admin calling the API, or the operator at the
    command line (principal None)."""

    organisation_id: UUID
    is_la: bool
    principal: Principal | None
    origin: str  # "api 203.0.113.7" or "cli ops@host"

    @property
    def user_id(self) -> UUID | None:
        return self.principal.user_id if self.principal else None

    def audit_data(self, **data: Any) -> dict[str, Any]:
        return {**data, "origin": self.origin}


def steward_from_request(principal: Principal, request: Request) -> Steward:
    return Steward(principal.organisation_id, principal.is_la, principal, request_origin(request))


async def steward_from_cli(organisation_id: UUID) -> Steward:
    """The operator at the command line, on an LA's or a writing service's people (NotFound for any other id)."""
    org = await Organisation.filter(id=organisation_id, kind__in=[OrganisationKind.LA, OrganisationKind.PROVIDER]
                                    ).first()
    if org is None:
        raise NotFound("no such LA or writing service")
    return Steward(org.id, org.kind == OrganisationKind.LA, None, cli_origin())


def assignable(steward: Steward) -> frozenset[Role]:
    """The roles given here: the organisation's own, never the other side's (writers come with their contracts:
    service/writers)."""
    return LA_ROLES if steward.is_la else PROVIDER_ROLES - {Role.WRITER}


def _check_role(steward: Steward, role: str) -> Role:
    wanted = Role(role)
    if wanted not in assignable(steward):
        side = "an LA's" if steward.is_la else "a writing service's"
        raise Forbidden(f"{wanted.value} is not one of {side} roles")
    return wanted


async def user_out(user: User) -> UserOut:
    invitation = await Invitation.filter(user_id=user.id).order_by("-created_at").first()
    return UserOut(id=user.id, name=user.name, email=user.email, role=user.role.value, active=user.active,
                   invited=invitation is not None, joined_at=user.joined_at, deactivated_at=user.deactivated_at,
                   created_at=user.created_at,
                   invitation_status=invitation.status.value if invitation is not None else None)


async def _own_user(steward: Steward, user_id: UUID) -> User:
    user = await User.filter(id=user_id, organisation_id=steward.organisation_id).first()
    if user is None:
        raise NotFound("no such user")
    return user


async def user_by_email(organisation_id: UUID, email: str, conn: BaseDBAsyncClient | None = None) -> User | None:
    query = User.annotate(email_lower=Lower("email")).filter(organisation_id=organisation_id,
                                                             email_lower=email.strip().lower())
    return await (query.using_db(conn) if conn is not None else query).first()


async def add_invited(steward: Steward, *, name: str, email: str, role: Role, conn: BaseDBAsyncClient,
                      la_id: UUID | None = None) -> User:
    """A new user of the steward's organisation, not yet signed in, and their invitation: emailed by a job when
    SMTP is configured, else `skipped` (the admin passes the sign-in link on). Audited `user.invited`."""
    can_email = current().settings.smtp_host is not None
    user = await User.create(organisation_id=steward.organisation_id, name=name, role=role,
                             email=email.strip().lower(), using_db=conn)
    invitation = await Invitation.create(
        user=user, invited_by_id=steward.user_id,
        status=InvitationStatus.PENDING if can_email else InvitationStatus.SKIPPED, using_db=conn)
    if can_email:
        await enqueue(Job.SEND_INVITATION, using=conn, invitation_id=str(invitation.id))
    await audit(steward.principal, "user.invited", object_type="user", object_id=user.id, using=conn,
                la_id=la_id if la_id is not None else (steward.organisation_id if steward.is_la else None),
                data=steward.audit_data(role=role.value))
    return user


async def invite(steward: Steward, body: UserInvite) -> tuple[UserOut, bool]:
    """Invite a person: a user of the organisation (not yet signed in) and the invitation email. The same email
    again with the same role is the same invitation (idempotent: created is False); another role, 409."""
    role = _check_role(steward, body.role)
    existing = await user_by_email(steward.organisation_id, body.email)
    if existing is not None:
        if existing.role != role or not existing.active:
            raise Conflict("this email already belongs to a user of your organisation with another role or "
                           "deactivated: change that user instead")
        return await user_out(existing), False
    async with in_transaction() as conn:
        user = await add_invited(steward, name=body.name, email=body.email, role=role, conn=conn)
    return await user_out(user), True


async def people(steward: Steward) -> UserList:
    users = await User.filter(organisation_id=steward.organisation_id).order_by("created_at", "id")
    return UserList(items=[await user_out(user) for user in users])


def _la_of(steward: Steward) -> UUID | None:
    return steward.organisation_id if steward.is_la else None


async def change(steward: Steward, user_id: UUID, body: UserChange) -> UserOut:
    """Give a person another of the organisation's roles; a role that may hold no API tokens ends theirs now."""
    user = await _own_user(steward, user_id)
    role = _check_role(steward, body.role)
    if not user.active:
        raise Conflict("the user is deactivated")
    if user.role not in assignable(steward):
        raise Forbidden(f"a {user.role.value} is managed through their own lifecycle, not here")
    if user.id == steward.user_id and role != user.role:
        raise Conflict("an admin cannot change their own role: ask another admin")
    if role != user.role:
        async with in_transaction() as conn:
            await User.filter(id=user.id).using_db(conn).update(role=role)
            ended = await end_tokens_of_role(user.id, role, using=conn)
            await audit(steward.principal, "user.role_changed", object_type="user", object_id=user.id, using=conn,
                        la_id=_la_of(steward), data=steward.audit_data(**{
                            "from": user.role.value, "to": role.value, "tokens_revoked": ended}))
        user.role = role
    return await user_out(user)


async def deactivate(steward: Steward, user_id: UUID) -> UserOut:
    """Deactivate a user: their tokens and sessions end now (next request 401). Deactivating again changes
    nothing."""
    user = await _own_user(steward, user_id)
    if user.id == steward.user_id:
        raise Conflict("an admin cannot deactivate themselves: ask another admin")
    if user.active:
        now = clock.now()
        async with in_transaction() as conn:
            await User.filter(id=user.id).using_db(conn).update(active=False, deactivated_at=now)
            tokens = await ApiToken.filter(user_id=user.id, revoked_at__isnull=True).using_db(conn).update(
                revoked_at=now)
            sessions = await UserSession.filter(user_id=user.id, revoked_at__isnull=True).using_db(conn).update(
                revoked_at=now)
            await audit(steward.principal, "user.deactivated", object_type="user", object_id=user.id, using=conn,
                        la_id=_la_of(steward),
                        data=steward.audit_data(tokens_revoked=tokens, sessions_revoked=sessions))
        user = await User.get(id=user.id)
    return await user_out(user)


def provider_out(row: IdentityProvider) -> IdentityProviderOut:
    organisation_id: UUID = row.organisation_id  # type: ignore[attr-defined]
    return IdentityProviderOut(issuer=row.issuer, client_id=row.client_id,
                               has_client_secret=row.client_secret_sealed is not None, role_claim=row.role_claim,
                               role_map=dict(row.role_map), sign_in_path=f"/v1/auth/oidc/{organisation_id}/start",
                               redirect_uri=redirect_uri(), updated_at=row.updated_at)


async def identity_provider(principal: Principal) -> IdentityProviderOut:
    row = await IdentityProvider.filter(organisation_id=principal.organisation_id).first()
    if row is None:
        raise NotFound("no sign-in is set up for your organisation")
    return provider_out(row)


async def set_identity_provider(steward: Steward, body: IdentityProviderSet) -> IdentityProviderOut:
    """Set (or replace) the organisation's issuer. Mapped roles must be the organisation's own. Setting the same
    again changes nothing but `updated_at`."""
    for role in body.role_map.values():
        _check_role(steward, role)
    fields = {"issuer": body.issuer, "client_id": body.client_id, "role_claim": body.role_claim,
              "role_map": dict(body.role_map)}
    if body.client_secret is not None:
        fields["client_secret_sealed"] = seal(body.client_secret)
    async with in_transaction() as conn:
        row = await IdentityProvider.filter(organisation_id=steward.organisation_id).using_db(conn).first()
        if row is None:
            row = await IdentityProvider.create(organisation_id=steward.organisation_id, using_db=conn, **fields)
        else:
            row.update_from_dict(fields)
            await row.save(using_db=conn)
        await audit(steward.principal, "sign_in.configured", object_type="identity_provider", object_id=row.id,
                    using=conn, la_id=_la_of(steward), data=steward.audit_data(
                        issuer=body.issuer, client_id=body.client_id, role_claim=body.role_claim,
                        role_map=dict(body.role_map), client_secret_set=body.client_secret is not None))
    forget_issuers()
    return provider_out(row)


async def sessions(principal: Principal) -> list:  # type: ignore[type-arg]
    return await live_sessions(organisation_id=principal.organisation_id, current_id=principal.session_id)


async def end_session(principal: Principal, session_id: UUID) -> None:
    async with in_transaction() as conn:
        await revoke_session(session_id, organisation_id=principal.organisation_id, using=conn)
        await audit(principal, "session.revoked", object_type="user_session", object_id=session_id, using=conn)
