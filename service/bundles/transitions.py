"""The one transition function: a conditional status update, its timeline event and what it sets off, together.

What each move sets off (jobs, clocks, billing lines, announcements) is the lifecycle table's to say
(service/bundles/lifecycle.py); `move` applies it in the caller's transaction.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from service import clock
from service.bundles.lifecycle import Moved, reactions
from service.bundles.states import can_move, sources_of
from service.errors import NotFound, TransitionNotAllowed
from service.models import Bundle, BundleStatus, Event


async def move(
    bundle_id: UUID,
    target: BundleStatus,
    *,
    conn: BaseDBAsyncClient,
    actor_id: UUID | None = None,
    expect: BundleStatus | frozenset[BundleStatus] | None = None,
    event: str | None = None,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> Bundle:
    """Move a bundle to `target` if its status allows it, inside the caller's transaction `conn`.

    The UPDATE is conditioned on the current status, so of two concurrent movers only one wins;
    the loser gets TransitionNotAllowed naming the status it found. A queryset UPDATE skips the model's
    `auto_now`, so it sets `updated_at` itself: the API shows when the bundle last changed, and the sweep reads
    how long it has been in its status from it.
    """
    allowed = sources_of(target)
    if expect is not None:
        allowed &= {expect} if isinstance(expect, BundleStatus) else expect
    current = await Bundle.filter(id=bundle_id).using_db(conn).first()
    if current is None:
        raise NotFound("no such bundle")
    if current.status not in allowed or not can_move(current.status, target):
        raise TransitionNotAllowed(current.status.value, target.value)
    updated = (
        await Bundle.filter(id=bundle_id, status=current.status).using_db(conn).update(
            status=target, **{"updated_at": clock.now(), **fields})
    )
    if updated != 1:
        fresh = await Bundle.filter(id=bundle_id).using_db(conn).first()
        raise TransitionNotAllowed(fresh.status.value if fresh else "gone", target.value)
    timeline = await Event.create(
        bundle_id=bundle_id,
        name=event or f"bundle.{target.value}",
        from_status=current.status.value,
        to_status=target.value,
        actor_id=actor_id,
        data=data or {},
        using_db=conn,
    )
    for reaction in reactions(current.status, target):  # each sees the row as the one before it left it
        await reaction(Moved(await Bundle.filter(id=bundle_id).using_db(conn).get(), current.status, timeline, conn))
    return await Bundle.filter(id=bundle_id).using_db(conn).get()


async def record(
    bundle_id: UUID,
    name: str,
    *,
    conn: BaseDBAsyncClient,
    actor_id: UUID | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """A timeline entry that is not a status change (a download, an offer declined ...)."""
    await Event.create(bundle_id=bundle_id, name=name, actor_id=actor_id, data=data or {}, using_db=conn)
