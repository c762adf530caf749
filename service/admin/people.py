"""An organisation's people as its admin manages them: invite by email, change role, deactivate; its OpenID issuer;
its people's sessions.

A provider's `admin` manages the provider's staff; an LA's `la_admin` the LA's staff. A user belongs to one
organisation, and every query here is scoped to the caller's: another organisation's user is simply not there
(404). Deactivating a user ends their API tokens and sessions in the same transaction: their next request is 401.
"""

from __future__ import annotations

from uuid import UUID

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
from service.auth.oidc import forget_issuers, redirect_uri, seal
from service.auth.principal import Principal
from service.auth.sessions import live_sessions, revoke_session
from service.errors import Conflict, Forbidden, NotFound
from service.jobs import Job
from service.models import (
    ApiToken,
    IdentityProvider,
    Invitation,
    InvitationStatus,
    Role,
    User,
    UserSession,
)
from service.models.people import LA_ROLES, PROVIDER_ROLES
from service.outbox.service import enqueue
from service.runtime import current


def assignable(principal: Principal) -> frozenset[Role]:
    """The roles the caller's admin may give: its own organisation's, never the other side's (writers come with
    their contracts)."""
    return LA_ROLES if principal.is_la else PROVIDER_ROLES - {Role.WRITER}


def _check_role(principal: Principal, role: str) -> Role:
    wanted = Role(role)
    if wanted not in assignable(principal):
        side = "an LA's" if principal.is_la else "a writing service's"
        raise Forbidden(f"{wanted.value} is not one of {side} roles")
    return wanted


async def user_out(user: User) -> UserOut:
    invitation = await Invitation.filter(user_id=user.id).order_by("-created_at").first()
    return UserOut(id=user.id, name=user.name, email=user.email, role=user.role.value, active=user.active,
                   invited=invitation is not None, joined_at=user.joined_at, deactivated_at=user.deactivated_at,
                   created_at=user.created_at,
                   invitation_status=invitation.status.value if invitation is not None else None)


async def _own_user(principal: Principal, user_id: UUID) -> User:
    user = await User.filter(id=user_id, organisation_id=principal.organisation_id).first()
    if user is None:
        raise NotFound("no such user")
    return user


async def invite(principal: Principal, body: UserInvite) -> tuple[UserOut, bool]:
    """Invite a person: a user of the caller's organisation (not yet signed in) and the invitation email. The same
    email again with the same role is the same invitation (idempotent: created is False); another role, 409."""
    role = _check_role(principal, body.role)
    email = body.email.strip().lower()
    existing = await User.annotate(email_lower=Lower("email")).filter(
        organisation_id=principal.organisation_id, email_lower=email).first()
    if existing is not None:
        if existing.role != role or not existing.active:
            raise Conflict("this email already belongs to a user of your organisation with another role or "
                           "deactivated: change that user instead")
        return await user_out(existing), False
    can_email = current().settings.smtp_host is not None
    async with in_transaction() as conn:
        user = await User.create(organisation_id=principal.organisation_id, name=body.name, role=role, email=email,
                                 using_db=conn)
        invitation = await Invitation.create(
            user=user, invited_by_id=principal.user_id,
            status=InvitationStatus.PENDING if can_email else InvitationStatus.SKIPPED, using_db=conn)
        if can_email:
            await enqueue(Job.SEND_INVITATION, using=conn, invitation_id=str(invitation.id))
        await audit(principal, "user.invited", object_type="user", object_id=user.id, using=conn,
                    data={"role": role.value})
    return await user_out(user), True


async def people(principal: Principal) -> UserList:
    users = await User.filter(organisation_id=principal.organisation_id).order_by("created_at", "id")
    return UserList(items=[await user_out(user) for user in users])


async def change(principal: Principal, user_id: UUID, body: UserChange) -> UserOut:
    user = await _own_user(principal, user_id)
    role = _check_role(principal, body.role)
    if not user.active:
        raise Conflict("the user is deactivated")
    if user.role not in assignable(principal):
        raise Forbidden(f"a {user.role.value} is managed through their own lifecycle, not here")
    if user.id == principal.user_id and role != user.role:
        raise Conflict("an admin cannot change their own role: ask another admin")
    if role != user.role:
        async with in_transaction() as conn:
            await User.filter(id=user.id).using_db(conn).update(role=role)
            await audit(principal, "user.role_changed", object_type="user", object_id=user.id, using=conn,
                        data={"from": user.role.value, "to": role.value})
        user.role = role
    return await user_out(user)


async def deactivate(principal: Principal, user_id: UUID) -> UserOut:
    """Deactivate a user: their tokens and sessions end now (next request 401). Deactivating again changes
    nothing."""
    user = await _own_user(principal, user_id)
    if user.id == principal.user_id:
        raise Conflict("an admin cannot deactivate themselves: ask another admin")
    if user.active:
        now = clock.now()
        async with in_transaction() as conn:
            await User.filter(id=user.id).using_db(conn).update(active=False, deactivated_at=now)
            tokens = await ApiToken.filter(user_id=user.id, revoked_at__isnull=True).using_db(conn).update(
                revoked_at=now)
            sessions = await UserSession.filter(user_id=user.id, revoked_at__isnull=True).using_db(conn).update(
                revoked_at=now)
            await audit(principal, "user.deactivated", object_type="user", object_id=user.id, using=conn,
                        data={"tokens_revoked": tokens, "sessions_revoked": sessions})
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


async def set_identity_provider(principal: Principal, body: IdentityProviderSet) -> IdentityProviderOut:
    """Set (or replace) the organisation's issuer. Mapped roles must be the organisation's own. Setting the same
    again changes nothing but `updated_at`."""
    for role in body.role_map.values():
        _check_role(principal, role)
    fields = {"issuer": body.issuer, "client_id": body.client_id, "role_claim": body.role_claim,
              "role_map": dict(body.role_map)}
    if body.client_secret is not None:
        fields["client_secret_sealed"] = seal(body.client_secret)
    async with in_transaction() as conn:
        row = await IdentityProvider.filter(organisation_id=principal.organisation_id).using_db(conn).first()
        if row is None:
            row = await IdentityProvider.create(organisation_id=principal.organisation_id, using_db=conn, **fields)
        else:
            row.update_from_dict(fields)
            await row.save(using_db=conn)
        await audit(principal, "sign_in.configured", object_type="identity_provider", object_id=row.id, using=conn,
                    data={"issuer": body.issuer, "client_id": body.client_id, "role_claim": body.role_claim,
                          "role_map": dict(body.role_map), "client_secret_set": body.client_secret is not None})
    forget_issuers()
    return provider_out(row)


async def sessions(principal: Principal) -> list:  # type: ignore[type-arg]
    return await live_sessions(organisation_id=principal.organisation_id, current_id=principal.session_id)


async def end_session(principal: Principal, session_id: UUID) -> None:
    async with in_transaction() as conn:
        await revoke_session(session_id, organisation_id=principal.organisation_id, using=conn)
        await audit(principal, "session.revoked", object_type="user_session", object_id=session_id, using=conn)
