"""Webhook endpoints of an LA, each delivery of an event to one of them with its attempts, and notifications."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from service.models.bundles import Bundle, Event
from service.models.people import Organisation, User, Writer


class WebhookEndpoint(Model):
    """An LA's receiver. Secrets are stored wrapped by the master key, never in clear."""

    id = fields.UUIDField(primary_key=True)
    la: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="webhook_endpoints", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=2000)
    description = fields.CharField(max_length=200, default="")
    event_types: list[str] = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)
    secret_wrapped = fields.BinaryField()
    secret_prefix = fields.CharField(max_length=16)
    previous_secret_wrapped = fields.BinaryField(null=True)
    previous_secret_expires_at = fields.DatetimeField(null=True)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="webhook_endpoints", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "webhook_endpoint"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookDelivery(Model):
    """One event to one endpoint: the body is fixed at creation so every attempt sends the same bytes."""

    id = fields.UUIDField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    # the bundle's timeline event it announces; null for a security notice, which is about no one bundle
    event: fields.ForeignKeyNullableRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="webhook_deliveries", on_delete=fields.CASCADE, null=True
    )
    event_type = fields.CharField(max_length=64)
    body = fields.TextField()
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING, db_index=True)
    attempts = fields.IntField(default=0)
    # automatic attempts stop here (a manual redelivery raises it by one)
    attempt_limit = fields.IntField()
    next_attempt_at = fields.DatetimeField(null=True, db_index=True)
    # a worker holds the delivery until then while it POSTs, so two copies of a message do not both send
    leased_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        unique_together = (("event", "endpoint"),)


class WebhookAttempt(Model):
    """One POST of a delivery: the response code, how long it took, and the error class (never the secret)."""

    id = fields.BigIntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "models.WebhookDelivery", related_name="attempt_log", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    at = fields.DatetimeField(auto_now_add=True)
    status_code = fields.IntField(null=True)
    duration_ms = fields.IntField()
    error = fields.CharField(max_length=200, null=True)
    manual = fields.BooleanField(default=False)

    class Meta:
        table = "webhook_attempt"
        unique_together = (("delivery", "number"),)


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # no SMTP server configured, or the user has no email address


class Notification(Model):
    """A notice to one user, about a timeline event or about a writer: shown in the app, emailed when possible.

    A writer's notice (a DBS certificate running out) has no event nor bundle."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    event: fields.ForeignKeyNullableRelation[Event] = fields.ForeignKeyField(
        "models.Event", related_name="notifications", on_delete=fields.CASCADE, null=True
    )
    bundle: fields.ForeignKeyNullableRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", related_name="notifications", on_delete=fields.CASCADE, null=True
    )
    writer: fields.ForeignKeyNullableRelation[Writer] = fields.ForeignKeyField(
        "models.Writer", related_name="notifications", on_delete=fields.CASCADE, null=True
    )
    kind = fields.CharField(max_length=64)
    subject = fields.CharField(max_length=200)
    status = fields.CharEnumField(NotificationStatus, max_length=16, default=NotificationStatus.PENDING)
    attempts = fields.IntField(default=0)
    error = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        unique_together = (("event", "user", "kind"),)
