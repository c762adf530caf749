"""The allocation round as it stands: each queued bundle is offered to an eligible writer with a free slot.

A placeholder for the allocation engine (ALLOCATION.md), which replaces `choose` with the optimising engine.
Only one round runs at a time: a PostgreSQL advisory lock across processes, a process lock on SQLite.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from service.bundles.transitions import move
from service.logging import get_logger
from service.models import Bundle, BundleStatus, Offer, OfferStatus, WriterContract
from service.runtime import current

log = get_logger(__name__)

HOLDING = (BundleStatus.ALLOCATED, BundleStatus.DRAFTING, BundleStatus.AWAITING_LA, BundleStatus.IN_QA,
           BundleStatus.RETURNED, BundleStatus.AMENDMENT_REQUESTED)
ROUND_LOCK_KEY = 0x504C_414E_5752  # "PLANWR"
_process_lock = asyncio.Lock()


@dataclass
class WriterSlot:
    writer_id: UUID
    skills: frozenset[str]
    excluded_las: frozenset[str]
    dbs_expires: date
    max_concurrent: int
    held: int


def eligible(writer: WriterSlot, bundle: Bundle, *, excluded: frozenset[UUID], today: date) -> bool:
    needs = {bundle.work_type.value, *bundle.requires}
    due = bundle.turnaround_due or today
    return (
        needs <= writer.skills
        and str(bundle.la_id) not in writer.excluded_las  # type: ignore[attr-defined]
        and writer.dbs_expires >= due
        and writer.writer_id not in excluded
    )


def choose(bundle: Bundle, writers: list[WriterSlot], *, excluded: frozenset[UUID], today: date) -> WriterSlot | None:
    free = [w for w in writers if w.held < w.max_concurrent and eligible(w, bundle, excluded=excluded, today=today)]
    return min(free, key=lambda w: (w.held, str(w.writer_id)), default=None)


async def _writer_slots(provider_id: UUID, today: date, conn: BaseDBAsyncClient) -> list[WriterSlot]:
    contracts = await WriterContract.filter(
        writer__provider_id=provider_id, starts_on__lte=today
    ).using_db(conn).order_by("writer_id", "-starts_on")
    slots: dict[UUID, WriterSlot] = {}
    for c in contracts:
        if c.writer_id in slots or (c.ends_on is not None and c.ends_on < today):  # type: ignore[attr-defined]
            continue
        held = await Bundle.filter(writer_id=c.writer_id, status__in=HOLDING).using_db(conn).count()  # type: ignore[attr-defined]
        held += await Offer.filter(writer_id=c.writer_id, status=OfferStatus.PENDING).using_db(conn).count()  # type: ignore[attr-defined]
        slots[c.writer_id] = WriterSlot(  # type: ignore[attr-defined]
            writer_id=c.writer_id, skills=frozenset(c.skills), excluded_las=frozenset(c.excluded_las),  # type: ignore[attr-defined]
            dbs_expires=c.dbs_expires, max_concurrent=c.max_concurrent, held=held,
        )
    return list(slots.values())


async def run_round() -> int:
    """Offer every queued bundle that has an eligible writer with a free slot; returns the offers made."""
    if current().settings.is_postgres:
        return await _locked_round_postgres()
    async with _process_lock, in_transaction() as conn:
        return await _round(conn)


async def _locked_round_postgres() -> int:
    async with in_transaction() as conn:
        _, rows = await conn.execute_query("SELECT pg_try_advisory_xact_lock($1) AS got", [ROUND_LOCK_KEY])
        if not rows or not rows[0]["got"]:
            log.info("allocation.round_skipped", reason="another round is running")
            return 0
        return await _round(conn)


async def _round(conn: BaseDBAsyncClient) -> int:
    now = datetime.now(UTC)
    today = now.date()
    window = timedelta(hours=current().settings.offer_window_hours)
    queued = await Bundle.filter(status=BundleStatus.QUEUED).using_db(conn).order_by(
        "turnaround_due", "queued_at", "id"
    )
    writers_by_provider: dict[UUID, list[WriterSlot]] = {}
    made = 0
    for bundle in queued:
        provider_id = bundle.provider_id  # type: ignore[attr-defined]
        if provider_id not in writers_by_provider:
            writers_by_provider[provider_id] = await _writer_slots(provider_id, today, conn)
        refused = await Offer.filter(
            bundle_id=bundle.id, status__in=(OfferStatus.DECLINED, OfferStatus.EXPIRED)
        ).using_db(conn).values_list("writer_id", flat=True)
        writer = choose(bundle, writers_by_provider[provider_id], excluded=frozenset(refused), today=today)  # type: ignore[arg-type]
        if writer is None:
            continue
        offer = await Offer.create(bundle_id=bundle.id, writer_id=writer.writer_id, expires_at=now + window,
                                   reason="eligible, with the fewest bundles held", using_db=conn)
        await move(bundle.id, BundleStatus.OFFERED, conn=conn, expect=BundleStatus.QUEUED, event="offer.made",
                   data={"offer_id": str(offer.id), "writer_id": str(writer.writer_id)})
        writer.held += 1
        made += 1
    if made:
        log.info("allocation.round", offers=made, queued=len(queued))
    return made
