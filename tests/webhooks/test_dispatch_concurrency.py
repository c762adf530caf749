"""Dispatchers on PostgreSQL: several at once double nothing, and an event committed late is not skipped."""

from __future__ import annotations

import asyncio
from uuid import UUID

import httpx
from tortoise.transactions import in_transaction

from service.bundles.transitions import record
from service.models import Event, WebhookDelivery, WebhookEndpoint
from service.webhooks.dispatch import dispatch_all, dispatch_once
from tests.factories import Tenant
from tests.service_fixtures import requires_postgres
from tests.webhooks.helpers import new_bundle, raise_event, register


@requires_postgres
async def test_concurrent_dispatchers_create_one_delivery_per_event_and_endpoint(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    endpoint_id, _ = await register(client, tenant, "http://127.0.0.1:9/in", ["sla.at_risk"])
    bundle_id = await new_bundle(client, tenant)
    for _ in range(40):
        await raise_event(bundle_id, "sla.at_risk")
    while sum(await asyncio.gather(*(dispatch_once(batch=7) for _ in range(4)))) > 0:
        pass
    rows = await WebhookDelivery.filter(endpoint_id=endpoint_id).values_list("event_id", flat=True)
    assert len(rows) == 40 and len(set(rows)) == 40
    assert await Event.filter(bundle_id=bundle_id, dispatched_at__isnull=True).count() == 0
    await WebhookEndpoint.filter(id=endpoint_id).delete()  # their queued jobs then find nothing to send


@requires_postgres
async def test_an_event_committed_after_a_later_one_is_still_dispatched(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    endpoint_id, _ = await register(client, tenant, "http://127.0.0.1:9/in", ["sla.at_risk", "sla.breached"])
    bundle_id = await new_bundle(client, tenant)
    written, release = asyncio.Event(), asyncio.Event()

    async def slow_writer() -> None:  # its own task, so its own transaction, held open
        async with in_transaction() as slow:
            await record(UUID(bundle_id), "sla.at_risk", conn=slow)  # the lower id, not yet committed
            written.set()
            await release.wait()

    task = asyncio.create_task(slow_writer())
    await written.wait()
    await raise_event(bundle_id, "sla.breached")  # a higher id, committed first
    await dispatch_all()
    early = await WebhookDelivery.filter(endpoint_id=endpoint_id).values_list("event_type", flat=True)
    assert list(map(str, early)) == ["sla.breached"]
    release.set()
    await task
    await dispatch_all()
    types = await WebhookDelivery.filter(endpoint_id=endpoint_id).values_list("event_type", flat=True)
    assert sorted(map(str, types)) == ["sla.at_risk", "sla.breached"]
    await WebhookEndpoint.filter(id=endpoint_id).delete()
