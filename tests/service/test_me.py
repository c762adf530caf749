"""`GET /v1/me` says whom a token speaks for: the user, the role, the organisation (and the writer id of a writer)."""

from __future__ import annotations

import httpx

from tests.factories import Tenant


async def test_each_token_says_who_it_is(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for key in ("la_officer", "la_admin", "coordinator", "qa_reviewer", "finance", "admin", "writer2"):
        me = await client.get("/v1/me", headers=tenant.auth(key))
        assert me.status_code == 200, me.text
        body = me.json()
        user = tenant.users[key]
        assert (body["user_id"], body["name"], body["role"]) == (str(user.id), user.name, user.role.value)
        organisation = tenant.la if key.startswith("la_") else tenant.provider
        assert body["organisation"] == {"id": str(organisation.id), "name": organisation.name,
                                        "kind": organisation.kind.value}
        writer = tenant.writers.get(key)
        assert body["writer_id"] == (str(writer.id) if writer else None)


async def test_without_a_valid_token_it_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/me")).status_code == 401
    assert (await client.get("/v1/me", headers={"Authorization": "Bearer pw_unknown"})).status_code == 401
