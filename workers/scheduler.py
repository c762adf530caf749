"""Periodic jobs: the outbox relay, the event dispatcher (webhooks, notifications), the sweep and the purge.

The sweep screens stuck bundles, expires offers and runs a round.

The same scheduler runs in-process (embedded) or as the `planwright scheduler` process (production).
"""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from service.settings import Settings


async def _relay() -> None:
    from service.outbox.relay import relay_all

    await relay_all()


async def _dispatch() -> None:
    from service.webhooks.dispatch import dispatch_all

    await dispatch_all()


def _sweep() -> None:
    from workers.actors import sweep

    sweep.send()


def _purge() -> None:
    from workers.actors import purge_retention

    purge_retention.send()


def build_scheduler(settings: Settings) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(_relay, "interval", seconds=settings.outbox_interval_seconds, id="outbox_relay",
                      max_instances=1, coalesce=True)
    scheduler.add_job(_dispatch, "interval", seconds=settings.outbox_interval_seconds, id="event_dispatch",
                      max_instances=1, coalesce=True)
    scheduler.add_job(_sweep, "interval", seconds=settings.allocation_interval_seconds, id="sweep",
                      max_instances=1, coalesce=True)
    scheduler.add_job(_purge, "interval", seconds=settings.retention_interval_seconds, id="retention_purge",
                      max_instances=1, coalesce=True)
    return scheduler
