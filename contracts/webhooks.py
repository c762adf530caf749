"""Webhook bodies: endpoint registration, the delivery log, and the event payload a receiver gets.

A payload carries ids, the event type, when it happened, and the bundle's reference and status: never document
text, file names or any identifier of the child. Imports nothing from service/ or workers/.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

WebhookEventType = Literal[
    "bundle.held", "purchase_order.warning",
    "bundle.queued", "bundle.rejected", "bundle.allocated", "query.raised", "bundle.delivered",
    "amendment.requested", "sla.at_risk", "sla.breached",
]
# security notices: about an LA's account or about a caller, never about one bundle (contracts/webhooks.md)
SecurityEventType = Literal["security.break_glass", "security.probing"]
SubscribedType = WebhookEventType | SecurityEventType
DeliveryStatus = Literal["pending", "delivered", "failed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EndpointCreate(Strict):
    url: str = Field(min_length=8, max_length=2000)
    description: str = Field(default="", max_length=200)
    event_types: list[SubscribedType] = Field(min_length=1)


class EndpointUpdate(Strict):
    url: str | None = Field(default=None, min_length=8, max_length=2000)
    description: str | None = Field(default=None, max_length=200)
    event_types: list[SubscribedType] | None = Field(default=None, min_length=1)
    active: bool | None = None


class EndpointOut(Strict):
    id: UUID
    url: str
    description: str
    event_types: list[SubscribedType]
    active: bool
    # the first characters of the current secret, so an admin can tell which one a receiver holds
    secret_prefix: str
    # while set and in the future, deliveries are also signed with the previous secret
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="the signing secret: shown once, never again")


class EndpointList(Strict):
    items: list[EndpointOut]


class SecretRotate(Strict):
    overlap_hours: float = Field(default=24.0, ge=0, le=7 * 24,
                                 description="how long the previous secret still signs deliveries")


class SecretRotated(Strict):
    secret: str = Field(description="the new signing secret: shown once, never again")
    secret_prefix: str
    previous_secret_expires_at: datetime | None


class AttemptOut(Strict):
    number: int
    at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None
    manual: bool


class DeliveryOut(Strict):
    id: UUID
    event_id: str
    event_type: SubscribedType
    status: DeliveryStatus
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None


class DeliveryList(Strict):
    items: list[DeliveryOut]


class DeliveryListQuery(Strict):
    status: DeliveryStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)


class BundleRef(Strict):
    id: UUID
    reference: str
    status: str


class EventData(Strict):
    bundle: BundleRef


class WebhookPayload(Strict):
    """The JSON body POSTed to an endpoint (also in `Planwright-Event-Id` / `Planwright-Event-Type` headers)."""

    id: str = Field(description="the event id, the same on every retry and redelivery: deduplicate on it")
    type: WebhookEventType
    occurred_at: datetime
    data: EventData


class SecurityNoticeData(Strict):
    """Who acted (a provider person as the receiving LA's pseudonym for them, or by id to their own
    organisation), on what, why and until when. Never a token, never a name."""

    actor: str
    actor_organisation_id: UUID
    action: str
    la_id: UUID | None = None
    user_id: UUID | None = None
    token_id: UUID | None = None
    token_expires_at: datetime | None = None
    reason: str | None = None
    # security.probing: how many ids of other tenants the caller asked for within the window, and its length
    cross_tenant_404s: int | None = None
    window_seconds: int | None = None


class SecurityNotice(Strict):
    """The body of a `security.*` delivery (signed and retried like every other)."""

    id: str = Field(description="the notice id, the same on every retry and redelivery: deduplicate on it")
    type: SecurityEventType
    occurred_at: datetime
    data: SecurityNoticeData


NotificationKind = Literal[
    "offer.made", "draft.returned", "amendment.requested", "draft.awaiting_review", "bundle.unassigned",
    "sla.at_risk", "sla.breached", "writer.dbs_expiring",
]


class NotificationOut(Strict):
    id: UUID
    kind: NotificationKind
    bundle_id: UUID | None = Field(None, description="the bundle it is about (none for a notice about a writer)")
    writer_id: UUID | None = Field(None, description="the writer it is about (a coordinator's notice)")
    subject: str
    status: Literal["pending", "sent", "failed", "skipped"]
    created_at: datetime


class NotificationList(Strict):
    items: list[NotificationOut]
