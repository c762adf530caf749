"""The one table from timeline events to what they announce: webhook types for LAs, notifications for staff.

Pure: a timeline event is described by its name and its from/to status; `classify` returns every topic it
matches. Webhook topics go to the bundle's LA endpoints; notification topics to the named audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    WRITER = "writer"  # the bundle's writer (for an offer: the writer offered it)
    REVIEWERS = "reviewers"  # the writing service's QA reviewers
    COORDINATORS = "coordinators"  # the writing service's coordinators


@dataclass(frozen=True)
class Rule:
    topic: str
    name: str | None = None  # the event name, when the rule keys on it
    to_status: str | None = None  # the status the event moved to, when the rule keys on it
    from_status: frozenset[str] | None = None  # narrows a to_status rule to these sources
    webhook: bool = False
    audience: Audience | None = None

    def matches(self, name: str, from_status: str | None, to_status: str | None) -> bool:
        if self.name is not None and name != self.name:
            return False
        if self.to_status is not None and to_status != self.to_status:
            return False
        return self.from_status is None or from_status in self.from_status


_HELD = frozenset({"offered", "allocated", "drafting", "returned"})

RULES: tuple[Rule, ...] = (
    # to the LA's endpoints
    Rule("bundle.held", to_status="held", webhook=True),  # no purchase order with room: add one to release it
    Rule("purchase_order.warning", name="purchase_order.warning", webhook=True),  # 80% of a PO committed
    Rule("bundle.queued", to_status="queued", from_status=frozenset({"screening"}), webhook=True),
    Rule("bundle.rejected", to_status="rejected", webhook=True),
    Rule("bundle.allocated", to_status="allocated", webhook=True),
    Rule("query.raised", to_status="awaiting_la", webhook=True),
    Rule("bundle.delivered", to_status="delivered", webhook=True),
    Rule("amendment.requested", to_status="amendment_requested", webhook=True, audience=Audience.WRITER),
    Rule("sla.at_risk", name="sla.at_risk", webhook=True, audience=Audience.COORDINATORS),
    Rule("sla.breached", name="sla.breached", webhook=True, audience=Audience.COORDINATORS),
    # to the writing service's staff only
    Rule("offer.made", to_status="offered", audience=Audience.WRITER),
    Rule("draft.returned", to_status="returned", audience=Audience.WRITER),
    Rule("draft.awaiting_review", to_status="in_qa", audience=Audience.REVIEWERS),
    # back in the queue after someone held it (declined, expired, released): nobody is on it
    Rule("bundle.unassigned", to_status="queued", from_status=_HELD, audience=Audience.COORDINATORS),
)

WEBHOOK_TYPES: tuple[str, ...] = tuple(rule.topic for rule in RULES if rule.webhook)


def classify(name: str, from_status: str | None, to_status: str | None) -> list[Rule]:
    """Every rule the timeline event matches (none for most events)."""
    return [rule for rule in RULES if rule.matches(name, from_status, to_status)]


def webhook_type(name: str, from_status: str | None, to_status: str | None) -> str | None:
    """The webhook event type of a timeline event, or None if LAs are not told about it."""
    return next((rule.topic for rule in classify(name, from_status, to_status) if rule.webhook), None)
