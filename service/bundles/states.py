"""The bundle's life as a table of allowed moves: the one place that says which status may follow which."""

from __future__ import annotations

from service.models.bundles import BundleStatus as S

# from-status -> the statuses it may move to (ARCHITECTURE.md, "The bundle's life").
ALLOWED: dict[S, frozenset[S]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.HELD, S.CANCELLED}),
    S.HELD: frozenset({S.SUBMITTED, S.CANCELLED}),  # SUBMITTED: a purchase order with room for it was added
    S.SUBMITTED: frozenset({S.SCREENING, S.CANCELLED}),
    S.SCREENING: frozenset({S.QUEUED, S.REJECTED, S.CANCELLED}),
    S.REJECTED: frozenset({S.SUBMITTED, S.CANCELLED}),  # the LA replaces documents and resubmits
    S.QUEUED: frozenset({S.OFFERED, S.ALLOCATED, S.CANCELLED}),  # ALLOCATED: a coordinator assigns by hand
    S.OFFERED: frozenset({S.ALLOCATED, S.QUEUED, S.CANCELLED}),  # QUEUED: declined, timed out, withdrawn
    S.ALLOCATED: frozenset({S.DRAFTING, S.QUEUED, S.CANCELLED}),  # QUEUED: the writer was lost
    S.DRAFTING: frozenset({S.IN_QA, S.AWAITING_LA, S.QUEUED, S.CANCELLED}),
    S.AWAITING_LA: frozenset({S.DRAFTING, S.CANCELLED}),
    S.IN_QA: frozenset({S.DELIVERED, S.RETURNED, S.CANCELLED}),
    S.RETURNED: frozenset({S.IN_QA, S.AWAITING_LA, S.QUEUED, S.CANCELLED}),  # QUEUED: the writer was lost
    S.DELIVERED: frozenset({S.ACCEPTED, S.AMENDMENT_REQUESTED}),
    S.AMENDMENT_REQUESTED: frozenset({S.IN_QA}),
    S.ACCEPTED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}


def can_move(current: S, target: S) -> bool:
    return target in ALLOWED[current]


def sources_of(target: S) -> frozenset[S]:
    """Every status from which `target` may be reached."""
    return frozenset(source for source, targets in ALLOWED.items() if target in targets)
