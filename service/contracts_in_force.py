"""Which LA contract is in force: for each (LA, writing service) pair and a day, the version started latest by then.

The one place that rule is written. A contract is a list of versions (rows of `la_contract`), each with the day it
takes effect (`starts_on`); a change is a new version, never an edit of an old one, so history is kept. On a given
day the version in force is the one with the latest `starts_on` on or before that day; of two with the same start
day, the one recorded later wins. A version that starts in the future is not in force yet (it is announced, not
applied). Callers act when an event happens (screening on submission, the SLA clock when a bundle is queued, the
rate when it is delivered), so each bundle is checked, clocked and billed under the version in force then; those
that look back name the day with `at`. Every lookup goes through `_latest`, so SLA clocks, allocation, screening,
retention and billing always read the same version.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from service import clock
from service.models import Bundle, LaContract, Organisation

Pair = tuple[UUID, UUID]  # (LA id, writing service id)


async def _latest(conn: BaseDBAsyncClient | None, at: date | None, **where: Any) -> dict[Pair, LaContract]:
    """The version in force on `at` (default today) for every pair among the versions matching `where` (one query)."""
    day = at if at is not None else clock.today()
    query = LaContract.filter(starts_on__lte=day, **where)
    if conn is not None:
        query = query.using_db(conn)
    latest: dict[Pair, LaContract] = {}
    for contract in await query.order_by("starts_on", "created_at", "id"):
        latest[(contract.la_id, contract.provider_id)] = contract  # type: ignore[attr-defined]  # later wins
    return latest


async def contract_in_force(la_id: UUID, at: date | None = None,
                            conn: BaseDBAsyncClient | None = None) -> LaContract | None:
    """The version of the LA's contract with its writing service in force on `at` (default today), or None."""
    query = Organisation.filter(id=la_id)
    if conn is not None:
        query = query.using_db(conn)
    provider = await query.values_list("provider_id", flat=True)
    if not provider or provider[0] is None:
        return None
    return await contract_between(la_id, UUID(str(provider[0])), conn, at=at)


async def contract_between(la_id: UUID, provider_id: UUID, conn: BaseDBAsyncClient | None = None,
                           *, at: date | None = None) -> LaContract | None:
    """The version in force between one LA and one writing service on `at` (default today), or None."""
    return (await _latest(conn, at, la_id=la_id, provider_id=provider_id)).get((la_id, provider_id))


async def contract_of(bundle: Bundle, conn: BaseDBAsyncClient | None = None,
                      *, at: date | None = None) -> LaContract | None:
    """The version in force between the bundle's LA and its writing service on `at` (default today), or None."""
    return await contract_between(bundle.la_id, bundle.provider_id, conn, at=at)  # type: ignore[attr-defined]


async def contracts_by_la(provider_id: UUID, conn: BaseDBAsyncClient | None = None,
                          *, at: date | None = None) -> dict[UUID, LaContract]:
    """The version in force with each client LA of one writing service on `at` (default today), by LA id."""
    return {la_id: c for (la_id, _), c in (await _latest(conn, at, provider_id=provider_id)).items()}


async def contracts_for(bundles: Iterable[Bundle], conn: BaseDBAsyncClient | None = None,
                        *, at: date | None = None) -> dict[Pair, LaContract]:
    """The version in force on `at` (default today) for each (LA, writing service) pair among `bundles`."""
    pairs = {(b.la_id, b.provider_id) for b in bundles}  # type: ignore[attr-defined]
    if not pairs:
        return {}
    latest = await _latest(conn, at, la_id__in=list({la for la, _ in pairs}),
                           provider_id__in=list({p for _, p in pairs}))
    return {pair: latest[pair] for pair in pairs if pair in latest}
