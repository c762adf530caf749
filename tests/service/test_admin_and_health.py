"""Tokens issued by an admin (route and CLI), and readiness of the database, broker and storage."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import httpx

from service import clock
from service.models import ApiToken, Organisation
from service.runtime import current
from tests.clocked import clocked_command
from tests.factories import Tenant


async def test_an_admin_issues_and_revokes_a_token_for_its_own_people(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    admin = tenant.auth("admin")
    coordinator = tenant.users["coordinator"]
    issued = await client.post("/v1/admin/tokens", headers=admin, json={"user_id": str(coordinator.id), "label": "x"})
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    assert token.startswith("pw_")
    row = await ApiToken.get(id=issued.json()["id"])
    assert row.token_hash != token and token not in row.token_hash  # stored hashed
    assert (await client.get("/v1/bundles", headers={"Authorization": f"Bearer {token}"})).status_code == 200
    assert (await client.delete(f"/v1/admin/tokens/{row.id}", headers=admin)).status_code == 204
    assert (await client.get("/v1/bundles", headers={"Authorization": f"Bearer {token}"})).status_code == 401
    # another provider's admin cannot reach these people
    stranger = await client.post("/v1/admin/tokens", headers=other_tenant.auth("admin"),
                                 json={"user_id": str(coordinator.id)})
    assert stranger.status_code == 404


async def test_readiness_reports_each_dependency(client: httpx.AsyncClient) -> None:
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "storage": "ok"}
    assert (await client.get("/healthz")).json()["status"] == "ok"


def test_tokens_create_on_the_command_line_needs_a_real_user() -> None:
    result = subprocess.run([sys.executable, "-m", "service.cli", "tokens", "create", "--user", "nobody"],
                            capture_output=True, text=True, env=dict(os.environ), timeout=60)
    assert result.returncode == 2
    assert "--user" in result.stderr


async def test_tokens_create_prints_a_working_token_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    import asyncio

    user = tenant.users["finance"]
    result = await asyncio.to_thread(
        subprocess.run, clocked_command("service.cli", "tokens", "create", "--user", str(user.id)),
        capture_output=True, text=True, env=dict(os.environ), timeout=60,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    response = await client.get("/v1/billing/purchase-orders", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    # none lives for ever: without --days, the organisation's default lifetime, as through the API
    row = await ApiToken.filter(prefix=token[:10]).first()
    assert row is not None and row.expires_at is not None
    days = current().settings.token_default_days
    assert abs(row.expires_at - (clock.now() + timedelta(days=days))) < timedelta(minutes=5)
    await Organisation.filter(id=tenant.provider.id).update(token_max_days=7, token_default_days=7)
    capped = await asyncio.to_thread(
        subprocess.run, clocked_command("service.cli", "tokens", "create", "--user", str(user.id), "--days", "30"),
        capture_output=True, text=True, env=dict(os.environ), timeout=60)
    assert capped.returncode == 2 and "at most 7 days" in capped.stderr, capped.stderr


async def test_tokens_create_operator_prints_a_token_for_the_instance_metrics(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    import asyncio

    result = await asyncio.to_thread(
        subprocess.run, clocked_command("service.cli", "tokens", "create", "--operator", "--days", "30"),
        capture_output=True, text=True, env=dict(os.environ), timeout=60,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.strip()
    token = {"Authorization": f"Bearer {printed}"}
    assert (await client.get("/metrics", headers=token)).status_code == 200
    assert (await client.get("/v1/bundles", headers=token)).status_code == 403
    row = await ApiToken.filter(prefix=printed[:10]).first()
    assert row is not None and row.expires_at is not None
    too_long = await asyncio.to_thread(
        subprocess.run, clocked_command("service.cli", "tokens", "create", "--operator", "--days", "99999"),
        capture_output=True, text=True, env=dict(os.environ), timeout=60,
    )
    assert too_long.returncode == 2 and "--days" in too_long.stderr
