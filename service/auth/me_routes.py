"""`GET /v1/me`: who the bearer token speaks for (user, role, organisation), so a caller can tell its tokens apart."""

from __future__ import annotations

from contracts.api import Me, OrganisationRef
from service.http import Call, Endpoint
from service.models import Organisation, Role, User

EVERYONE = frozenset(Role)


async def who_am_i(call: Call) -> Me:
    principal = call.principal
    user = await User.get(id=principal.user_id)
    organisation = await Organisation.get(id=principal.organisation_id)
    return Me(user_id=user.id, name=user.name, role=principal.role.value,
              organisation=OrganisationRef(id=organisation.id, name=organisation.name, kind=organisation.kind.value),
              writer_id=principal.writer_id)


ENDPOINTS = [
    Endpoint("GET", "/v1/me", who_am_i, EVERYONE, "Who am I: the token's user, role and organisation", "auth",
             response=Me),
]
