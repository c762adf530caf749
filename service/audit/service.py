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
from service.auth.pseudonyms import pseudonym
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
    la_id: UUID | None = None,
    using: BaseDBAsyncClient | None = None,
) -> None:
    """Append one entry to the instance's chain and, when it concerns an LA, to that LA's own chain: the LA named
    by `la_id`, else the LA of `bundle_id`, else the caller's own LA."""
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
        await _append(entry, principal, la_id, using)
        return
    async with in_transaction() as conn:
        await _append(entry, principal, la_id, conn)


async def _la_of(entry: dict[str, Any], principal: Principal | None, la_id: UUID | None,
                 conn: BaseDBAsyncClient) -> UUID | None:
    if la_id is not None:
        return la_id
    if entry["bundle_id"] is not None:
        from service.models import Bundle

        found = await Bundle.filter(id=entry["bundle_id"]).using_db(conn).values_list("la_id", flat=True)
        if found:
            return UUID(str(found[0]))
    return principal.organisation_id if principal is not None and principal.is_la else None


def la_view(entry: dict[str, Any], la_actor: str | None) -> dict[str, Any]:
    """The entry as its LA reads it (and as the LA's chain hashes it): a provider person as their pseudonym."""
    return {**entry, "actor_id": la_actor} if la_actor is not None else entry


async def _append(entry: dict[str, Any], principal: Principal | None, la_id: UUID | None,
                  conn: BaseDBAsyncClient) -> None:
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [CHAIN_LOCK])
    head = await AuditEntry.all().using_db(conn).order_by("-id").limit(1).values_list("hash", flat=True)
    prev_hash = str(head[0]) if head and head[0] else GENESIS
    tenant: dict[str, Any] = {}
    la = await _la_of(entry, principal, la_id, conn)
    if la is not None:
        # the LA's own chain, serialised by the same lock as the instance's
        # a writer by their writer id, as the LA's answers name them, so one writer is one pseudonym everywhere
        la_actor = (pseudonym(la, principal.writer_id or principal.user_id, principal.role)
                    if principal is not None and principal.organisation_id != la else None)
        la_head = await (AuditEntry.filter(la_id=la, la_hash__isnull=False).using_db(conn).order_by("-id")
                         .limit(1).values_list("la_hash", flat=True))
        la_prev = str(la_head[0]) if la_head else GENESIS
        tenant = {"la_id": la, "la_actor": la_actor, "la_prev_hash": la_prev,
                  "la_hash": entry_hash(la_view(entry, la_actor), la_prev)}
    await AuditEntry.create(**entry, prev_hash=prev_hash, hash=entry_hash(entry, prev_hash), **tenant, using_db=conn)


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


LA_ENTRY_FIELDS = ("id", *HASHED_FIELDS, "la_actor", "la_prev_hash", "la_hash")


async def la_entries(la_id: UUID, *, after: int = 0, until: int | None = None) -> AsyncIterator[dict[str, Any]]:
    """The LA's own chain, as the LA reads it: entries about its bundles, its users' acts and what was done to its
    account, each with the LA chain's `prev_hash` and `hash` (the instance chain's stay with the operator)."""
    conditions = [Q(la_id=la_id)] + ([Q(id__lte=until)] if until is not None else [])
    while True:
        rows = await (AuditEntry.filter(*conditions, id__gt=after).order_by("id").limit(1000)
                      .values(*LA_ENTRY_FIELDS))
        for row in rows:
            view = la_view({name: row[name] for name in ("id", *HASHED_FIELDS)}, row["la_actor"])
            yield {**view, "prev_hash": row["la_prev_hash"], "hash": row["la_hash"]}
        if len(rows) < 1000:
            return
        after = rows[-1]["id"]


async def chain_head(la_id: UUID | None = None) -> tuple[int, str] | None:
    """The instance chain's head, or with `la_id` that LA's own chain's head: (entry id, hash)."""
    if la_id is None:
        head = await AuditEntry.filter(hash__isnull=False).order_by("-id").first().values_list("id", "hash")
    else:
        head = await (AuditEntry.filter(la_id=la_id, la_hash__isnull=False).order_by("-id").first()
                      .values_list("id", "la_hash"))
    return (int(head[0]), str(head[1])) if head else None
