"""Security notices: webhooks about an account or a caller rather than a bundle (a provider's break-glass access to
an LA's account, a caller probing other tenants' ids), to the security endpoints of the organisations concerned.

A notice is delivered like a bundle event (signed, retried, in the endpoint's log) but has no timeline event: its
id is its own (`sec_...`), carried in the body and the `Planwright-Event-Id` header.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from contracts.webhooks import SecurityNotice, SecurityNoticeData
from service import clock
from service.jobs import Job
from service.models import WebhookDelivery, WebhookEndpoint
from service.outbox.service import enqueue
from service.runtime import current


def event_id_of(delivery: WebhookDelivery) -> str:
    """What a receiver deduplicates on: the timeline event's id, or a security notice's own id (in its body)."""
    if delivery.event_id is not None:  # type: ignore[attr-defined]
        return f"evt_{delivery.event_id}"  # type: ignore[attr-defined]
    return str(json.loads(delivery.body)["id"])


async def announce(organisations: Iterable[tuple[UUID, SecurityNoticeData]], event_type: str, *,
                   conn: BaseDBAsyncClient) -> int:
    """One notice to every active endpoint of each organisation subscribed to `event_type`, each organisation with
    the data as it may read it; in the caller's transaction. Returns the deliveries written."""
    limit = current().settings.webhook_max_attempts
    notice_id = f"sec_{uuid.uuid4().hex}"
    written = 0
    for organisation_id, data in organisations:
        body = SecurityNotice(id=notice_id, type=event_type, occurred_at=clock.now(),  # type: ignore[arg-type]
                              data=data).model_dump_json()
        for endpoint in await WebhookEndpoint.filter(la_id=organisation_id, active=True).using_db(conn):
            if event_type not in endpoint.event_types:
                continue
            delivery = await WebhookDelivery.create(endpoint_id=endpoint.id, event_id=None, event_type=event_type,
                                                    body=body, attempt_limit=limit, next_attempt_at=clock.now(),
                                                    using_db=conn)
            await enqueue(Job.DELIVER_WEBHOOK, using=conn, delivery_id=str(delivery.id))
            written += 1
    return written
