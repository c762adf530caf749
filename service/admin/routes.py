"""Admin endpoints: an organisation's admin manages its own users' API tokens; a provider's admin reaches an LA
user's account only through break-glass, which the LA sees (service/admin/service.py)."""

from __future__ import annotations

from contracts.api import BreakGlassIssue, BreakGlassRevoke, TokenCreate, TokenIssued, TokenList
from service.admin import service
from service.http import Call, Endpoint
from service.models import Role

# an LA's admin for its own staff, a provider's admin for its own staff
ADMINS = frozenset({Role.ADMIN, Role.LA_ADMIN})
PROVIDER_ADMIN = frozenset({Role.ADMIN})


async def create_token(call: Call) -> TokenIssued:
    return await service.issue(call.principal, call.body)


async def list_tokens(call: Call) -> TokenList:
    return TokenList(items=await service.tokens(call.principal))


async def delete_token(call: Call) -> None:
    await service.revoke(call.principal, call.path_uuid("token_id"))


async def break_glass_token(call: Call) -> TokenIssued:
    return await service.break_glass_issue(call.principal, call.body)


async def break_glass_revoke(call: Call) -> None:
    body: BreakGlassRevoke = call.body
    await service.break_glass_revoke(call.principal, call.path_uuid("token_id"), body.reason)


ENDPOINTS = [
    Endpoint("POST", "/v1/admin/tokens", create_token, ADMINS,
             "Issue a token for a user of your own organisation (shown once; it expires; optionally read-only or "
             "for one LA)", "admin", body=TokenCreate, response=TokenIssued, status=201, errors=(404, 422)),
    Endpoint("GET", "/v1/admin/tokens", list_tokens, ADMINS,
             "Your organisation's tokens: prefix, label, expiry, scopes, last used (never the token)", "admin",
             response=TokenList),
    Endpoint("DELETE", "/v1/admin/tokens/{token_id}", delete_token, ADMINS,
             "Revoke a token of your own organisation", "admin", status=204, errors=(404,)),
    Endpoint("POST", "/v1/admin/break-glass/tokens", break_glass_token, PROVIDER_ADMIN,
             "Break-glass: a short-lived token for a client LA's user, with a reason; on the LA's audit record and "
             "announced to the LA (security.break_glass)", "admin", body=BreakGlassIssue, response=TokenIssued,
             status=201, errors=(404, 422)),
    Endpoint("POST", "/v1/admin/break-glass/tokens/{token_id}/revoke", break_glass_revoke, PROVIDER_ADMIN,
             "Break-glass: revoke a client LA user's token, with a reason; on the LA's record and announced to it",
             "admin", body=BreakGlassRevoke, status=204, errors=(404, 422)),
]
