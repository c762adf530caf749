"""Which LA contract is in force: for each (LA, writing service) pair, the one that starts latest.

The one place that rule is written. The latest to start wins whether or not its start date has passed yet (the
rule the service has always applied); of two with the same start date, the one recorded later wins. Every lookup
(one bundle's, one pair's, a whole writing service's, a list of bundles') goes through `_latest`, so SLA clocks,
allocation, screening, retention and billing always read the same contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from service.models import Bundle, LaContract

Pair = tuple[UUID, UUID]  # (LA id, writing service id)


async def _latest(conn: BaseDBAsyncClient | None, **where: Any) -> dict[Pair, LaContract]:
    """The contract in force for every pair among the contracts matching `where` (one query)."""
    query = LaContract.filter(**where)
    if conn is not None:
        query = query.using_db(conn)
    latest: dict[Pair, LaContract] = {}
    for contract in await query.order_by("starts_on", "created_at"):
        latest[(contract.la_id, contract.provider_id)] = contract  # type: ignore[attr-defined]  # later wins
    return latest


async def contract_between(la_id: UUID, provider_id: UUID,
                           conn: BaseDBAsyncClient | None = None) -> LaContract | None:
    """The contract in force between one LA and one writing service, or None."""
    return (await _latest(conn, la_id=la_id, provider_id=provider_id)).get((la_id, provider_id))


async def contract_of(bundle: Bundle, conn: BaseDBAsyncClient | None = None) -> LaContract | None:
    """The contract in force between the bundle's LA and its writing service, or None."""
    return await contract_between(bundle.la_id, bundle.provider_id, conn)  # type: ignore[attr-defined]


async def contracts_by_la(provider_id: UUID, conn: BaseDBAsyncClient | None = None) -> dict[UUID, LaContract]:
    """The contract in force with each client LA of one writing service, by LA id."""
    return {la_id: c for (la_id, _), c in (await _latest(conn, provider_id=provider_id)).items()}


async def contracts_for(bundles: Iterable[Bundle], conn: BaseDBAsyncClient | None = None) -> dict[Pair, LaContract]:
    """The contract in force for each (LA, writing service) pair among `bundles` (one query)."""
    pairs = {(b.la_id, b.provider_id) for b in bundles}  # type: ignore[attr-defined]
    if not pairs:
        return {}
    latest = await _latest(conn, la_id__in=list({la for la, _ in pairs}), provider_id__in=list({p for _, p in pairs}))
    return {pair: latest[pair] for pair in pairs if pair in latest}
