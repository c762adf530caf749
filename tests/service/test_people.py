"""Users and roles (issue 22): an organisation's admin invites its own people by email (a real SMTP server takes the
invitation), changes their role and deactivates them; an LA's admin never reaches a provider's people, nor the
reverse; deactivation ends tokens and sessions at once and is audited; creates are idempotent."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from service.auth.sessions import COOKIE, start_session
from service.models import ApiToken, AuditEntry, Invitation, User
from service.runtime import current
from service.settings import Settings
from tests.factories import Tenant
from tests.notifications.smtp_sink import Sink, smtp_sink
from tests.service_fixtures import eventually


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    settings: Settings = current().settings
    with smtp_sink() as sink:
        monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
        monkeypatch.setattr(settings, "smtp_port", sink.port)
        monkeypatch.setattr(settings, "smtp_starttls", False)
        monkeypatch.setattr(settings, "smtp_from", "noreply@planwright.test")
        monkeypatch.setattr(settings, "public_url", "https://planwright.example")
        yield sink


async def test_an_invitation_is_emailed_with_the_organisations_sign_in_link(
    client: httpx.AsyncClient, tenant: Tenant, worker: None, smtp: Sink
) -> None:
    invited = await client.post("/v1/admin/users", headers=tenant.auth("la_admin"), json={
        "email": "new.officer@county.example", "name": "New Officer", "role": "la_officer"})
    assert invited.status_code == 201, invited.text
    user = invited.json()
    assert user["active"] is True and user["invited"] is True and user["joined_at"] is None

    async def delivered() -> list[object]:
        return [m for m in smtp.messages if m["To"] == "new.officer@county.example"]

    [message] = await eventually(delivered)
    assert message["Subject"] == f"Planwright: you are invited to {tenant.la.name}"
    assert f"https://planwright.example/v1/auth/oidc/{tenant.la.id}/start" in message.get_content()
    assert smtp.envelopes[-1] == ("noreply@planwright.test", ["new.officer@county.example"])

    async def marked_sent() -> Invitation | None:
        return await Invitation.get_or_none(user_id=user["id"], status="sent")

    await eventually(marked_sent)
    listed = (await client.get("/v1/admin/users", headers=tenant.auth("la_admin"))).json()["items"]
    assert [u["invitation_status"] for u in listed if u["id"] == user["id"]] == ["sent"]
    entry = await AuditEntry.filter(action="user.invited", object_id=user["id"]).first()
    assert entry is not None and entry.actor_id == tenant.users["la_admin"].id and entry.data["role"] == "la_officer"


async def test_inviting_again_is_idempotent_and_a_different_role_conflicts(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = {"email": "Twice@Provider.example", "name": "Twice", "role": "coordinator"}
    first = await client.post("/v1/admin/users", headers=tenant.auth("admin"), json=body)
    again = await client.post("/v1/admin/users", headers=tenant.auth("admin"),
                              json={**body, "email": "twice@provider.example"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["email"] == "twice@provider.example"
    assert await User.filter(organisation_id=tenant.provider.id, email="twice@provider.example").count() == 1
    other = await client.post("/v1/admin/users", headers=tenant.auth("admin"), json={**body, "role": "finance"})
    assert other.status_code == 409 and other.headers["content-type"].startswith("application/problem+json")


async def test_each_admin_gives_only_its_own_sides_roles(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for admin, role in (("la_admin", "coordinator"), ("la_admin", "admin"), ("admin", "la_officer")):
        refused = await client.post("/v1/admin/users", headers=tenant.auth(admin), json={
            "email": f"{admin}-{role}@example.org", "name": "X", "role": role})
        assert refused.status_code == 403, (admin, role, refused.text)
    bad = await client.post("/v1/admin/users", headers=tenant.auth("admin"), json={
        "email": "not-an-email", "name": "X", "role": "finance"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.email"
    writer = await client.post("/v1/admin/users", headers=tenant.auth("admin"), json={
        "email": "w@example.org", "name": "W", "role": "writer"})
    assert writer.status_code == 422  # writers come with their contracts, through the writers' lifecycle


async def test_an_la_admin_cannot_touch_provider_users_nor_the_reverse(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    provider_user, la_user = tenant.users["finance"], tenant.users["la_officer"]
    for admin, user in (("la_admin", provider_user), ("admin", la_user)):
        headers = tenant.auth(admin)
        role = "la_officer" if admin == "la_admin" else "finance"
        assert (await client.patch(f"/v1/admin/users/{user.id}", headers=headers,
                                   json={"role": role})).status_code == 404
        assert (await client.post(f"/v1/admin/users/{user.id}/deactivate", headers=headers)).status_code == 404
        listed = (await client.get("/v1/admin/users", headers=headers)).json()["items"]
        assert str(user.id) not in {u["id"] for u in listed}
    # nor another tenant's own kind
    foreign = other_tenant.users["la_officer"]
    assert (await client.post(f"/v1/admin/users/{foreign.id}/deactivate",
                              headers=tenant.auth("la_admin"))).status_code == 404
    assert (await User.get(id=foreign.id)).active is True


async def test_a_role_change_is_audited_and_takes_effect_on_the_next_request(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    officer = tenant.users["la_officer"]
    assert (await client.get("/v1/admin/users", headers=tenant.auth("la_officer"))).status_code == 403
    changed = await client.patch(f"/v1/admin/users/{officer.id}", headers=tenant.auth("la_admin"),
                                 json={"role": "la_admin"})
    assert changed.status_code == 200 and changed.json()["role"] == "la_admin"
    assert (await client.get("/v1/admin/users", headers=tenant.auth("la_officer"))).status_code == 200
    entry = await AuditEntry.filter(action="user.role_changed", object_id=str(officer.id)).first()
    assert entry is not None and (entry.data["from"], entry.data["to"]) == ("la_officer", "la_admin")
    # an admin cannot demote or deactivate itself (another admin must)
    me = tenant.users["la_admin"]
    assert (await client.patch(f"/v1/admin/users/{me.id}", headers=tenant.auth("la_admin"),
                               json={"role": "la_officer"})).status_code == 409
    assert (await client.post(f"/v1/admin/users/{me.id}/deactivate",
                              headers=tenant.auth("la_admin"))).status_code == 409


async def test_deactivation_ends_tokens_and_sessions_at_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    user = tenant.users["coordinator"]
    session = await start_session(await User.get(id=user.id), ip=None)
    cookie = {"Cookie": f"{COOKIE}={session.cookie}"}
    assert (await client.get("/v1/me", headers=tenant.auth("coordinator"))).status_code == 200
    assert (await client.get("/v1/me", headers=cookie)).status_code == 200
    off = await client.post(f"/v1/admin/users/{user.id}/deactivate", headers=tenant.auth("admin"))
    assert off.status_code == 200 and off.json()["deactivated_at"] is not None
    assert (await client.get("/v1/me", headers=tenant.auth("coordinator"))).status_code == 401
    assert (await client.get("/v1/me", headers=cookie)).status_code == 401
    # deactivating again changes nothing and audits nothing more
    assert (await client.post(f"/v1/admin/users/{user.id}/deactivate", headers=tenant.auth("admin"))).status_code == 200
    assert await AuditEntry.filter(action="user.deactivated", object_id=str(user.id)).count() == 1
    # a deactivated user can be given no new token
    refused = await client.post("/v1/admin/tokens", headers=tenant.auth("admin"), json={"user_id": str(user.id)})
    assert refused.status_code == 404


async def test_an_admin_ends_a_session_and_a_person_ends_their_own(client: httpx.AsyncClient, tenant: Tenant) -> None:
    user = await User.get(id=tenant.users["la_officer"].id)
    first, second = await start_session(user, ip=None), await start_session(user, ip=None)
    as_first = {"Cookie": f"{COOKIE}={first.cookie}"}
    mine = (await client.get("/v1/me/sessions", headers=as_first)).json()["items"]
    assert {s["id"] for s in mine} == {str(first.id), str(second.id)}
    assert [s["current"] for s in mine if s["id"] == str(first.id)] == [True]
    # ending a session is state-changing: the CSRF token is needed with a cookie
    assert (await client.delete(f"/v1/me/sessions/{second.id}", headers=as_first)).status_code == 403
    ended = await client.delete(f"/v1/me/sessions/{second.id}", headers={**as_first, "X-CSRF-Token": first.csrf_token})
    assert ended.status_code == 204
    assert (await client.get("/v1/me", headers={"Cookie": f"{COOKIE}={second.cookie}"})).status_code == 401
    assert (await client.delete(f"/v1/admin/sessions/{first.id}", headers=tenant.auth("admin"))).status_code == 404
    assert (await client.delete(f"/v1/admin/sessions/{first.id}", headers=tenant.auth("la_admin"))).status_code == 204
    assert (await client.get("/v1/me", headers=as_first)).status_code == 401
    assert await AuditEntry.filter(action="session.revoked", object_id=str(first.id)).count() == 1


async def test_only_the_roles_that_connect_systems_hold_api_tokens(client: httpx.AsyncClient, tenant: Tenant) -> None:
    """Writers, QA reviewers and LA case officers sign in; the admins, coordinators and finance may hold tokens."""
    for admin, role in (("la_admin", "la_officer"), ("admin", "writer1"), ("admin", "qa_reviewer")):
        refused = await client.post("/v1/admin/tokens", headers=tenant.auth(admin),
                                    json={"user_id": str(tenant.users[role].id)})
        assert refused.status_code == 422, (role, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["field"] == "body.user_id"
    assert not await ApiToken.filter(user_id=tenant.users["la_officer"].id, issued_by_id__isnull=False).exists()
    for admin, role in (("la_admin", "la_admin"), ("admin", "coordinator"), ("admin", "finance")):
        issued = await client.post("/v1/admin/tokens", headers=tenant.auth(admin),
                                   json={"user_id": str(tenant.users[role].id)})
        assert issued.status_code == 201, (role, issued.text)


async def test_a_role_that_may_hold_no_tokens_loses_them_at_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    invited = await client.post("/v1/admin/users", headers=tenant.auth("admin"), json={
        "email": "exports@provider.example", "name": "Exports", "role": "finance"})
    user_id = invited.json()["id"]
    issued = await client.post("/v1/admin/tokens", headers=tenant.auth("admin"),
                               json={"user_id": user_id, "label": "month-end export"})
    bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
    assert (await client.get("/v1/me", headers=bearer)).status_code == 200
    changed = await client.patch(f"/v1/admin/users/{user_id}", headers=tenant.auth("admin"),
                                 json={"role": "qa_reviewer"})
    assert changed.status_code == 200 and changed.json()["role"] == "qa_reviewer"
    assert (await client.get("/v1/me", headers=bearer)).status_code == 401
    entry = await AuditEntry.filter(action="user.role_changed", object_id=user_id).first()
    assert entry is not None and entry.data["tokens_revoked"] == 1 and entry.data["to"] == "qa_reviewer"
    # a role that may hold tokens keeps them
    kept = await client.post("/v1/admin/tokens", headers=tenant.auth("admin"),
                             json={"user_id": str(tenant.users["coordinator"].id)})
    await client.patch(f"/v1/admin/users/{tenant.users['coordinator'].id}", headers=tenant.auth("admin"),
                       json={"role": "finance"})
    assert (await client.get("/v1/me", headers={"Authorization": f"Bearer {kept.json()['token']}"})).status_code == 200


def _planwright(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120, check=False)


async def test_the_operator_manages_an_organisations_people_from_the_command_line(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    run = functools.partial(asyncio.to_thread, _planwright)
    la = str(tenant.la.id)
    invited = await run("user", "invite", "--org", la, "--email", "Head.Of.Send@County.example", "--name", "Head",
                        "--role", "la_admin")
    assert invited.returncode == 0, invited.stderr
    head = json.loads(invited.stdout)
    assert head["role"] == "la_admin" and head["email"] == "head.of.send@county.example" and head["invited"]
    again = await run("user", "invite", "--org", la, "--email", "head.of.send@county.example", "--name", "Head",
                      "--role", "la_admin")
    assert json.loads(again.stdout)["id"] == head["id"]
    entry = await AuditEntry.filter(action="user.invited", object_id=head["id"]).first()
    assert entry is not None and entry.actor_id is None and entry.data["origin"].startswith("cli ")
    assert entry.la_id == tenant.la.id  # on the LA's own record
    listed = json.loads((await run("user", "list", "--org", la)).stdout)["items"]
    assert head["id"] in {u["id"] for u in listed}
    # bad input: exit 2 with one line naming what is wrong, and nothing written
    for args, words in (
        (("user", "invite", "--org", la, "--email", "x@y.example", "--name", "X", "--role", "admin"), "admin"),
        (("user", "invite", "--org", la, "--email", "not-an-email", "--name", "X", "--role", "la_officer"), "email"),
        (("user", "invite", "--org", "nobody", "--email", "x@y.example", "--name", "X", "--role", "la_officer"),
         "--org"),
        (("user", "role", "--org", la, "--user", str(other_tenant.users["la_officer"].id), "--role", "la_admin"),
         "no such user"),
        (("user", "sign-in", "--org", la, "--issuer", "https://login.example", "--client-id", "pw", "--role-map",
          "nogroup"), "--role-map"),
    ):
        refused = await run(*args)
        assert refused.returncode == 2 and words in refused.stderr, (args, refused.stderr)
    assert not await User.filter(email="x@y.example").exists()
    # the officer, given a token by the LA's admin as an admin, loses it when made an officer again
    officer = tenant.users["la_officer"]
    made = await run("user", "role", "--org", la, "--user", str(officer.id), "--role", "la_admin")
    assert json.loads(made.stdout)["role"] == "la_admin"
    token = (await run("tokens", "create", "--user", str(officer.id))).stdout.strip()
    assert (await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200
    back = await run("user", "role", "--org", la, "--user", str(officer.id), "--role", "la_officer")
    assert back.returncode == 0, back.stderr
    assert (await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 401
    refused_token = await run("tokens", "create", "--user", str(officer.id))
    assert refused_token.returncode == 2 and "holds no API tokens" in refused_token.stderr
    # deactivation from the command line ends the person's access at the next request
    finance_auth = tenant.auth("finance")
    assert (await client.get("/v1/me", headers=finance_auth)).status_code == 200
    off = await run("user", "deactivate", "--org", str(tenant.provider.id), "--user", str(tenant.users["finance"].id))
    assert off.returncode == 0 and json.loads(off.stdout)["active"] is False, off.stderr
    assert (await client.get("/v1/me", headers=finance_auth)).status_code == 401
