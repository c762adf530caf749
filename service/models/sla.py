"""SLA alerts raised by the monitor: one row per (bundle, kind, due date), so a crossing raises one event."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from service.models.bundles import Bundle


class SlaAlert(Model):
    """An at-risk or breached crossing already announced on the bundle's timeline."""

    id = fields.BigIntField(primary_key=True)
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", related_name="sla_alerts", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)
    due = fields.DateField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sla_alert"
        unique_together = (("bundle", "kind", "due"),)
