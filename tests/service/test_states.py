"""The bundle state machine: every allowed move is taken, every other move is refused with the status named."""

from __future__ import annotations

import itertools

import pytest
from tortoise.transactions import in_transaction

from service.bundles.states import ALLOWED, can_move
from service.bundles.transitions import move
from service.errors import TransitionNotAllowed
from service.jobs import Job
from service.models import Bundle, BundleStatus, Event, OutboxMessage, WorkType
from tests.factories import Tenant

ALL_PAIRS = list(itertools.product(BundleStatus, BundleStatus))


def test_every_status_has_a_row_in_the_table() -> None:
    assert set(ALLOWED) == set(BundleStatus)


def test_terminal_statuses_go_nowhere() -> None:
    assert ALLOWED[BundleStatus.CLOSED] == frozenset()
    assert ALLOWED[BundleStatus.CANCELLED] == frozenset()


def test_anything_before_delivery_can_be_cancelled() -> None:
    before = [BundleStatus.DRAFT, BundleStatus.SUBMITTED, BundleStatus.SCREENING, BundleStatus.QUEUED,
              BundleStatus.OFFERED, BundleStatus.ALLOCATED, BundleStatus.DRAFTING, BundleStatus.AWAITING_LA,
              BundleStatus.IN_QA, BundleStatus.RETURNED, BundleStatus.REJECTED]
    assert all(can_move(s, BundleStatus.CANCELLED) for s in before)
    assert not can_move(BundleStatus.DELIVERED, BundleStatus.CANCELLED)


async def _bundle_in(tenant: Tenant, status: BundleStatus) -> Bundle:
    return await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                               reference="STATE-1", work_type=WorkType.NEW_PLAN, status=status)


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=[f"{a.value}->{b.value}" for a, b in ALL_PAIRS])
async def test_move_follows_the_table(tenant: Tenant, current: BundleStatus, target: BundleStatus) -> None:
    bundle = await _bundle_in(tenant, current)
    if can_move(current, target):
        mark = (await OutboxMessage.all().order_by("-id").first() or OutboxMessage(id=0)).id
        async with in_transaction() as conn:
            moved = await move(bundle.id, target, conn=conn)
        assert moved.status == target
        event = await Event.filter(bundle_id=bundle.id).order_by("-id").first()
        assert event is not None and (event.from_status, event.to_status) == (current.value, target.value)
        # the jobs the lifecycle table names for this status, and no others
        expected = {BundleStatus.SUBMITTED: [Job.SCREEN_BUNDLE], BundleStatus.QUEUED: [Job.ALLOCATION_ROUND]}
        jobs = await OutboxMessage.filter(id__gt=mark).order_by("id").values_list("actor_name", flat=True)
        assert jobs == [job.value for job in expected.get(target, [])]
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            async with in_transaction() as conn:
                await move(bundle.id, target, conn=conn)
        assert current.value in refused.value.detail
        assert (await Bundle.get(id=bundle.id)).status == current
        assert not await Event.filter(bundle_id=bundle.id).exists()
