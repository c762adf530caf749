"""The endpoint registry of an LA (create, list, update, delete, rotate the secret) and its delivery log.

Every query goes through `endpoints(principal)`: another LA's endpoint is simply not there (404).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from contracts.webhooks import (
    AttemptOut,
    DeliveryOut,
    EndpointCreate,
    EndpointCreated,
    EndpointOut,
    EndpointUpdate,
    SecretRotated,
)
from service import clock
from service.audit.service import audit
from service.auth.principal import Principal
from service.errors import Conflict, InvalidInput, NotFound
from service.jobs import Job
from service.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from service.outbox.service import enqueue
from service.runtime import current
from service.webhooks.notices import event_id_of
from service.webhooks.secrets import new_secret
from service.webhooks.urls import UnsafeUrl, check_url


def endpoints(principal: Principal) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.filter(la_id=principal.organisation_id)


async def get_endpoint(principal: Principal, endpoint_id: UUID) -> WebhookEndpoint:
    endpoint = await endpoints(principal).filter(id=endpoint_id).first()
    if endpoint is None:
        raise NotFound("no such endpoint")
    return endpoint


def _url(url: str) -> str:
    try:
        return check_url(url, current().settings.environment)
    except UnsafeUrl as exc:
        raise InvalidInput(f"body.{exc}", errors=[{"field": "body.url", "message": str(exc).removeprefix("url: "),
                                                   "type": "unsafe_url"}]) from None


def out(endpoint: WebhookEndpoint) -> EndpointOut:
    return EndpointOut(
        id=endpoint.id, url=endpoint.url, description=endpoint.description,
        event_types=endpoint.event_types,  # type: ignore[arg-type]
        active=endpoint.active, secret_prefix=endpoint.secret_prefix,
        previous_secret_expires_at=endpoint.previous_secret_expires_at,
        created_at=endpoint.created_at, updated_at=endpoint.updated_at,
    )


def _types_for(principal: Principal, event_types: list[str]) -> list[str]:
    """A provider's endpoints hear security notices only: bundle events are the LA's to receive."""
    if not principal.is_la:
        foreign = sorted(t for t in event_types if not t.startswith("security."))
        if foreign:
            raise InvalidInput(f"body.event_types: a provider's endpoint receives security.* notices only, not "
                               f"{', '.join(foreign)}", errors=[{"field": "body.event_types", "type": "provider_topic",
                                                               "message": "security.* only"}])
    return sorted(set(event_types))


async def create(principal: Principal, body: EndpointCreate) -> EndpointCreated:
    event_types = _types_for(principal, list(body.event_types))
    secret, wrapped, prefix = new_secret()
    endpoint = await WebhookEndpoint.create(
        la_id=principal.organisation_id, url=_url(body.url), description=body.description,
        event_types=event_types, secret_wrapped=wrapped, secret_prefix=prefix,
        created_by_id=principal.user_id,
    )
    await audit(principal, "webhook_endpoint.created", object_type="webhook_endpoint", object_id=endpoint.id)
    return EndpointCreated(**out(endpoint).model_dump(), secret=secret)


async def update(principal: Principal, endpoint_id: UUID, body: EndpointUpdate) -> EndpointOut:
    endpoint = await get_endpoint(principal, endpoint_id)
    changes: dict[str, Any] = {}
    if body.url is not None:
        changes["url"] = _url(body.url)
    if body.description is not None:
        changes["description"] = body.description
    if body.event_types is not None:
        changes["event_types"] = _types_for(principal, list(body.event_types))
    if body.active is not None:
        changes["active"] = body.active
    if changes:
        endpoint.update_from_dict(changes)
        await endpoint.save()
        await audit(principal, "webhook_endpoint.updated", object_type="webhook_endpoint", object_id=endpoint.id,
                    data={"fields": sorted(changes)})
    return out(endpoint)


async def delete(principal: Principal, endpoint_id: UUID) -> None:
    endpoint = await get_endpoint(principal, endpoint_id)
    await endpoint.delete()
    await audit(principal, "webhook_endpoint.deleted", object_type="webhook_endpoint", object_id=endpoint_id)


async def rotate(principal: Principal, endpoint_id: UUID, *, overlap_hours: float,
                 now: datetime | None = None) -> SecretRotated:
    """A new secret signs from now on; the current one also signs for `overlap_hours` (0: retired at once)."""
    endpoint = await get_endpoint(principal, endpoint_id)
    now = now or clock.now()
    secret, wrapped, prefix = new_secret()
    expires = now + timedelta(hours=overlap_hours) if overlap_hours > 0 else None
    endpoint.previous_secret_wrapped = endpoint.secret_wrapped if expires else None
    endpoint.previous_secret_expires_at = expires
    endpoint.secret_wrapped = wrapped
    endpoint.secret_prefix = prefix
    await endpoint.save()
    await audit(principal, "webhook_endpoint.secret_rotated", object_type="webhook_endpoint", object_id=endpoint.id,
                data={"overlap_hours": overlap_hours})
    return SecretRotated(secret=secret, secret_prefix=prefix, previous_secret_expires_at=expires)


async def deliveries(principal: Principal, endpoint_id: UUID, *, status: str | None,
                     limit: int) -> list[DeliveryOut]:
    endpoint = await get_endpoint(principal, endpoint_id)
    query = WebhookDelivery.filter(endpoint_id=endpoint.id)
    if status is not None:
        query = query.filter(status=status)
    rows = await query.order_by("-created_at", "-id").limit(limit).prefetch_related("attempt_log")
    return [delivery_out(row) for row in rows]


def delivery_out(row: WebhookDelivery) -> DeliveryOut:
    attempts = sorted(row.attempt_log, key=lambda a: a.number)  # type: ignore[attr-defined]
    return DeliveryOut(
        id=row.id, event_id=event_id_of(row), event_type=row.event_type,  # type: ignore[arg-type]
        status=row.status.value, next_attempt_at=row.next_attempt_at,
        created_at=row.created_at, delivered_at=row.delivered_at,
        attempts=[AttemptOut(number=a.number, at=a.at, status_code=a.status_code, duration_ms=a.duration_ms,
                             error=a.error, manual=a.manual) for a in attempts],
    )


async def redeliver(principal: Principal, endpoint_id: UUID, delivery_id: UUID) -> DeliveryOut:
    """Send a delivered or failed delivery once more (one attempt, the same event id and body)."""
    endpoint = await get_endpoint(principal, endpoint_id)
    row = await WebhookDelivery.filter(id=delivery_id, endpoint_id=endpoint.id).first()
    if row is None:
        raise NotFound("no such delivery")
    now = clock.now()
    async with in_transaction() as conn:
        won = await WebhookDelivery.filter(
            id=row.id, status__in=[DeliveryStatus.DELIVERED, DeliveryStatus.FAILED], attempts=row.attempts
        ).using_db(conn).update(status=DeliveryStatus.PENDING, attempt_limit=row.attempts + 1, next_attempt_at=now)
        if won != 1:
            raise Conflict("the delivery is already scheduled", current_status=DeliveryStatus.PENDING.value)
        await enqueue(Job.DELIVER_WEBHOOK, using=conn, delivery_id=str(row.id), manual=True)
        await audit(principal, "webhook_delivery.redelivered", object_type="webhook_delivery", object_id=row.id,
                    using=conn)
    fresh = await WebhookDelivery.filter(id=row.id).prefetch_related("attempt_log").get()
    return delivery_out(fresh)
