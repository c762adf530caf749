"""The contract in force between an LA and its writing service: the latest to start wins, for every lookup."""

from __future__ import annotations

from datetime import timedelta

from service import clock
from service.contracts_in_force import contract_between, contract_of, contracts_by_la, contracts_for
from service.models import Bundle, LaContract, WorkType
from tests.factories import Tenant


async def test_the_contract_that_starts_latest_is_in_force_for_every_lookup(tenant: Tenant) -> None:
    renewal = await LaContract.create(la=tenant.la, provider=tenant.provider,
                                      starts_on=clock.today() + timedelta(days=10), offer_window_hours=4.0)
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, reference="CIF-1",
                                 work_type=WorkType.NEW_PLAN, created_by=tenant.users["la_officer"])
    assert (await contract_between(tenant.la.id, tenant.provider.id)).id == renewal.id  # type: ignore[union-attr]
    assert (await contract_of(bundle)).id == renewal.id  # type: ignore[union-attr]
    assert (await contracts_by_la(tenant.provider.id))[tenant.la.id].id == renewal.id
    assert (await contracts_for([bundle]))[(tenant.la.id, tenant.provider.id)].id == renewal.id


async def test_of_two_contracts_starting_the_same_day_the_one_recorded_later_is_in_force(tenant: Tenant) -> None:
    first = await LaContract.get(la_id=tenant.la.id)
    second = await LaContract.create(la=tenant.la, provider=tenant.provider, starts_on=first.starts_on)
    assert (await contract_between(tenant.la.id, tenant.provider.id)).id == second.id  # type: ignore[union-attr]


async def test_an_la_without_a_contract_has_none_in_force(tenant: Tenant, other_tenant: Tenant) -> None:
    assert await contract_between(other_tenant.la.id, tenant.provider.id) is None
    assert other_tenant.la.id not in await contracts_by_la(tenant.provider.id)
