"""Writers, through the service: leave withdraws the offers a writer has not answered; coordinators see each load."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service import clock
from service.errors import Forbidden, InvalidInput
from service.models import Bundle, BundleStatus, Offer, OfferStatus, WriterLeave
from service.writers import service as writers
from tests.factories import Tenant, bundle_in, principal


async def _offer(tenant: Tenant, writer: str) -> Offer:
    bundle = await bundle_in(tenant, BundleStatus.OFFERED)
    return await Offer.create(bundle=bundle, writer=tenant.writers[writer], expires_at=clock.now() + timedelta(hours=8))


async def test_recording_leave_withdraws_the_writers_pending_offers_and_requeues_them(tenant: Tenant) -> None:
    mine, theirs = await _offer(tenant, "writer1"), await _offer(tenant, "writer2")
    tomorrow = clock.today() + timedelta(days=1)
    assert await writers.add_leave(await principal(tenant, "writer1"), [tomorrow, tomorrow]) == 1
    await mine.refresh_from_db()
    await theirs.refresh_from_db()
    assert (mine.status, mine.reason) == (OfferStatus.WITHDRAWN, "the writer is on leave")
    assert theirs.status == OfferStatus.PENDING
    assert (await Bundle.get(id=mine.bundle_id)).status == BundleStatus.QUEUED  # type: ignore[attr-defined]
    assert await WriterLeave.filter(writer_id=tenant.writers["writer1"].id).values_list("day", flat=True) == [
        tomorrow]


async def test_leave_cannot_be_recorded_in_the_past(tenant: Tenant) -> None:
    with pytest.raises(InvalidInput, match="past"):
        await writers.add_leave(await principal(tenant, "writer1"), [clock.today() - timedelta(days=1)])
    assert not await WriterLeave.filter(writer_id=tenant.writers["writer1"].id).exists()


async def test_only_writers_record_their_own_leave(tenant: Tenant) -> None:
    with pytest.raises(Forbidden):
        await writers.add_leave(await principal(tenant, "coordinator"), [clock.today() + timedelta(days=1)])


async def test_a_writers_load_counts_held_bundles_pending_offers_and_leave_ahead(tenant: Tenant,
                                                                                 other_tenant: Tenant) -> None:
    await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1")
    await bundle_in(tenant, BundleStatus.DELIVERED, writer="writer1")  # delivered: no longer held
    await _offer(tenant, "writer1")
    ahead = clock.today() + timedelta(days=3)
    await WriterLeave.create(writer=tenant.writers["writer1"], day=ahead)
    await WriterLeave.create(writer=tenant.writers["writer1"], day=clock.today() - timedelta(days=3))

    loads = {load.writer.id: load for load in await writers.loads(await principal(tenant, "coordinator"))}
    assert set(loads) == {w.id for w in tenant.writers.values()}  # never another writing service's writers
    first = loads[tenant.writers["writer1"].id]
    assert (first.held, first.offers_pending, first.leave) == (1, 1, [ahead])
    assert first.contract is not None and first.contract.hours_per_week == 30
