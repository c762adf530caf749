"""Round requests coalesce: one waits for the running round, the others leave, none is an error and none is lost.

On PostgreSQL the waiting is across connections (an advisory lock); on SQLite within the one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from service.allocation.rounds import RoundBusy, allocation_transaction, request_round, run_round
from service.models import Bundle, BundleStatus, Offer, OfferStatus
from service.runtime import current
from tests.allocation.test_rounds_service import queued
from tests.factories import Tenant


async def test_a_burst_of_requests_raises_nothing_and_fills_every_slot(tenant: Tenant) -> None:
    ids = await queued(tenant, 12)
    results = await asyncio.gather(*(request_round() for _ in range(8)), return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)], results
    ran = [r for r in results if r is not None]
    assert ran  # the first ran; of the rest one at most waited at a time, the others left
    pending = await Offer.filter(bundle_id__in=ids, status=OfferStatus.PENDING)
    assert len(pending) == len({o.bundle_id for o in pending}) == 6  # type: ignore[attr-defined]  # 3 writers x 2


@asynccontextmanager
async def round_running() -> AsyncIterator[None]:
    """The allocation lock held, as a running round or hand assignment holds it, by a task of its own (a transaction
    belongs to the task that opened it, so the test's own calls stay outside it)."""
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with allocation_transaction(wait=True) as held:
            assert held is not None
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.wait_for(holding.wait(), timeout=5)
    try:
        yield
    finally:
        release.set()
        await holder


async def test_a_request_that_finds_one_waiting_leaves_and_the_waiting_round_sees_its_bundle(tenant: Tenant) -> None:
    # on SQLite a transaction holds the one writer, so there the bundle is queued before the round runs
    postgres = current().settings.is_postgres
    late = "" if postgres else (await queued(tenant, 1))[0]
    async with round_running():
        waiting = asyncio.create_task(request_round())
        await asyncio.sleep(0.3)
        assert not waiting.done()  # it waits for the running holder
        if postgres:
            (late,) = await queued(tenant, 1)  # queued while the round runs, then its request comes
        assert await asyncio.wait_for(request_round(), timeout=5) is None  # one waits already: this one leaves
    plans = await asyncio.wait_for(waiting, timeout=10)
    assert plans is not None and late in {str(o.bundle_id) for plan in plans.values() for o in plan.offers}
    assert (await Bundle.get(id=late)).status == BundleStatus.OFFERED  # the waiting round, run after, offered it
    # and once no round runs, a request simply runs one
    assert await request_round() is not None


async def test_a_round_asked_for_by_hand_still_answers_busy(tenant: Tenant) -> None:
    async with round_running():
        with pytest.raises(RoundBusy):
            await run_round()
