"""Money: the LA's contract prices and the ledger of billable and payout lines (integer pence, never edited)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from service.models.bundles import Bundle
from service.models.people import Organisation, Writer


class LaContract(Model):
    """What an LA pays its writing service, and what the service pays writers, per work type (pence)."""

    id = fields.UUIDField(primary_key=True)
    la: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="la_contracts", on_delete=fields.RESTRICT
    )
    provider: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="provider_contracts", on_delete=fields.RESTRICT
    )
    prices_pence: dict[str, int] = fields.JSONField(default=dict)
    payouts_pence: dict[str, int] = fields.JSONField(default=dict)
    vat_rate_percent = fields.IntField(default=20)
    # working days per tier {"standard": 10, "express": 5}, optionally per work type {"new_plan": {"standard": 20}}
    turnaround_days: dict[str, Any] = fields.JSONField(default=dict)
    # the contract's own closure days (ISO dates) on top of bank holidays: SLA clocks do not count them
    closure_days: list[str] = fields.JSONField(default=list)
    # effort hours per work type (base_hours, hours_per_10_pages, cap_hours); empty = the defaults
    effort_table: dict[str, dict[str, float]] = fields.JSONField(default=dict)
    # working days after delivery in which the LA may ask for amendments free of charge
    amendment_window_days = fields.IntField(default=10)
    # how long a writer has to answer an offer, in working hours
    offer_window_hours = fields.FloatField(default=8.0)
    starts_on = fields.DateField()
    created_at = fields.DatetimeField(auto_now_add=True)
    # finding kind -> "block" or "warn" where the LA differs from the defaults (service/intake/policy.py)
    screening_policy: dict[str, str] = fields.JSONField(default=dict)
    # days after a bundle closes before its documents and drafts are purged from storage
    retention_days = fields.IntField(default=90)

    class Meta:
        table = "la_contract"


class LineKind(StrEnum):
    INVOICE = "invoice"
    PAYOUT = "payout"


class BillableLine(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(LineKind, max_length=16)
    provider: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="provider_lines", on_delete=fields.RESTRICT
    )
    la: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="la_lines", on_delete=fields.RESTRICT
    )
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", related_name="lines", on_delete=fields.RESTRICT
    )
    writer: fields.ForeignKeyNullableRelation[Writer] = fields.ForeignKeyField(
        "models.Writer", related_name="lines", null=True, on_delete=fields.RESTRICT
    )
    month = fields.CharField(max_length=7, db_index=True)
    work_type = fields.CharField(max_length=32)
    description = fields.CharField(max_length=200)
    net_pence = fields.IntField()
    vat_pence = fields.IntField(default=0)
    # what caused the line: one line per (bundle, kind, cause), so replays never double it
    cause = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "billable_line"
        unique_together = (("bundle", "kind", "cause"),)
