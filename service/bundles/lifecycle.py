"""What a bundle's status change sets off: the one table of reactions, applied by `move()` in the mover's transaction.

Besides the status and its timeline event, a move does exactly what these tables say and nothing else:
- `ON_ENTER[target]` runs for every move into `target`, `ON_LEAVE[source]` for every move out of `source`;
- jobs go through the outbox, so the worker sees them only if the move commits;
- the SLA clocks (service/sla/service.py) and the billing lines (service/billing/service.py) are written in the
  same transaction, so a move and what it implies commit or roll back together;
- `ANNOUNCED` says which moves are announced, as webhooks to the LA and notifications to staff: the dispatcher
  reads them off the timeline (service/webhooks/topics.py, which also holds the announcements that are not moves).

tests/bundles/test_lifecycle.py fails if a status is changed outside `move()` or a reaction is set off elsewhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from service.billing.service import write_acceptance_lines, write_amendment_lines, write_delivery_lines
from service.jobs import Job
from service.models import Bundle, BundleStatus, Event
from service.outbox.service import enqueue
from service.sla.service import on_move
from service.webhooks.rules import Audience, Rule

S = BundleStatus


@dataclass(frozen=True)
class Moved:
    """One move, as the reactions see it: the bundle after it, where it came from, and its timeline event."""

    bundle: Bundle
    source: BundleStatus
    event: Event
    conn: BaseDBAsyncClient


Reaction = Callable[[Moved], Awaitable[None]]


async def screen(moved: Moved) -> None:
    """The worker screens the submitted bundle's documents (service/intake)."""
    await enqueue(Job.SCREEN_BUNDLE, using=moved.conn, bundle_id=str(moved.bundle.id))


async def allocate(moved: Moved) -> None:
    """A bundle is (back) in the queue: ask for an allocation round (rounds coalesce)."""
    await enqueue(Job.ALLOCATION_ROUND, using=moved.conn)


async def clocks(moved: Moved) -> None:
    """Keep the SLA clocks right: due dates when queued, pauses while awaiting the LA, the turnaround at delivery."""
    await on_move(moved.bundle.id, moved.source, moved.bundle.status, conn=moved.conn)


async def delivery_lines(moved: Moved) -> None:
    """The first delivery is invoiced (and paid, when the card pays on delivery)."""
    delivered_at = moved.bundle.delivered_at or moved.event.created_at
    await write_delivery_lines(moved.bundle, delivered_at=delivered_at, conn=moved.conn)


async def acceptance_lines(moved: Moved) -> None:
    """The LA accepted: the writer is paid when the card pays on acceptance."""
    await write_acceptance_lines(moved.bundle, accepted_at=moved.event.created_at, conn=moved.conn)


async def amendment_lines(moved: Moved) -> None:
    """An amendment asked for outside the free window is charged (the event carries the working days)."""
    days = int(moved.event.data.get("working_days", 0))
    await write_amendment_lines(moved.bundle, moved.event.id, requested_at=moved.event.created_at,
                                working_days=days, conn=moved.conn)


ON_ENTER: dict[BundleStatus, tuple[Reaction, ...]] = {
    S.SUBMITTED: (screen,),
    S.QUEUED: (clocks, allocate),
    S.AWAITING_LA: (clocks,),
    S.DELIVERED: (clocks, delivery_lines),
    S.ACCEPTED: (acceptance_lines,),
    S.AMENDMENT_REQUESTED: (amendment_lines,),
}

ON_LEAVE: dict[BundleStatus, tuple[Reaction, ...]] = {
    S.AWAITING_LA: (clocks,),  # the pause ends: the due date moves on by the working days it lasted
}

_HELD = frozenset({S.OFFERED.value, S.ALLOCATED.value, S.DRAFTING.value, S.RETURNED.value})

# moves that are announced: to the LA's webhook endpoints, and/or to an audience of the writing service's staff
ANNOUNCED: tuple[Rule, ...] = (
    Rule("bundle.held", to_status=S.HELD.value, webhook=True),  # no purchase order with room: add one to release it
    Rule("bundle.queued", to_status=S.QUEUED.value, from_status=frozenset({S.SCREENING.value}), webhook=True),
    Rule("bundle.rejected", to_status=S.REJECTED.value, webhook=True),
    Rule("bundle.allocated", to_status=S.ALLOCATED.value, webhook=True),
    Rule("query.raised", to_status=S.AWAITING_LA.value, webhook=True),
    Rule("bundle.delivered", to_status=S.DELIVERED.value, webhook=True),
    Rule("amendment.requested", to_status=S.AMENDMENT_REQUESTED.value, webhook=True, audience=Audience.WRITER),
    Rule("offer.made", to_status=S.OFFERED.value, audience=Audience.WRITER),
    Rule("draft.returned", to_status=S.RETURNED.value, audience=Audience.WRITER),
    Rule("draft.awaiting_review", to_status=S.IN_QA.value, audience=Audience.REVIEWERS),
    # back in the queue after someone held it (declined, expired, released): nobody is on it
    Rule("bundle.unassigned", to_status=S.QUEUED.value, from_status=_HELD, audience=Audience.COORDINATORS),
)


def reactions(source: BundleStatus, target: BundleStatus) -> tuple[Reaction, ...]:
    """What a move from `source` to `target` sets off, each reaction once, leaving before entering."""
    return tuple(dict.fromkeys((*ON_LEAVE.get(source, ()), *ON_ENTER.get(target, ()))))
