"""Signing people in through a REAL OpenID Provider (panva's certified oidc-provider on Node.js, tests/oidc/op), over
real HTTP: the app answers at https://planwright.test (in process), the provider at 127.0.0.1, and one browser
(httpx, keeping cookies) goes between them posting the provider's own login and consent forms. Nothing of the
protocol is mocked: discovery, the code exchange with PKCE, the ID token and the JWKS are the provider's own."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import pytest_asyncio
import time_machine
from starlette.applications import Starlette

from service import clock
from service.auth import oidc
from service.auth.sessions import COOKIE
from service.models import AuditEntry, SignIn, User
from service.runtime import current
from service.settings import Settings
from tests.factories import Tenant
from tests.oidc.provider import (
    APP_ORIGIN,
    CLIENT_ID,
    CLIENT_SECRET,
    OTHER_CLIENT_ID,
    OTHER_REDIRECT,
    Account,
    OpenIdProvider,
    install,
    new_keys,
    through_provider,
)

# The provider runs on the machine's own clock: its interaction cookies and tokens expire by it, so this module never
# runs at a moved instant (it moves time itself, relative to now, where a test needs it).
pytestmark = pytest.mark.real_clock

# the provider's development login takes the person's subject (`sub`) as the login name
ADA, GRACE, MALLORY = "entra-0001-ada", "entra-0002-grace", "entra-0666-mallory"
ACCOUNTS = {
    ADA: Account(sub="entra-0001-ada", email="ada.lovelace@county.example", name="Ada", groups=["pw-officers"]),
    GRACE: Account(sub="entra-0002-grace", email="grace@county.example", name="Grace",
                     groups=["pw-officers", "pw-admins"]),
    MALLORY: Account(sub="entra-0666-mallory", email="mallory@elsewhere.example", name="Mallory"),
}


@pytest.fixture(scope="session")
def op_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install(tmp_path_factory.mktemp("oidc-provider"))


@pytest.fixture
def op(op_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenIdProvider]:
    settings: Settings = current().settings
    monkeypatch.setattr(settings, "public_url", APP_ORIGIN)
    provider = OpenIdProvider(op_folder, ACCOUNTS)
    provider.start(new_keys("key-1"))
    oidc.forget_issuers()
    try:
        yield provider
    finally:
        provider.stop()
        oidc.forget_issuers()


def new_browser(app: Starlette) -> httpx.AsyncClient:
    """A browser: the app's origin served in process, everything else (the provider) over real HTTP."""
    return httpx.AsyncClient(mounts={APP_ORIGIN: httpx.ASGITransport(app=app), "all://": httpx.AsyncHTTPTransport()},
                             follow_redirects=False, timeout=20)


@pytest_asyncio.fixture
async def browser(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with new_browser(app) as http:
        yield http


async def set_up(client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, *, invite: dict[str, str],
                 admin: str = "la_admin", role_map: dict[str, str] | None = None) -> str:
    """The organisation's admin points sign-in at the provider and invites a person; the sign-in URL."""
    headers = tenant.auth(admin)
    configured = await client.put("/v1/admin/sign-in", headers=headers, json={
        "issuer": op.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "role_map": role_map or {}})
    assert configured.status_code == 200, configured.text
    assert configured.json()["has_client_secret"] is True and "client_secret" not in configured.json()
    invited = await client.post("/v1/admin/users", headers=headers, json=invite)
    assert invited.status_code == 201, invited.text
    return APP_ORIGIN + configured.json()["sign_in_path"]


async def sign_in(browser: httpx.AsyncClient, start: str, login: str) -> httpx.Response:
    """The whole sign-in: through the provider and back to the callback, whose answer is returned."""
    callback = await through_provider(browser, start, login)
    return await browser.get(str(callback))


async def test_an_invited_person_signs_in_acts_in_their_role_and_signs_out(
    client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, browser: httpx.AsyncClient
) -> None:
    start = await set_up(client, tenant, op, invite={
        "email": "Ada.Lovelace@county.example", "name": "Ada Lovelace", "role": "la_officer"})
    answer = await sign_in(browser, start, ADA)
    assert answer.status_code == 303 and answer.headers["location"] == "/v1/me", answer.text
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= {part.strip() for part in cookie.split(";")}
    me = await browser.get(f"{APP_ORIGIN}/v1/me")
    assert me.status_code == 200, me.text
    assert me.json()["role"] == "la_officer" and me.json()["organisation"]["id"] == str(tenant.la.id)
    # the invitation is accepted: the user is linked to the person's subject at the issuer
    user = await User.get(id=me.json()["user_id"])
    assert user.subject == "entra-0001-ada" and user.joined_at is not None

    # acting in the role: reading needs only the cookie; a state-changing request also needs the CSRF token
    assert (await browser.get(f"{APP_ORIGIN}/v1/bundles")).status_code == 200
    body = {"reference": "OIDC-1", "work_type": "new_plan"}
    refused = await browser.post(f"{APP_ORIGIN}/v1/bundles", json=body)
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/csrf-token-missing"
    wrong = await browser.post(f"{APP_ORIGIN}/v1/bundles", json=body, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    session = (await browser.get(f"{APP_ORIGIN}/v1/me/session")).json()
    created = await browser.post(f"{APP_ORIGIN}/v1/bundles", json=body,
                                 headers={"X-CSRF-Token": session["csrf_token"]})
    assert created.status_code == 201, created.text
    # the officer's role still binds: an admin route is refused
    assert (await browser.get(f"{APP_ORIGIN}/v1/admin/users")).status_code == 403

    # the admin sees the session (never its cookie) and the person as joined
    listed = (await client.get("/v1/admin/sessions", headers=tenant.auth("la_admin"))).json()["items"]
    assert [s["id"] for s in listed] == [session["session"]["id"]]
    assert cookie.split(";")[0].split("=", 1)[1] not in str(listed)
    people = (await client.get("/v1/admin/users", headers=tenant.auth("la_admin"))).json()["items"]
    assert [p["joined_at"] is not None for p in people if p["id"] == str(user.id)] == [True]
    actions = await AuditEntry.filter(actor_id=user.id).values_list("action", flat=True)
    assert {"user.joined", "user.signed_in"} <= set(actions)

    # signing out is a form post carrying the CSRF token; then the cookie is worth nothing
    out = await browser.post(f"{APP_ORIGIN}/v1/auth/sign-out", data={"csrf_token": session["csrf_token"]})
    assert out.status_code == 204, out.text
    assert "Max-Age=0" in out.headers["set-cookie"]
    # the old cookie's value, presented again (as a thief who copied it would), is refused
    again = await browser.get(f"{APP_ORIGIN}/v1/me", headers={"Cookie": cookie.split(";")[0]})
    assert again.status_code == 401


async def test_groups_map_to_roles_as_the_organisations_admin_set(
    client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, browser: httpx.AsyncClient
) -> None:
    start = await set_up(client, tenant, op, invite={"email": "grace@county.example", "name": "Grace",
                                                     "role": "la_officer"},
                         role_map={"pw-admins": "la_admin", "pw-officers": "la_officer"})
    assert (await sign_in(browser, start, GRACE)).status_code == 303
    me = (await browser.get(f"{APP_ORIGIN}/v1/me")).json()
    assert me["role"] == "la_admin"
    entry = await AuditEntry.filter(action="user.role_mapped", object_id=me["user_id"]).first()
    assert entry is not None and entry.data == {"from": "la_officer", "to": "la_admin", "tokens_revoked": 0}
    # a provider's roles cannot be mapped by an LA's admin
    refused = await client.put("/v1/admin/sign-in", headers=tenant.auth("la_admin"), json={
        "issuer": op.issuer, "client_id": CLIENT_ID, "role_map": {"pw-admins": "admin"}})
    assert refused.status_code == 403


async def test_the_provider_signs_in_with_its_own_issuer(
    client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, browser: httpx.AsyncClient
) -> None:
    start = await set_up(client, tenant, op, admin="admin", invite={
        "email": "ada.lovelace@county.example", "name": "Ada", "role": "coordinator"})
    assert start.endswith(f"/v1/auth/oidc/{tenant.provider.id}/start")
    assert (await sign_in(browser, start, ADA)).status_code == 303
    me = (await browser.get(f"{APP_ORIGIN}/v1/me")).json()
    assert me["role"] == "coordinator" and me["organisation"]["id"] == str(tenant.provider.id)


async def test_an_uninvited_person_gets_nothing(
    client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, browser: httpx.AsyncClient
) -> None:
    start = await set_up(client, tenant, op, invite={"email": "ada.lovelace@county.example", "name": "Ada",
                                                     "role": "la_officer"})
    users = await User.filter(organisation_id=tenant.la.id).count()
    answer = await sign_in(browser, start, MALLORY)
    assert answer.status_code == 403 and answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"] == "/problems/not-invited"
    assert "set-cookie" not in answer.headers
    assert await User.filter(organisation_id=tenant.la.id).count() == users
    assert await User.filter(subject="entra-0666-mallory").count() == 0
    assert (await browser.get(f"{APP_ORIGIN}/v1/me")).status_code == 401
    refusal = await AuditEntry.filter(action="sign_in.refused", object_id=str(tenant.la.id)).first()
    assert refusal is not None and refusal.data == {"reason": "not invited"}


async def test_deactivating_a_user_cuts_off_their_session_and_tokens_at_the_next_request(
    client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, browser: httpx.AsyncClient, app: Starlette
) -> None:
    # an LA admin: a role that may hold a token for the LA's case system, besides the sign-in session
    start = await set_up(client, tenant, op, invite={"email": "ada.lovelace@county.example", "name": "Ada",
                                                     "role": "la_admin"})
    assert (await sign_in(browser, start, ADA)).status_code == 303
    me = (await browser.get(f"{APP_ORIGIN}/v1/me")).json()
    token = await client.post("/v1/admin/tokens", headers=tenant.auth("la_admin"),
                              json={"user_id": me["user_id"], "label": "ada's script"})
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    assert (await client.get("/v1/me", headers=bearer)).status_code == 200

    off = await client.post(f"/v1/admin/users/{me['user_id']}/deactivate", headers=tenant.auth("la_admin"))
    assert off.status_code == 200 and off.json()["active"] is False
    assert (await browser.get(f"{APP_ORIGIN}/v1/me")).status_code == 401
    assert (await client.get("/v1/me", headers=bearer)).status_code == 401
    entry = await AuditEntry.filter(action="user.deactivated", object_id=me["user_id"]).first()
    assert entry is not None and entry.actor_id == tenant.users["la_admin"].id
    assert (entry.data["tokens_revoked"], entry.data["sessions_revoked"]) == (1, 1)
    assert entry.data["origin"].startswith("api ")
    # and signing in again gets them nothing
    async with new_browser(app) as fresh:
        again = await sign_in(fresh, start, ADA)
    assert again.status_code == 403 and again.json()["type"] == "/problems/not-invited"


async def test_a_replayed_state_is_refused(
    client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, browser: httpx.AsyncClient, app: Starlette
) -> None:
    start = await set_up(client, tenant, op, invite={"email": "ada.lovelace@county.example", "name": "Ada",
                                                     "role": "la_officer"})
    callback = await through_provider(browser, start, ADA)
    assert (await browser.get(str(callback))).status_code == 303
    async with new_browser(app) as attacker:
        replayed = await attacker.get(str(callback))
    assert replayed.status_code == 401 and replayed.json()["type"] == "/problems/sign-in-failed"
    assert "already used" in replayed.json()["detail"] and "set-cookie" not in replayed.headers


async def test_a_nonce_mismatch_is_refused(
    client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, browser: httpx.AsyncClient
) -> None:
    start = await set_up(client, tenant, op, invite={"email": "ada.lovelace@county.example", "name": "Ada",
                                                     "role": "la_officer"})
    callback = await through_provider(browser, start, ADA)
    # the sign-in on record expects another nonce than the one the provider put in the ID token
    assert await SignIn.filter(organisation_id=tenant.la.id, used_at__isnull=True).update(
        nonce=secrets.token_urlsafe(32)) == 1
    answer = await browser.get(str(callback))
    assert answer.status_code == 401 and answer.json()["type"] == "/problems/sign-in-failed"
    assert "nonce" in answer.json()["detail"]
    assert (await browser.get(f"{APP_ORIGIN}/v1/me")).status_code == 401


async def test_an_expired_id_token_is_refused(
    client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, browser: httpx.AsyncClient
) -> None:
    # the provider issues ID tokens that live one second; this service's clock is five minutes ahead of it
    op.stop()
    op.id_token_ttl = 1
    op.start(new_keys("key-short"))
    with time_machine.travel(clock.now() + timedelta(minutes=5), tick=True):
        start = await set_up(client, tenant, op, invite={"email": "ada.lovelace@county.example", "name": "Ada",
                                                         "role": "la_officer"})
        answer = await sign_in(browser, start, ADA)
    assert answer.status_code == 401 and answer.json()["type"] == "/problems/sign-in-failed"
    assert "expired" in answer.json()["detail"]


async def test_an_id_token_for_another_audience_is_refused(op: OpenIdProvider, browser: httpx.AsyncClient) -> None:
    """A real ID token the provider issued to another app (its code exchanged by that app) does not sign anyone in
    here, though its signature, issuer and nonce are good."""
    document = await oidc.discover(op.issuer)
    nonce, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(48)
    authorize = document["authorization_endpoint"] + "?" + urlencode({
        "response_type": "code", "client_id": OTHER_CLIENT_ID, "redirect_uri": OTHER_REDIRECT, "scope": "openid email",
        "state": "s", "nonce": nonce, "code_challenge": oidc.pkce_challenge(verifier),
        "code_challenge_method": "S256"})
    back = await through_provider(browser, authorize, ADA, stop_at=OTHER_REDIRECT)
    exchanged = await browser.post(document["token_endpoint"], auth=(OTHER_CLIENT_ID, CLIENT_SECRET), data={
        "grant_type": "authorization_code", "code": back.params["code"], "redirect_uri": OTHER_REDIRECT,
        "code_verifier": verifier})
    assert exchanged.status_code == 200, exchanged.text
    id_token = exchanged.json()["id_token"]
    # the same token is good for the app it was issued to ...
    claims = await oidc.verify_id_token(id_token, issuer=op.issuer, client_id=OTHER_CLIENT_ID, nonce=nonce,
                                        jwks_uri=document["jwks_uri"])
    assert claims["sub"] == "entra-0001-ada"
    # ... and not for this service's client
    with pytest.raises(oidc.SignInFailed, match="aud"):
        await oidc.verify_id_token(id_token, issuer=op.issuer, client_id=CLIENT_ID, nonce=nonce,
                                   jwks_uri=document["jwks_uri"])


async def test_the_issuers_key_rotation_is_followed(
    client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, browser: httpx.AsyncClient, app: Starlette
) -> None:
    start = await set_up(client, tenant, op, invite={"email": "ada.lovelace@county.example", "name": "Ada",
                                                     "role": "la_officer"})
    assert (await sign_in(browser, start, ADA)).status_code == 303
    # the issuer rotates: the same address now signs with a key this service has never seen
    op.stop()
    op.start(new_keys("key-2"))
    async with new_browser(app) as later:
        answer = await sign_in(later, start, ADA)
        assert answer.status_code == 303, answer.text
        assert (await later.get(f"{APP_ORIGIN}/v1/me")).status_code == 200


async def test_sessions_end_when_idle_and_at_their_absolute_limit(
    client: httpx.AsyncClient, tenant: Tenant, op: OpenIdProvider, browser: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch, app: Starlette
) -> None:
    settings: Settings = current().settings
    monkeypatch.setattr(settings, "session_idle_minutes", 30)
    monkeypatch.setattr(settings, "session_absolute_hours", 1)
    start = await set_up(client, tenant, op, invite={"email": "ada.lovelace@county.example", "name": "Ada",
                                                     "role": "la_officer"})
    assert (await sign_in(browser, start, ADA)).status_code == 303
    began = clock.now()
    # used every 20 minutes, it lives on, up to its absolute hour
    for minutes in (20, 40, 59):
        with time_machine.travel(began + timedelta(minutes=minutes), tick=False):
            assert (await browser.get(f"{APP_ORIGIN}/v1/me")).status_code == 200, minutes
    with time_machine.travel(began + timedelta(minutes=61), tick=False):
        assert (await browser.get(f"{APP_ORIGIN}/v1/me")).status_code == 401
    # a new session left alone for over 30 minutes ends too
    async with new_browser(app) as other:
        assert (await sign_in(other, start, ADA)).status_code == 303
        quiet_from = clock.now()
        mine = (await other.get(f"{APP_ORIGIN}/v1/me/session")).json()["session"]["id"]

        async def listed() -> list[str]:  # the admin's view, which does not touch the session
            answer = await client.get("/v1/admin/sessions", headers=tenant.auth("la_admin"))
            return [s["id"] for s in answer.json()["items"]]

        with time_machine.travel(quiet_from + timedelta(minutes=29), tick=False):
            assert mine in await listed()
        with time_machine.travel(quiet_from + timedelta(minutes=31), tick=False):
            assert mine not in await listed()
            assert (await other.get(f"{APP_ORIGIN}/v1/me")).status_code == 401


def test_the_providers_lock_names_no_registry_host() -> None:
    op = Path(__file__).parent / "op"
    lock = json.loads((op / "package-lock.json").read_text())
    assert [p["resolved"] for p in lock["packages"].values() if p.get("resolved")] == []
    assert not re.search(r"registry|npmjs", (op / "package-lock.json").read_text())
    assert "omit-lockfile-registry-resolved=true" in (op / ".npmrc").read_text()
    assert lock["packages"]["node_modules/oidc-provider"]["version"] == "9.13.3"
