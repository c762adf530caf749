"""Who an OpenID sign-in is: the invited user it links to (just in time, on their first sign-in: the invitation
accepted), and the session it starts. An unknown person, or a deactivated user, gets nothing."""

from __future__ import annotations

from tortoise.functions import Lower
from tortoise.transactions import in_transaction

from service import clock
from service.audit.service import audit
from service.auth.oidc import Identity, NotInvited, mapped_role
from service.auth.principal import principal_for
from service.auth.sessions import StartedSession, start_session
from service.auth.tokens import end_tokens_of_role
from service.models import Organisation, OrganisationKind, User
from service.models.people import LA_ROLES, PROVIDER_ROLES, Role


async def _refuse(identity: Identity, reason: str) -> NotInvited:
    # on the organisation's record: who was refused is not said (they are no user of ours), only why
    await audit(None, "sign_in.refused", object_type="organisation", object_id=identity.organisation_id,
                la_id=identity.organisation_id if await Organisation.filter(
                    id=identity.organisation_id, kind=OrganisationKind.LA).exists() else None,
                data={"reason": reason})
    return NotInvited("you are not an invited, active user of this organisation: ask its admin to invite you")


async def sign_in(identity: Identity, *, ip: str | None) -> StartedSession:
    subject = str(identity.claims["sub"])
    user = await User.filter(organisation_id=identity.organisation_id, subject=subject).select_related(
        "organisation", "writer").first()
    joining = user is None
    if user is None:
        email = identity.claims.get("email")
        if not isinstance(email, str) or identity.claims.get("email_verified") is not True:
            raise await _refuse(identity, "no verified email")
        user = await User.annotate(email_lower=Lower("email")).filter(
            organisation_id=identity.organisation_id, email_lower=email.strip().lower(), subject__isnull=True,
        ).select_related("organisation", "writer").first()
        if user is None:
            raise await _refuse(identity, "not invited")
    if not user.active:
        raise await _refuse(identity, "deactivated")
    allowed = LA_ROLES if user.role in LA_ROLES else PROVIDER_ROLES - {Role.WRITER}
    role = mapped_role(identity, allowed) if user.role in allowed else None
    async with in_transaction() as conn:
        changes: dict[str, object] = {}
        if joining:
            # claimed once: two first sign-ins at the same moment link the user once
            won = await User.filter(id=user.id, subject__isnull=True).using_db(conn).update(
                subject=subject, joined_at=clock.now())
            if won != 1:
                raise await _refuse(identity, "not invited")
        if role is not None and role != user.role:
            await User.filter(id=user.id).using_db(conn).update(role=role)
            changes = {"from": user.role.value, "to": role.value,
                       "tokens_revoked": await end_tokens_of_role(user.id, role, using=conn)}
            user.role = role
        principal = principal_for(user)
        if joining:
            await audit(principal, "user.joined", object_type="user", object_id=user.id, using=conn,
                        data={"issuer": identity.issuer})
        if changes:
            await audit(principal, "user.role_mapped", object_type="user", object_id=user.id, using=conn,
                        data=changes)
        started = await start_session(user, ip=ip, using=conn)
        await audit(principal, "user.signed_in", object_type="user_session", object_id=started.id, using=conn)
    return started
