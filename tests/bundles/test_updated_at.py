"""`updated_at` says when a bundle last changed: every status move sets it (a conditional UPDATE skips the ORM's
`auto_now`), and the sweep counts a bundle as stuck from when it entered its status, not from its creation."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import time_machine
from tortoise.transactions import in_transaction

from service import clock
from service.bundles.transitions import move
from service.intake.screening_service import stuck_bundles
from service.models import Bundle, BundleStatus
from tests.factories import Tenant, bundle_in


async def test_every_status_move_sets_updated_at(tenant: Tenant) -> None:
    start = clock.now()
    bundle = await bundle_in(tenant, BundleStatus.DRAFT)
    with time_machine.travel(start + timedelta(days=3), tick=False):
        async with in_transaction() as conn:
            moved = await move(bundle.id, BundleStatus.CANCELLED, conn=conn)
        assert moved.updated_at == clock.now()
    assert (await Bundle.get(id=bundle.id)).updated_at == start + timedelta(days=3) > bundle.created_at


async def test_a_bundle_drafted_for_days_is_not_stuck_the_moment_it_is_submitted(tenant: Tenant) -> None:
    start = clock.now()
    bundle = await bundle_in(tenant, BundleStatus.DRAFT)
    with time_machine.travel(start + timedelta(days=4), tick=False):
        async with in_transaction() as conn:
            await move(bundle.id, BundleStatus.SUBMITTED, conn=conn)
        assert bundle.id not in await stuck_bundles()
    with time_machine.travel(start + timedelta(days=4, minutes=3), tick=False):
        assert bundle.id in await stuck_bundles()  # a lost screening message: the sweep screens it again


async def test_the_api_shows_when_the_bundle_last_changed(client: httpx.AsyncClient, tenant: Tenant) -> None:
    la = tenant.auth("la_officer")
    start = clock.now()
    created = (await client.post("/v1/bundles", headers=la, json={"reference": "UPD-1", "work_type": "new_plan"}))
    assert created.status_code == 201, created.text
    bundle_id = created.json()["id"]
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        cancelled = await client.post(f"/v1/bundles/{bundle_id}/cancel", headers=la)
    assert cancelled.status_code == 200, cancelled.text
    body = (await client.get(f"/v1/bundles/{bundle_id}", headers=la)).json()
    assert datetime.fromisoformat(body["updated_at"]) == start + timedelta(hours=5)
    assert datetime.fromisoformat(body["created_at"]) < start + timedelta(minutes=1)
