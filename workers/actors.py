"""The jobs: thin, idempotent actors that reload by id and call a service.

Each is an async function, so tests await it directly (`await screen_bundle.fn(...)` runs it on the caller's loop
when no worker is involved: see `run_now`).
"""

from __future__ import annotations

from uuid import UUID

import dramatiq

from service.jobs import Job
from service.settings import get_settings
from workers.broker import setup_broker

setup_broker()
QUEUE = get_settings().queue_name


@dramatiq.actor(actor_name=Job.SCREEN_BUNDLE, max_retries=8, queue_name=QUEUE)
async def screen_bundle(bundle_id: str) -> None:
    from service.intake.screening_service import screen_bundle as screen

    await screen(UUID(bundle_id))


@dramatiq.actor(actor_name=Job.SCREEN_DOCUMENT, max_retries=8, queue_name=QUEUE)
async def screen_document(document_id: str) -> None:
    """A document the LA added with a query's answer: screened before any writer may open it."""
    from service.intake.screening_service import screen_added_document

    await screen_added_document(UUID(document_id))


@dramatiq.actor(actor_name=Job.ALLOCATION_ROUND, max_retries=3, queue_name=QUEUE)
async def allocation_round() -> None:
    """Requests coalesce: one that finds a round running waits for it, or leaves if another waits (not an error)."""
    from service.allocation.rounds import request_round

    await request_round()


@dramatiq.actor(actor_name=Job.EXPIRE_OFFERS, max_retries=3, queue_name=QUEUE)
async def expire_offers() -> None:
    from service.offers.service import expire_due_offers

    await expire_due_offers()


@dramatiq.actor(actor_name=Job.SLA_MONITOR, max_retries=3, queue_name=QUEUE)
async def sla_monitor() -> None:
    """Raise sla.at_risk and sla.breached, once per crossing."""
    from service.sla.monitor import run_monitor

    await run_monitor()


@dramatiq.actor(actor_name=Job.DBS_WARNINGS, max_retries=3, queue_name=QUEUE)
async def dbs_warnings() -> None:
    """Warn coordinators of writers' DBS certificates running out, once per writer per certificate."""
    from service.writers.dbs_warnings import warn_expiring_dbs

    await warn_expiring_dbs()


@dramatiq.actor(actor_name=Job.SWEEP, max_retries=3, queue_name=QUEUE)
async def sweep() -> None:
    """Re-derive what a lost message would have done: screen stuck bundles, expire offers, run a round; and the
    periodic passes (SLA alerts, DBS warnings)."""
    from service.intake.screening_service import stuck_bundles, unscreened_documents

    for bundle_id in await stuck_bundles():
        screen_bundle.send(str(bundle_id))
    for document_id in await unscreened_documents():
        screen_document.send(str(document_id))
    expire_offers.send()
    allocation_round.send()
    sla_monitor.send()
    dbs_warnings.send()


@dramatiq.actor(actor_name=Job.PURGE_RETENTION, max_retries=3, queue_name=QUEUE)
async def purge_retention() -> None:
    """Delete the stored documents and drafts of bundles closed longer than their contract keeps them."""
    from service.intake.retention import purge_expired

    await purge_expired()


@dramatiq.actor(actor_name=Job.DELIVER_WEBHOOK, max_retries=0, queue_name=QUEUE)
async def deliver_webhook(delivery_id: str, manual: bool = False) -> None:
    """One POST of a webhook delivery; the delivery schedules its own retries with backoff (see the service)."""
    from service.webhooks.delivery import deliver

    await deliver(UUID(delivery_id), manual=manual)


@dramatiq.actor(actor_name=Job.SEND_NOTIFICATION, max_retries=4, queue_name=QUEUE)
async def send_notification(notification_id: str) -> None:
    """Email one notification; an SMTP failure raises, and dramatiq's Retries middleware tries again."""
    from service.notifications.service import send

    await send(UUID(notification_id))


@dramatiq.actor(actor_name=Job.SEND_INVITATION, max_retries=4, queue_name=QUEUE)
async def send_invitation(invitation_id: str) -> None:
    """Email one invitation to sign in; an SMTP failure raises, and dramatiq's Retries middleware tries again."""
    from service.notifications.service import send_invitation as send

    await send(UUID(invitation_id))
