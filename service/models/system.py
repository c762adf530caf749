"""The outbox (jobs written with the state change that implies them) and the audit log."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    actor_name = fields.CharField(max_length=100)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    published_at = fields.DatetimeField(null=True, db_index=True)
    attempts = fields.IntField(default=0)

    class Meta:
        table = "outbox"


class AuditEntry(Model):
    """Who touched what: every document access and every privileged act. Append-only."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True)
    actor_id = fields.UUIDField(null=True)
    organisation_id = fields.UUIDField(null=True)
    action = fields.CharField(max_length=64)
    object_type = fields.CharField(max_length=32)
    object_id = fields.CharField(max_length=64)
    bundle_id = fields.UUIDField(null=True, db_index=True)
    request_id = fields.CharField(max_length=128, null=True)
    data: dict[str, Any] = fields.JSONField(default=dict)
    # the hash chain (service/audit/chain.py): the previous entry's hash, and SHA-256 over this entry with it.
    # Null on entries written before the chain began.
    prev_hash = fields.CharField(max_length=64, null=True)
    hash = fields.CharField(max_length=64, null=True)
    # the LA's own chain (null when the entry concerns no LA): the LA it is about, how the entry reads to that LA
    # (provider people as the LA's pseudonyms), the LA's previous entry's `la_hash`, and the hash of the LA's view
    # with it. The LA's export is exactly this chain, so the LA verifies it alone.
    la_id = fields.UUIDField(null=True, db_index=True)
    la_actor = fields.CharField(max_length=64, null=True)
    la_prev_hash = fields.CharField(max_length=64, null=True)
    la_hash = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "audit_entry"
