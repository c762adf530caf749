"""Admin endpoints: an organisation's admin manages its own users' API tokens; a provider's admin reaches an LA
user's account only through break-glass, which the LA sees (service/admin/service.py)."""

from __future__ import annotations

from starlette.responses import Response

from contracts.api import (
    BreakGlassIssue,
    BreakGlassRevoke,
    IdentityProviderOut,
    IdentityProviderSet,
    SessionList,
    TokenCreate,
    TokenIssued,
    TokenList,
    UserChange,
    UserInvite,
    UserList,
    UserOut,
)
from service.admin import people, service
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


def _steward(call: Call) -> people.Steward:
    return people.steward_from_request(call.principal, call.request)


async def invite_user(call: Call) -> Response:
    user, created = await people.invite(_steward(call), call.body)
    return Response(user.model_dump_json(), status_code=201 if created else 200, media_type="application/json")


async def list_users(call: Call) -> UserList:
    return await people.people(_steward(call))


async def change_user(call: Call) -> UserOut:
    return await people.change(_steward(call), call.path_uuid("user_id"), call.body)


async def deactivate_user(call: Call) -> UserOut:
    return await people.deactivate(_steward(call), call.path_uuid("user_id"))


async def get_sign_in(call: Call) -> IdentityProviderOut:
    return await people.identity_provider(call.principal)


async def set_sign_in(call: Call) -> IdentityProviderOut:
    return await people.set_identity_provider(_steward(call), call.body)


async def list_sessions(call: Call) -> SessionList:
    return SessionList(items=await people.sessions(call.principal))


async def end_session(call: Call) -> None:
    await people.end_session(call.principal, call.path_uuid("session_id"))


ENDPOINTS = [
    Endpoint("POST", "/v1/admin/users", invite_user, ADMINS,
             "Invite a person of your own organisation by email (a provider's admin its staff, an LA's admin its "
             "staff); they accept by signing in. The same email and role again returns the user (200)", "admin",
             body=UserInvite, response=UserOut, status=201, errors=(403, 409, 422),
             replays="The person invited before with this email and role"),
    Endpoint("GET", "/v1/admin/users", list_users, ADMINS,
             "Your organisation's people: role, active, invited, joined", "admin", response=UserList),
    Endpoint("PATCH", "/v1/admin/users/{user_id}", change_user, ADMINS,
             "Change a person's role (within your organisation's roles)", "admin", body=UserChange,
             response=UserOut, errors=(403, 404, 409, 422)),
    Endpoint("POST", "/v1/admin/users/{user_id}/deactivate", deactivate_user, ADMINS,
             "Deactivate a person: their API tokens and sessions end at once (the next request is 401)", "admin",
             response=UserOut, errors=(404, 409)),
    Endpoint("GET", "/v1/admin/sign-in", get_sign_in, ADMINS,
             "Your organisation's OpenID Connect issuer, client and group-to-role mapping (never the secret)",
             "admin", response=IdentityProviderOut, errors=(404,)),
    Endpoint("PUT", "/v1/admin/sign-in", set_sign_in, ADMINS,
             "Set your organisation's OpenID Connect issuer (its Entra ID or Google Workspace tenant), client and "
             "group-to-role mapping", "admin", body=IdentityProviderSet, response=IdentityProviderOut,
             errors=(403, 422)),
    Endpoint("GET", "/v1/admin/sessions", list_sessions, ADMINS,
             "Your organisation's live sign-in sessions (never a cookie)", "admin", response=SessionList),
    Endpoint("DELETE", "/v1/admin/sessions/{session_id}", end_session, ADMINS,
             "End a sign-in session of your organisation", "admin", status=204, errors=(404,)),
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
