"""One delivery attempt: claim the delivery, POST the signed body, log the attempt, schedule a retry or finish.

Retries are dramatiq messages sent with a delay (exponential backoff, settings WEBHOOK_BACKOFF_SECONDS doubling up
to WEBHOOK_MAX_BACKOFF_SECONDS) until WEBHOOK_MAX_ATTEMPTS; the dispatcher's redrive re-sends any that were lost.
A short lease on the row keeps two copies of one message from both POSTing.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from datetime import datetime, timedelta
from functools import cache
from uuid import UUID

import certifi
import dramatiq
import httpx
from dramatiq.brokers.stub import StubBroker
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from service import clock
from service.jobs import Job
from service.logging import get_logger
from service.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from service.runtime import current
from service.webhooks.notices import event_id_of
from service.webhooks.secrets import signing_key, unwrap
from service.webhooks.signing import sign, sign_standard
from service.webhooks.urls import UnsafeUrl, check_resolved, pinned

log = get_logger(__name__)
SIGNATURE_HEADER = "Planwright-Signature"
USER_AGENT = "Planwright-Webhooks/1"


def backoff_seconds(attempt: int, *, base: float, cap: float, jitter: float = 0.1) -> float:
    """The wait after failed attempt number `attempt` (1-based): base * 2^(attempt-1), capped, plus up to 10%."""
    delay = min(cap, base * 2 ** (attempt - 1))
    return float(delay * (1 + random.uniform(0, jitter)))


def live_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one while its overlap lasts."""
    secrets = [unwrap(endpoint.secret_wrapped)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_wrapped is not None and expires is not None and expires > now:
        secrets.append(unwrap(endpoint.previous_secret_wrapped))
    return secrets


def _send_later(delivery_id: UUID, delay_ms: int) -> None:
    actor = dramatiq.get_broker().get_actor(Job.DELIVER_WEBHOOK)
    actor.send_with_options(kwargs={"delivery_id": str(delivery_id)}, delay=delay_ms)


@cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every POST: building one per request costs tens of milliseconds."""
    return ssl.create_default_context(cafile=certifi.where())


async def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str | None]:
    headers = dict(headers)  # the caller's stay as they are
    extensions: dict[str, str] = {}
    try:
        if current().settings.environment == "production":
            url, headers["Host"], extensions["sni_hostname"] = pinned(url, await check_resolved(url))
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, verify=_tls()) as http:
            response = await http.post(url, content=body, headers=headers, extensions=extensions)
    except UnsafeUrl as exc:
        return None, f"refused: {exc}"
    except httpx.HTTPError as exc:
        return None, type(exc).__name__  # the class only: messages can carry the URL
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


async def deliver(delivery_id: UUID, *, manual: bool = False) -> DeliveryStatus | None:
    """Make one attempt if the delivery is due and free; returns its status after, or None if it was not ours."""
    settings = current().settings
    now = clock.now()
    lease = now + timedelta(seconds=settings.webhook_timeout_seconds + 30)
    claimed = await WebhookDelivery.filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now),
        id=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now + timedelta(seconds=1),
    ).update(leased_until=lease)
    if claimed != 1:
        return None
    delivery = await WebhookDelivery.filter(id=delivery_id).select_related("endpoint").get()
    endpoint = delivery.endpoint
    number = delivery.attempts + 1
    status_code: int | None = None
    error: str | None = "endpoint disabled"
    duration_ms = 0
    if endpoint.active:
        body = delivery.body.encode()
        secrets = live_secrets(endpoint, now)
        signed_at = int(clock.now().timestamp())
        event_id = event_id_of(delivery)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(secrets, signed_at, body),
            "Planwright-Event-Id": event_id,
            "Planwright-Event-Type": delivery.event_type,
            "Planwright-Delivery-Id": str(delivery.id),
            # the same proof in the Standard Webhooks form: the event id is the message id (the same on retries)
            "webhook-id": event_id,
            "webhook-timestamp": str(signed_at),
            "webhook-signature": sign_standard([signing_key(s) for s in secrets], event_id, signed_at, body),
        }
        started = time.perf_counter()
        status_code, error = await _post(endpoint.url, body, headers, settings.webhook_timeout_seconds)
        duration_ms = round((time.perf_counter() - started) * 1000)
    done = error is None
    exhausted = not done and (number >= delivery.attempt_limit or not endpoint.active)
    delay = 0.0
    async with in_transaction() as conn:
        await WebhookAttempt.create(delivery_id=delivery.id, number=number, status_code=status_code,
                                    duration_ms=duration_ms, error=error, manual=manual, using_db=conn)
        if done:
            status, next_at = DeliveryStatus.DELIVERED, None
        elif exhausted:
            status, next_at = DeliveryStatus.FAILED, None
        else:
            delay = backoff_seconds(number, base=settings.webhook_backoff_seconds,
                                    cap=settings.webhook_max_backoff_seconds)
            status, next_at = DeliveryStatus.PENDING, clock.now() + timedelta(seconds=delay)
        await WebhookDelivery.filter(id=delivery.id).using_db(conn).update(
            attempts=number, status=status, next_attempt_at=next_at, leased_until=None,
            delivered_at=clock.now() if done else None,
        )
    log.info("webhook.attempt", attempt=number, status_code=status_code, duration_ms=duration_ms,
             error=error, outcome=status.value)
    if status == DeliveryStatus.PENDING:
        if isinstance(dramatiq.get_broker(), StubBroker):
            _send_later(delivery.id, int(delay * 1000))
        else:
            await asyncio.to_thread(_send_later, delivery.id, int(delay * 1000))  # pika blocks: off the loop
    return status
