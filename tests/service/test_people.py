"""Users and roles (issue 22): an organisation's admin invites its own people by email (a real SMTP server takes the
invitation), changes their role and deactivates them; an LA's admin never reaches a provider's people, nor the
reverse; deactivation ends tokens and sessions at once and is audited; creates are idempotent."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from service.auth.sessions import COOKIE, start_session
from service.models import AuditEntry, Invitation, User
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
    assert entry is not None and entry.actor_id == tenant.users["la_admin"].id and entry.data == {"role": "la_officer"}


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
    assert entry is not None and entry.data == {"from": "la_officer", "to": "la_admin"}
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
