"""Case bundles, their documents, and the timeline of events."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from service.models.orders import PurchaseOrder
from service.models.people import Organisation, User, Writer


class BundleStatus(StrEnum):
    DRAFT = "draft"
    HELD = "held"  # submitted, but the LA's purchase orders have no room for it: released when a PO is added
    SUBMITTED = "submitted"
    SCREENING = "screening"
    REJECTED = "rejected"
    QUEUED = "queued"
    OFFERED = "offered"
    ALLOCATED = "allocated"
    DRAFTING = "drafting"
    AWAITING_LA = "awaiting_la"
    IN_QA = "in_qa"
    RETURNED = "returned"
    DELIVERED = "delivered"
    AMENDMENT_REQUESTED = "amendment_requested"
    ACCEPTED = "accepted"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class WorkType(StrEnum):
    NEW_PLAN = "new_plan"
    PHASE_TRANSFER = "phase_transfer"
    ANNUAL_REVIEW_AMENDMENT = "annual_review_amendment"
    REASSESSMENT = "reassessment"
    STATEMENT_TRANSFER = "statement_transfer"


class Tier(StrEnum):
    STANDARD = "standard"
    EXPRESS = "express"


class Bundle(Model):
    id = fields.UUIDField(primary_key=True)
    la: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="bundles", on_delete=fields.RESTRICT
    )
    provider: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="provided_bundles", on_delete=fields.RESTRICT
    )
    created_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="bundles_created", on_delete=fields.RESTRICT
    )
    reference = fields.CharField(max_length=64)
    work_type = fields.CharEnumField(WorkType, max_length=32)
    tier = fields.CharEnumField(Tier, max_length=16, default=Tier.STANDARD)
    requires: list[str] = fields.JSONField(default=list)
    statutory_due = fields.DateField(null=True)
    status = fields.CharEnumField(BundleStatus, max_length=32, default=BundleStatus.DRAFT, db_index=True)
    page_count = fields.IntField(default=0)
    effort_hours = fields.FloatField(null=True)
    writer: fields.ForeignKeyNullableRelation[Writer] = fields.ForeignKeyField(
        "models.Writer", related_name="bundles", null=True, on_delete=fields.RESTRICT
    )
    turnaround_due = fields.DateField(null=True)
    # the coordinator's pin: rounds offer this bundle to no one else
    pinned_writer: fields.ForeignKeyNullableRelation[Writer] = fields.ForeignKeyField(
        "models.Writer", related_name="pinned_bundles", null=True, on_delete=fields.RESTRICT
    )
    # the writer's front sheet in progress (queries, missing advice, notes for the LA), copied into each draft
    front_sheet: dict[str, Any] | None = fields.JSONField(null=True)
    # the LA's access to the returned draft: revoking bumps the version, which kills every outstanding link
    access_version = fields.IntField(default=1)
    access_revoked = fields.BooleanField(default=False)
    # writers who declined it, let it expire, or were taken off it: rounds do not offer it to them again
    excluded_writers: list[str] = fields.JSONField(default=list)
    # why the last round sent it where it went, or why it stays queued
    allocation_note: dict[str, Any] | None = fields.JSONField(null=True)
    rejection: dict[str, Any] | None = fields.JSONField(null=True)
    idempotency_key = fields.CharField(max_length=200, null=True)
    request_hash = fields.CharField(max_length=64, null=True)
    submitted_at = fields.DatetimeField(null=True)
    queued_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    # SLA clocks (service/sla): when the current pause awaiting the LA began, whether statutory_due was derived
    # (phase-transfer deadline) rather than given, and on first delivery the working days the clock ran and
    # whether that met turnaround_due, stored so reports aggregate columns
    paused_since = fields.DatetimeField(null=True)
    statutory_derived = fields.BooleanField(default=False)
    turnaround_working_days = fields.IntField(null=True)
    delivered_on_time = fields.BooleanField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # the purchase order the submission is committed against, the most it can cost (net pence), and why it is held
    purchase_order: fields.ForeignKeyNullableRelation[PurchaseOrder] = fields.ForeignKeyField(
        "models.PurchaseOrder", related_name="bundles", null=True, on_delete=fields.RESTRICT
    )
    po_committed_pence = fields.IntField(null=True)
    # the billing terms fixed when the bundle was committed (service/billing/terms.py: the rate card of the contract
    # in force then, as JSON): every later line of the bundle is priced and paid by these, whatever the card says now
    rate_terms: dict[str, Any] | None = fields.JSONField(null=True)
    hold_reason = fields.CharField(max_length=300, null=True)
    # the LA's salted hashes of its real identifiers (CLI-CONTRACTS.md deny-list JSON), never plain values
    deny_list: dict[str, Any] | None = fields.JSONField(null=True)

    class Meta:
        table = "bundle"
        unique_together = (("la", "idempotency_key"),)
        # (provider_id, queued_at): the capacity forecast's arrivals in history and the first arrival
        indexes = (("provider_id", "delivered_at"), ("provider_id", "status", "turnaround_due"),
                   ("provider_id", "queued_at"))


class Document(Model):
    """An advice report in a bundle: the bytes live encrypted in storage under a server-made key."""

    id = fields.UUIDField(primary_key=True)
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", related_name="documents", on_delete=fields.CASCADE
    )
    filename = fields.CharField(max_length=255)
    kind = fields.CharField(max_length=8)
    media_type = fields.CharField(max_length=100)
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    storage_key = fields.CharField(max_length=200)
    pages = fields.IntField(null=True)
    uploaded_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="documents_uploaded", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    deleted_at = fields.DatetimeField(null=True)
    # the screening job's findings (masked excerpts only, each with the contract's action for its kind)
    findings: list[dict[str, Any]] | None = fields.JSONField(null=True)
    # the copy writers receive, stripped of metadata once screening passes
    clean_key = fields.CharField(max_length=200, null=True)
    clean_sha256 = fields.CharField(max_length=64, null=True)
    clean_size = fields.BigIntField(null=True)

    class Meta:
        table = "document"


class Event(Model):
    """One entry on a bundle's timeline: every status change and every notable act."""

    id = fields.BigIntField(primary_key=True)
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", related_name="events", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=64)
    from_status = fields.CharField(max_length=32, null=True)
    to_status = fields.CharField(max_length=32, null=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="events", null=True, on_delete=fields.RESTRICT
    )
    data: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    # set once the webhook and notification dispatcher has fanned the event out (null = still to do)
    dispatched_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "event"
