"""Every background job by name: the outbox stores these names, and workers/actors.py registers one actor under each.

Names are namespaced by the room that owns the work (`intake.screen_bundle`). Jobs carry ids only, never rows.
What a bundle's status change sets off is in service/bundles/lifecycle.py; the scheduler's periodic jobs are in
workers/scheduler.py. tests/workers/test_jobs.py checks that every Job is a real actor and every actor a Job.
"""

from __future__ import annotations

from enum import StrEnum


class Job(StrEnum):
    SCREEN_BUNDLE = "intake.screen_bundle"  # bundle_id
    SCREEN_DOCUMENT = "intake.screen_document"  # document_id: added with a query's answer
    PURGE_RETENTION = "intake.purge_retention"
    ALLOCATION_ROUND = "allocation.round"
    EXPIRE_OFFERS = "offers.expire"
    SLA_MONITOR = "sla.monitor"
    DBS_WARNINGS = "writers.dbs_warnings"  # coordinators warned of DBS certificates running out
    SWEEP = "maintenance.sweep"  # re-derives what a lost message would have done
    DELIVER_WEBHOOK = "webhooks.deliver"  # delivery_id, manual
    SEND_NOTIFICATION = "notifications.send"  # notification_id
    SEND_INVITATION = "notifications.send_invitation"  # invitation_id

