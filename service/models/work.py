"""The writing work on a bundle: offers to writers, drafts, and QA reviews."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from service.models.bundles import Bundle
from service.models.people import ApiToken, User, Writer


class OfferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class Offer(Model):
    id = fields.UUIDField(primary_key=True)
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", related_name="offers", on_delete=fields.CASCADE
    )
    writer: fields.ForeignKeyRelation[Writer] = fields.ForeignKeyField(
        "models.Writer", related_name="offers", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(OfferStatus, max_length=16, default=OfferStatus.PENDING, db_index=True)
    reason = fields.CharField(max_length=300, default="")
    expires_at = fields.DatetimeField()
    responded_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "offer"


class DraftStatus(StrEnum):
    IN_QA = "in_qa"
    PASSED = "passed"
    RETURNED = "returned"


class Draft(Model):
    id = fields.UUIDField(primary_key=True)
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", related_name="drafts", on_delete=fields.CASCADE
    )
    writer: fields.ForeignKeyRelation[Writer] = fields.ForeignKeyField(
        "models.Writer", related_name="drafts", on_delete=fields.RESTRICT
    )
    cycle = fields.IntField()
    status = fields.CharEnumField(DraftStatus, max_length=16, default=DraftStatus.IN_QA)
    filename = fields.CharField(max_length=255)
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    storage_key = fields.CharField(max_length=200)
    front_sheet: dict[str, Any] | None = fields.JSONField(null=True)
    qa_findings: list[dict[str, Any]] | None = fields.JSONField(null=True)
    # each item of provision in F and G with its area, row and source advice (null: checked before issue 19's
    # review screen listed them)
    qa_provision: list[dict[str, Any]] | None = fields.JSONField(null=True)
    # finding index (as text) -> {"reason", "by", "at"}: a reviewer may set a finding aside only with a reason
    dismissals: dict[str, Any] = fields.JSONField(default=dict)
    reviewer: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="claimed_drafts", null=True, on_delete=fields.RESTRICT
    )
    claimed_at = fields.DatetimeField(null=True)
    # the copy the LA receives: no author metadata, its own hash
    delivered_key = fields.CharField(max_length=200, null=True)
    delivered_sha256 = fields.CharField(max_length=64, null=True)
    delivered_size = fields.BigIntField(null=True)
    # the optional PDF rendition, stored already stripped of its metadata
    rendition_key = fields.CharField(max_length=200, null=True)
    rendition_sha256 = fields.CharField(max_length=64, null=True)
    rendition_size = fields.BigIntField(null=True)
    # the hours the writer says the draft took (optional) and the bundle's planned effort then: allocation learns
    # each writer's speed from their first drafts (service/allocation/estimates.py)
    hours_spent = fields.FloatField(null=True)
    hours_estimated = fields.FloatField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # set by the retention purge when the stored object is deleted: the row stays as a tombstone
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "draft"
        unique_together = (("bundle", "cycle"),)


class DownloadLink(Model):
    """A five-minute link to a delivered draft: used once, and only while its maker's access lasts (their user
    active, the token they made it with unrevoked). `used_at`/`used_from` record the one use and the client's
    address."""

    id = fields.UUIDField(primary_key=True)
    draft: fields.ForeignKeyRelation[Draft] = fields.ForeignKeyField(
        "models.Draft", related_name="download_links", on_delete=fields.CASCADE
    )
    made_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="download_links", on_delete=fields.CASCADE
    )
    token: fields.ForeignKeyNullableRelation[ApiToken] = fields.ForeignKeyField(
        "models.ApiToken", related_name="download_links", null=True, on_delete=fields.CASCADE
    )
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_from = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "download_link"


class Query(Model):
    """A writer's question to the LA (missing advice, reports that disagree): the bundle waits while it is open."""

    id = fields.UUIDField(primary_key=True)
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", related_name="queries", on_delete=fields.CASCADE
    )
    asked_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="queries_asked", on_delete=fields.RESTRICT
    )
    question = fields.TextField()
    answer = fields.TextField(null=True)
    answered_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="queries_answered", null=True, on_delete=fields.RESTRICT
    )
    asked_at = fields.DatetimeField(auto_now_add=True)
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "query"


class ReviewOutcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    RETURN = "return"


class QaReview(Model):
    id = fields.UUIDField(primary_key=True)
    draft: fields.ForeignKeyRelation[Draft] = fields.ForeignKeyField(
        "models.Draft", related_name="reviews", on_delete=fields.CASCADE
    )
    reviewer: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="reviews", on_delete=fields.RESTRICT
    )
    outcome = fields.CharEnumField(ReviewOutcome, max_length=16)
    comments = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "qa_review"
