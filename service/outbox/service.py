"""The outbox: jobs are written in the same transaction as the state change that implies them."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from service.models import OutboxMessage


async def enqueue(actor_name: str, *, using: BaseDBAsyncClient | None = None, **payload: Any) -> OutboxMessage:
    """Record a job (ids only, never ORM objects) to be published after the transaction commits."""
    return await OutboxMessage.create(actor_name=actor_name, payload=payload, using_db=using)
