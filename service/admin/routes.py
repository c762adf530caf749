"""Admin endpoints: issue and revoke API tokens for the admin's own organisation and its client LAs."""

from __future__ import annotations

from tortoise.expressions import Q

from contracts.api import TokenCreate, TokenIssued
from service.auth.tokens import issue_token, revoke_token
from service.errors import NotFound
from service.http import Call, Endpoint
from service.models import ApiToken, Role, User

ADMIN = frozenset({Role.ADMIN})


def _users_in_reach(call: Call) -> Q:
    org = call.principal.organisation_id
    return Q(organisation_id=org) | Q(organisation__provider_id=org)


async def create_token(call: Call) -> TokenIssued:
    body: TokenCreate = call.body
    user = await User.filter(_users_in_reach(call), id=body.user_id, active=True).first()
    if user is None:
        raise NotFound("no such user")
    issued = await issue_token(user, label=body.label)
    from service.audit.service import audit

    await audit(call.principal, "token.issued", object_type="api_token", object_id=issued.id)
    return TokenIssued(id=issued.id, token=issued.token, prefix=issued.prefix)


async def delete_token(call: Call) -> None:
    token_id = call.path_uuid("token_id")
    org = call.principal.organisation_id
    reachable = await ApiToken.filter(
        Q(user__organisation_id=org) | Q(user__organisation__provider_id=org), id=token_id
    ).exists()
    if not reachable:
        raise NotFound("no such token")
    await revoke_token(token_id)
    from service.audit.service import audit

    await audit(call.principal, "token.revoked", object_type="api_token", object_id=token_id)


ENDPOINTS = [
    Endpoint("POST", "/v1/admin/tokens", create_token, ADMIN, "Issue a token for a user (shown once)", "admin",
             body=TokenCreate, response=TokenIssued, status=201, errors=(404, 422)),
    Endpoint("DELETE", "/v1/admin/tokens/{token_id}", delete_token, ADMIN, "Revoke a token", "admin",
             status=204, errors=(404,)),
]
