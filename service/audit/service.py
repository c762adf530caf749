"""The audit log: every document access and privileged act, written by one function onto a hash chain.

Appends are serialised so the chain never forks: on PostgreSQL a transaction-scoped advisory lock is taken before
the chain's head is read, and held until the transaction ends (so an audited transaction also waits for the one
before it to commit); on SQLite every write transaction already holds the one connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from service import clock
from service.audit.chain import GENESIS, HASHED_FIELDS, Verdict, Walk, entry_hash
from service.auth.principal import Principal
from service.models import AuditEntry
from service.request_context import current_request_id

# pg_advisory_xact_lock's key for the audit chain's head (any constant no other lock uses)
CHAIN_LOCK = 0x61756469  # "audi"
ENTRY_FIELDS = ("id", *HASHED_FIELDS, "prev_hash", "hash")


async def audit(
    principal: Principal | None,
    action: str,
    *,
    object_type: str,
    object_id: UUID | str,
    bundle_id: UUID | None = None,
    data: dict[str, Any] | None = None,
    using: BaseDBAsyncClient | None = None,
) -> None:
    entry: dict[str, Any] = {
        "at": clock.now(),
        "actor_id": principal.user_id if principal else None,
        "organisation_id": principal.organisation_id if principal else None,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "bundle_id": bundle_id,
        "request_id": current_request_id(),
        "data": data or {},
    }
    if using is not None:
        await _append(entry, using)
        return
    async with in_transaction() as conn:
        await _append(entry, conn)


async def _append(entry: dict[str, Any], conn: BaseDBAsyncClient) -> None:
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [CHAIN_LOCK])
    head = await AuditEntry.all().using_db(conn).order_by("-id").limit(1).values_list("hash", flat=True)
    prev_hash = str(head[0]) if head and head[0] else GENESIS
    await AuditEntry.create(**entry, prev_hash=prev_hash, hash=entry_hash(entry, prev_hash), using_db=conn)


async def entries(*conditions: Q, after: int = 0, batch: int = 1000) -> AsyncIterator[dict[str, Any]]:
    """Entries in id order, as plain mappings, read in batches so a long log never sits in memory."""
    while True:
        rows = await (AuditEntry.filter(*conditions, id__gt=after).order_by("id").limit(batch)
                      .values(*ENTRY_FIELDS))
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        after = rows[-1]["id"]


async def verify_log() -> Verdict:
    """Verify the whole chain from the database, batch by batch (see service/audit/chain.py)."""
    walk = Walk()
    async for row in entries():
        if not walk.step(row):
            break
    return walk.verdict()


def la_entries(la_id: UUID) -> Q:
    """What an LA may export: entries about its own bundles, and its own users' acts."""
    from tortoise.expressions import Subquery

    from service.models import Bundle

    return Q(bundle_id__in=Subquery(Bundle.filter(la_id=la_id).values("id"))) | Q(organisation_id=la_id)


async def chain_head() -> tuple[int, str] | None:
    head = await AuditEntry.filter(hash__isnull=False).order_by("-id").first().values_list("id", "hash")
    return (int(head[0]), str(head[1])) if head else None
