"""The outbox: jobs are written in the same transaction as the state change that implies them."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from service.jobs import Job
from service.models import OutboxMessage


async def enqueue(job: Job, *, using: BaseDBAsyncClient | None = None, **payload: str | bool) -> OutboxMessage:
    """Record a job (ids only, never ORM objects) to be published after the transaction commits."""
    return await OutboxMessage.create(actor_name=Job(job).value, payload=payload, using_db=using)
