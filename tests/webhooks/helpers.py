"""Helpers for the webhook and notification tests: a bundle, a timeline event, registering, waiting for jobs."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import httpx
from tortoise.transactions import in_transaction

from service.bundles.transitions import record
from service.webhooks.dispatch import dispatch_all
from tests.factories import Tenant
from tests.service_fixtures import eventually


async def new_bundle(client: httpx.AsyncClient, tenant: Tenant, reference: str | None = None) -> str:
    # a reference of its own unless given: a second live bundle with one is refused
    reference = reference or f"HOOK-{uuid.uuid4().hex[:8]}"
    created = await client.post("/v1/bundles", headers=tenant.auth("la_officer"),
                                json={"reference": reference, "work_type": "new_plan"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def raise_event(bundle_id: str, name: str) -> None:
    """A timeline entry as the SLA watcher writes it (`record`, no status change)."""
    async with in_transaction() as conn:
        await record(UUID(bundle_id), name, conn=conn)


async def settle(check: Callable[[], Awaitable[Any]], *, timeout: float = 60.0) -> Any:
    """Poll `check`, running the dispatcher and relaying the outbox each time, as the scheduler would.

    The wait is generous: on a loaded machine a worker thread may be starved for many seconds.
    """
    async def step() -> Any:
        await dispatch_all()
        return await check()

    return await eventually(step, timeout=timeout)


async def register(client: httpx.AsyncClient, tenant: Tenant, url: str, types: list[str]) -> tuple[str, str]:
    created = await client.post("/v1/webhooks/endpoints", headers=tenant.auth("la_admin"),
                                json={"url": url, "event_types": types, "description": "case system"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"]), str(created.json()["secret"])


async def deliveries(client: httpx.AsyncClient, tenant: Tenant, endpoint_id: str) -> list[dict[str, Any]]:
    listed = await client.get(f"/v1/webhooks/endpoints/{endpoint_id}/deliveries", headers=tenant.auth("la_admin"))
    assert listed.status_code == 200, listed.text
    return list(listed.json()["items"])
