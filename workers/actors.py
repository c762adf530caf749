"""The jobs: thin, idempotent actors that reload by id and call a service.

Each is an async function, so tests await it directly (`await screen_bundle.fn(...)` runs it on the caller's loop
when no worker is involved: see `run_now`).
"""

from __future__ import annotations

from uuid import UUID

import dramatiq

from workers.broker import setup_broker

setup_broker()


@dramatiq.actor(max_retries=8, queue_name="default")
async def screen_bundle(bundle_id: str) -> None:
    from service.intake.service import screen_bundle as screen

    await screen(UUID(bundle_id))


@dramatiq.actor(max_retries=3, queue_name="default")
async def allocation_round() -> None:
    from service.allocation.rounds import run_round

    await run_round()


@dramatiq.actor(max_retries=3, queue_name="default")
async def expire_offers() -> None:
    from service.offers.service import expire_due_offers

    await expire_due_offers()


@dramatiq.actor(max_retries=8, queue_name="default")
async def check_draft(draft_id: str) -> None:
    from service.drafts.checks import check_draft as check

    await check(UUID(draft_id))


@dramatiq.actor(max_retries=3, queue_name="default")
async def sla_monitor() -> None:
    from service.sla.monitor import run_monitor

    await run_monitor()


@dramatiq.actor(max_retries=3, queue_name="default")
async def sweep() -> None:
    """Re-derive what a lost message would have done: screen stuck bundles, expire offers, run a round; and watch
    the SLA clocks."""
    from service.intake.service import stuck_bundles

    for bundle_id in await stuck_bundles():
        screen_bundle.send(str(bundle_id))
    expire_offers.send()
    allocation_round.send()
    sla_monitor.send()
