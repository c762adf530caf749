"""The dispatcher: fans each new timeline event out to webhook deliveries and notifications, exactly once.

Each event row carries `dispatched_at`; the dispatcher claims undispatched events (SKIP LOCKED on PostgreSQL, so
any number of dispatchers may run), writes one delivery per subscribed endpoint and one notification per
recipient (unique constraints back this up) with their jobs in the outbox, and marks the events dispatched, all in
one transaction. A per-event mark rather than a cursor: event ids commit out of order under concurrency, and a
cursor would skip an event committed late with a lower id.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from contracts.webhooks import BundleRef, EventData, WebhookPayload
from service import clock
from service.jobs import Job
from service.logging import get_logger
from service.models import Bundle, DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint
from service.notifications.service import fan_out as notify
from service.outbox.service import enqueue
from service.runtime import current
from service.webhooks.topics import classify

log = get_logger(__name__)
BATCH = 200
_local = asyncio.Lock()


def payload(event: Event, bundle: Bundle, event_type: str) -> WebhookPayload:
    return WebhookPayload(
        id=f"evt_{event.id}", type=event_type, occurred_at=event.created_at,  # type: ignore[arg-type]
        data=EventData(bundle=BundleRef(id=bundle.id, reference=bundle.reference,
                                        status=event.to_status or bundle.status.value)),
    )


async def _deliveries(event: Event, bundle: Bundle, event_type: str, conn: BaseDBAsyncClient) -> int:
    created = 0
    body = payload(event, bundle, event_type).model_dump_json()
    limit = current().settings.webhook_max_attempts
    for endpoint in await WebhookEndpoint.filter(la_id=bundle.la_id, active=True).using_db(conn):  # type: ignore[attr-defined]
        if event_type not in endpoint.event_types:
            continue
        delivery = await WebhookDelivery.create(
            endpoint_id=endpoint.id, event_id=event.id, event_type=event_type, body=body,
            attempt_limit=limit, next_attempt_at=clock.now(), using_db=conn,
        )
        await enqueue(Job.DELIVER_WEBHOOK, using=conn, delivery_id=str(delivery.id))
        created += 1
    return created


async def dispatch_once(batch: int = BATCH) -> int:
    """Fan out one batch of undispatched events; returns how many events were handled."""
    if current().settings.is_postgres:
        return await _dispatch_batch(batch, skip_locked=True)
    async with _local:  # SQLite has no row locks: one dispatcher at a time in this (the only) process
        return await _dispatch_batch(batch, skip_locked=False)


async def _dispatch_batch(batch: int, *, skip_locked: bool) -> int:
    async with in_transaction() as conn:
        query = Event.filter(dispatched_at__isnull=True).order_by("id").limit(batch).using_db(conn)
        if skip_locked:
            query = query.select_for_update(skip_locked=True)
        events = await query
        if not events:
            return 0
        bundle_ids = {e.bundle_id for e in events}  # type: ignore[attr-defined]
        bundles: dict[UUID, Bundle] = {b.id: b for b in await Bundle.filter(id__in=bundle_ids).using_db(conn)}
        deliveries = notices = 0
        for event in events:
            rules = classify(event.name, event.from_status, event.to_status)
            if not rules:
                continue
            bundle = bundles[event.bundle_id]  # type: ignore[attr-defined]
            for rule in rules:
                if rule.webhook:
                    deliveries += await _deliveries(event, bundle, rule.topic, conn)
                if rule.audience is not None:
                    notices += await notify(event, bundle, rule, conn)
        await Event.filter(id__in=[e.id for e in events]).using_db(conn).update(dispatched_at=clock.now())
    log.info("events.dispatched", events=len(events), deliveries=deliveries, notifications=notices)
    return len(events)


async def redrive(now: datetime | None = None, *, grace_seconds: float = 120.0) -> int:
    """Re-send deliveries whose message was lost (pending, overdue by `grace_seconds`, not held by a worker)."""
    now = now or clock.now()
    overdue = now - timedelta(seconds=grace_seconds)
    async with in_transaction() as conn:
        query = WebhookDelivery.filter(
            Q(leased_until__isnull=True) | Q(leased_until__lt=now),
            status=DeliveryStatus.PENDING, next_attempt_at__lt=overdue,
        ).limit(BATCH).using_db(conn)
        if current().settings.is_postgres:
            query = query.select_for_update(skip_locked=True)
        stuck = await query
        for row in stuck:
            await enqueue(Job.DELIVER_WEBHOOK, using=conn, delivery_id=str(row.id))
        if stuck:
            await WebhookDelivery.filter(id__in=[r.id for r in stuck]).using_db(conn).update(next_attempt_at=now)
    return len(stuck)


async def dispatch_all() -> int:
    """Every undispatched event, then a redrive of lost deliveries: the scheduler runs this periodically."""
    total = 0
    while (handled := await dispatch_once()) > 0:
        total += handled
    await redrive()
    return total
