"""Queries to the LA: a writer asks (the bundle waits in awaiting_la, its clock paused); the LA answers."""

from __future__ import annotations

from uuid import UUID

from tortoise.transactions import in_transaction

from service import clock
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.transitions import move, record
from service.errors import Conflict, NotFound
from service.models import Bundle, BundleStatus, Query

ASKABLE = frozenset({BundleStatus.ALLOCATED, BundleStatus.DRAFTING, BundleStatus.RETURNED, BundleStatus.AWAITING_LA})


async def ask(principal: Principal, bundle_id: UUID, question: str) -> Query:
    bundle = await scope.get_bundle(principal, bundle_id)
    if bundle.status not in ASKABLE or bundle.writer_id != principal.writer_id:  # type: ignore[attr-defined]
        raise Conflict(f"the bundle is {bundle.status.value}; a query cannot be raised now",
                       current_status=bundle.status.value)
    async with in_transaction() as conn:
        query = await Query.create(bundle_id=bundle.id, asked_by_id=principal.user_id, question=question, using_db=conn)
        data = {"query_id": str(query.id)}
        if bundle.status == BundleStatus.AWAITING_LA:
            await record(bundle.id, "query.raised", conn=conn, actor_id=principal.user_id, data=data)
        else:
            if bundle.status == BundleStatus.ALLOCATED:
                await move(bundle.id, BundleStatus.DRAFTING, conn=conn, actor_id=principal.user_id,
                           expect=BundleStatus.ALLOCATED)
            await move(bundle.id, BundleStatus.AWAITING_LA, conn=conn, actor_id=principal.user_id,
                       event="query.raised", data=data)
    return query


async def answer(principal: Principal, query_id: UUID, text: str) -> Query:
    query = await Query.filter(id=query_id, bundle__la_id=principal.organisation_id).first()
    if query is None:
        raise NotFound("no such query")
    now = clock.now()
    async with in_transaction() as conn:
        if not await Query.filter(id=query.id, answered_at__isnull=True).using_db(conn).update(
            answer=text, answered_by_id=principal.user_id, answered_at=now
        ):
            raise Conflict("this query has already been answered")
        open_left = await Query.filter(bundle_id=query.bundle_id, answered_at__isnull=True).using_db(conn).exists()  # type: ignore[attr-defined]
        bundle = await Bundle.filter(id=query.bundle_id).using_db(conn).get()  # type: ignore[attr-defined]
        data = {"query_id": str(query.id)}
        if open_left or bundle.status != BundleStatus.AWAITING_LA:
            await record(bundle.id, "query.answered", conn=conn, actor_id=principal.user_id, data=data)
        else:
            # the last open query answered: the writer's clock runs again
            await move(bundle.id, BundleStatus.DRAFTING, conn=conn, actor_id=principal.user_id,
                       expect=BundleStatus.AWAITING_LA, event="query.answered", data=data)
    return await Query.get(id=query.id)


async def for_bundle(principal: Principal, bundle_id: UUID) -> list[Query]:
    bundle = await scope.get_bundle(principal, bundle_id)
    return await Query.filter(bundle_id=bundle.id).order_by("asked_at", "id")
