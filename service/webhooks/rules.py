"""What an announcement rule is: a topic, the timeline events it matches, and who hears it (pure)."""

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
