"""Effort and weight of a bundle for allocation: hours from work type and pages, weight from urgency.

Defaults are a starting point a contract can override with its own table. They follow the shape of the
work: a full new plan is a day or more of writing plus reading time that grows with the bundle; an
annual-review amendment is a few hours. Reading time is capped because very long bundles repeat
themselves (old reports, duplicated advice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class EffortRule:
    """Hours = base_hours + hours_per_10_pages * pages / 10, at most cap_hours."""

    base_hours: float
    hours_per_10_pages: float
    cap_hours: float


DEFAULT_EFFORT: Mapping[str, EffortRule] = {
    "new_plan": EffortRule(base_hours=8.0, hours_per_10_pages=1.5, cap_hours=30.0),
    "reassessment": EffortRule(base_hours=7.0, hours_per_10_pages=1.5, cap_hours=28.0),
    "phase_transfer": EffortRule(base_hours=4.0, hours_per_10_pages=1.0, cap_hours=16.0),
    "annual_review_amendment": EffortRule(base_hours=2.5, hours_per_10_pages=0.75, cap_hours=12.0),
    "statement_transfer": EffortRule(base_hours=5.0, hours_per_10_pages=1.0, cap_hours=18.0),
}

EXPRESS_BONUS = 0.5
# Slack between the draft's due date and the statutory date, in calendar days (statutory clocks count
# calendar days): a late draft then puts the LA's legal deadline at risk, so it weighs more.
STATUTORY_TIGHT_DAYS = 7
STATUTORY_TIGHT_BONUS = 1.0
STATUTORY_CLOSE_DAYS = 21
STATUTORY_CLOSE_BONUS = 0.5


def effort_hours(work_type: str, pages: int, table: Mapping[str, EffortRule] = DEFAULT_EFFORT) -> float:
    """Estimated writing hours for a bundle, to one decimal."""
    if pages < 0:
        raise ValueError(f"pages must be 0 or more, not {pages}")
    rule = table.get(work_type)
    if rule is None:
        raise ValueError(f"no effort rule for work type {work_type!r}")
    return round(min(rule.cap_hours, rule.base_hours + rule.hours_per_10_pages * pages / 10), 1)


def weight(
    *, due: date, statutory_date: date | None = None, express: bool = False, base: float = 1.0
) -> float:
    """Allocation weight: `base`, more for express turnaround and for a statutory date close behind `due`."""
    if base <= 0:
        raise ValueError("base weight must be positive")
    result = base + (EXPRESS_BONUS if express else 0.0)
    if statutory_date is not None:
        margin = (statutory_date - due).days
        if margin <= STATUTORY_TIGHT_DAYS:
            result += STATUTORY_TIGHT_BONUS
        elif margin <= STATUTORY_CLOSE_DAYS:
            result += STATUTORY_CLOSE_BONUS
    return result
