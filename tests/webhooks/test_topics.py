"""The one table from timeline events to webhook types and notifications."""

from __future__ import annotations

from typing import get_args

import pytest

from contracts.webhooks import WebhookEventType
from service.webhooks.topics import WEBHOOK_TYPES, Audience, classify, webhook_type


def test_every_webhook_type_of_the_contract_has_a_rule_and_no_other() -> None:
    assert sorted(WEBHOOK_TYPES) == sorted(get_args(WebhookEventType))


@pytest.mark.parametrize(("name", "source", "target", "expected"), [
    ("bundle.queued", "screening", "queued", "bundle.queued"),
    ("bundle.rejected", "screening", "rejected", "bundle.rejected"),
    ("bundle.allocated", "offered", "allocated", "bundle.allocated"),
    ("bundle.assigned", "queued", "allocated", "bundle.allocated"),
    ("query.raised", "drafting", "awaiting_la", "query.raised"),
    ("qa.passed", "in_qa", "delivered", "bundle.delivered"),
    ("amendment.requested", "delivered", "amendment_requested", "amendment.requested"),
    ("sla.at_risk", None, None, "sla.at_risk"),
    ("sla.breached", None, None, "sla.breached"),
])
def test_timeline_events_map_to_webhook_types(name: str, source: str | None, target: str | None,
                                              expected: str) -> None:
    assert webhook_type(name, source, target) == expected


@pytest.mark.parametrize(("name", "source", "target"), [
    ("bundle.created", None, None), ("document.added", None, None), ("document.downloaded", None, None),
    ("offer.made", "queued", "offered"), ("offer.declined", "offered", "queued"),
    ("bundle.released", "allocated", "queued"), ("draft.uploaded", "drafting", "in_qa"),
    ("qa.returned", "in_qa", "returned"), ("bundle.accepted", "delivered", "accepted"),
])
def test_internal_events_are_not_sent_to_the_la(name: str, source: str | None, target: str | None) -> None:
    assert webhook_type(name, source, target) is None


def test_a_bundle_back_in_the_queue_tells_the_coordinators_and_not_the_la() -> None:
    rules = classify("offer.declined", "offered", "queued")
    assert [(r.topic, r.audience, r.webhook) for r in rules] == [("bundle.unassigned", Audience.COORDINATORS, False)]


@pytest.mark.parametrize(("name", "source", "target", "topic", "audience"), [
    ("offer.made", "queued", "offered", "offer.made", Audience.WRITER),
    ("qa.returned", "in_qa", "returned", "draft.returned", Audience.WRITER),
    ("draft.uploaded", "drafting", "in_qa", "draft.awaiting_review", Audience.REVIEWERS),
    ("sla.breached", None, None, "sla.breached", Audience.COORDINATORS),
])
def test_staff_are_told_what_is_theirs(name: str, source: str | None, target: str | None, topic: str,
                                       audience: Audience) -> None:
    assert (topic, audience) in [(r.topic, r.audience) for r in classify(name, source, target)]
