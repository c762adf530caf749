"""The one table from timeline events to what they announce: webhook types for LAs, notifications for staff.

A timeline event is described by its name and its from/to status; `classify` returns every topic it matches.
The moves announced are declared with the bundle's lifecycle (service/bundles/lifecycle.py, ANNOUNCED); the
announcements here are the events that are not moves. Webhook topics go to the bundle's LA endpoints;
notification topics to the named audience.
"""

from __future__ import annotations

from service.bundles.lifecycle import ANNOUNCED
from service.webhooks.rules import Audience, Rule

# announcements that are not moves; the moves announced are in the bundle's lifecycle table
RULES: tuple[Rule, ...] = (
    *ANNOUNCED,
    Rule("purchase_order.warning", name="purchase_order.warning", webhook=True),  # 80% of a PO committed
    Rule("sla.at_risk", name="sla.at_risk", webhook=True, audience=Audience.COORDINATORS),
    Rule("sla.breached", name="sla.breached", webhook=True, audience=Audience.COORDINATORS),
)

WEBHOOK_TYPES: tuple[str, ...] = tuple(rule.topic for rule in RULES if rule.webhook)


def classify(name: str, from_status: str | None, to_status: str | None) -> list[Rule]:
    """Every rule the timeline event matches (none for most events)."""
    return [rule for rule in RULES if rule.matches(name, from_status, to_status)]


def webhook_type(name: str, from_status: str | None, to_status: str | None) -> str | None:
    """The webhook event type of a timeline event, or None if LAs are not told about it."""
    return next((rule.topic for rule in classify(name, from_status, to_status) if rule.webhook), None)
