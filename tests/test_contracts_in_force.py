"""The contract version in force between an LA and its writing service on a day: the latest started by then."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from service import clock
from service.contracts_in_force import contract_between, contract_in_force, contract_of, contracts_by_la, contracts_for
from service.models import Bundle, LaContract, WorkType
from tests.factories import Tenant


async def test_a_version_is_in_force_from_its_start_day_for_every_lookup(tenant: Tenant) -> None:
    current = await contract_between(tenant.la.id, tenant.provider.id)
    assert current is not None
    start = clock.today() + timedelta(days=10)
    renewal = await LaContract.create(la=tenant.la, provider=tenant.provider, starts_on=start, offer_window_hours=4.0)
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, reference="CIF-1",
                                 work_type=WorkType.NEW_PLAN, created_by=tenant.users["la_officer"])
    # announced, not applied: until its start day the version before it is in force
    assert (await contract_between(tenant.la.id, tenant.provider.id)).id == current.id  # type: ignore[union-attr]
    assert (await contract_in_force(tenant.la.id)).id == current.id  # type: ignore[union-attr]
    days = ((start - timedelta(days=1), current), (start, renewal), (start + timedelta(days=99), renewal))
    for day, expected in days:
        assert (await contract_between(tenant.la.id, tenant.provider.id, at=day)).id == expected.id  # type: ignore[union-attr]
        assert (await contract_in_force(tenant.la.id, day)).id == expected.id  # type: ignore[union-attr]
        assert (await contract_of(bundle, at=day)).id == expected.id  # type: ignore[union-attr]
        assert (await contracts_by_la(tenant.provider.id, at=day))[tenant.la.id].id == expected.id
        assert (await contracts_for([bundle], at=day))[(tenant.la.id, tenant.provider.id)].id == expected.id
    # and when the day comes, "today" is that day
    with time_machine.travel(clock.now() + timedelta(days=10, hours=1), tick=False):
        assert (await contract_of(bundle)).id == renewal.id  # type: ignore[union-attr]


async def test_before_the_first_version_starts_there_is_none_in_force(tenant: Tenant) -> None:
    first = await LaContract.get(la_id=tenant.la.id)
    assert await contract_in_force(tenant.la.id, first.starts_on - timedelta(days=1)) is None


async def test_of_two_contracts_starting_the_same_day_the_one_recorded_later_is_in_force(tenant: Tenant) -> None:
    first = await LaContract.get(la_id=tenant.la.id)
    second = await LaContract.create(la=tenant.la, provider=tenant.provider, starts_on=first.starts_on)
    assert (await contract_between(tenant.la.id, tenant.provider.id)).id == second.id  # type: ignore[union-attr]


async def test_an_la_without_a_contract_has_none_in_force(tenant: Tenant, other_tenant: Tenant) -> None:
    assert await contract_between(other_tenant.la.id, tenant.provider.id) is None
    assert other_tenant.la.id not in await contracts_by_la(tenant.provider.id)
