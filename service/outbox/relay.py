"""The outbox relay: publishes committed jobs to the broker, at least once, then marks them published.

Any number of relays may run: on PostgreSQL each claims rows with SKIP LOCKED; on SQLite one process runs one.
"""

from __future__ import annotations

import asyncio

import dramatiq
from dramatiq.brokers.stub import StubBroker
from tortoise.transactions import in_transaction

from service import clock
from service.logging import get_logger
from service.models import OutboxMessage
from service.runtime import current

log = get_logger(__name__)
BATCH = 100
_local = asyncio.Lock()


def _send(actor_name: str, payload: dict[str, object]) -> None:
    dramatiq.get_broker().get_actor(actor_name).send_with_options(kwargs=payload)


async def relay_once() -> int:
    """Publish one batch of pending messages; returns how many were published."""
    async with _local, in_transaction() as conn:
        query = OutboxMessage.filter(published_at__isnull=True).order_by("id").limit(BATCH).using_db(conn)
        if current().settings.is_postgres:
            query = query.select_for_update(skip_locked=True)
        rows = await query
        if not rows:
            return 0
        in_memory = isinstance(dramatiq.get_broker(), StubBroker)
        for row in rows:
            if in_memory:
                _send(row.actor_name, row.payload)
            else:
                await asyncio.to_thread(_send, row.actor_name, row.payload)  # pika blocks: keep it off the loop
        await OutboxMessage.filter(id__in=[r.id for r in rows]).using_db(conn).update(published_at=clock.now())
    log.info("outbox.relayed", messages=len(rows))
    return len(rows)


async def relay_all() -> int:
    total = 0
    while (sent := await relay_once()) > 0:
        total += sent
    return total
