"""Ledger lines at their events: SLA lateness from the stored due date, payouts earned on acceptance, replays
that never double a line, and an event after its month closed landing in the next open month."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from tortoise.transactions import in_transaction

from service.auth.principal import principal_for
from service.billing import month_close_service
from service.billing.orders import recommit
from service.billing.rate_card import standard_rate_card
from service.billing.service import write_acceptance_lines, write_delivery_lines
from service.models import BillableLine, Bundle, BundleStatus, LaContract, LineKind, PurchaseOrder, User, WorkType
from tests.factories import Tenant


async def test_payouts_earned_on_acceptance_are_written_then_once_and_late_events_go_to_the_open_month(
    tenant: Tenant,
) -> None:
    card = standard_rate_card(prices_pence={**standard_rate_card().prices_pence, "new_plan": 42_000},
                              payout_earned_on="acceptance")
    await LaContract.filter(la_id=tenant.la.id).update(rate_card=card.model_dump(mode="json"))
    order = await PurchaseOrder.get(la_id=tenant.la.id)
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference="ACC-1", work_type=WorkType.NEW_PLAN, status=BundleStatus.DELIVERED,
                                 writer=tenant.writers["writer1"], page_count=12, purchase_order=order,
                                 turnaround_due=date(2026, 6, 15))
    delivered = datetime(2026, 6, 18, 14, tzinfo=UTC)  # Thursday: three working days after Monday's due date
    for _ in range(2):  # a replay writes nothing more
        async with in_transaction() as conn:
            await write_delivery_lines(bundle, delivered_at=delivered, conn=conn)
    lines = await BillableLine.filter(bundle_id=bundle.id).order_by("id")
    assert [(line.kind, line.cause, line.month) for line in lines] == [(LineKind.INVOICE, "delivery", "2026-06")]
    (invoice,) = lines
    # 15% of GBP 420 credited for 3 late working days; VAT 8,400 - 1,260
    assert (invoice.late_working_days, invoice.sla_credit_pence, invoice.net_pence, invoice.vat_pence) == (
        3, -6_300, 35_700, 7_140)
    assert invoice.purchase_order_id == order.id  # type: ignore[attr-defined]

    finance = await User.filter(id=tenant.users["finance"].id).select_related("organisation", "writer").get()
    with time_machine.travel(datetime(2026, 7, 2, tzinfo=UTC)):  # June has ended
        closed = await month_close_service.close_month(principal_for(finance), "2026-06")
    assert [i.invoice_number for i in closed.invoices] == ["INV-000001"]
    for _ in range(2):
        async with in_transaction() as conn:
            await write_acceptance_lines(bundle, accepted_at=datetime(2026, 6, 29, 9, tzinfo=UTC), conn=conn)
    payouts = await BillableLine.filter(bundle_id=bundle.id, kind=LineKind.PAYOUT)
    assert [(p.cause, p.month, p.event_on, p.net_pence, p.writer_id) for p in payouts] == [  # type: ignore[attr-defined]
        ("acceptance", "2026-07", date(2026, 6, 29), 30_000, tenant.writers["writer1"].id)]


async def test_screening_cuts_a_commitment_to_the_exact_price_and_never_raises_it(tenant: Tenant) -> None:
    order = await PurchaseOrder.get(la_id=tenant.la.id)
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference="COMMIT-1", work_type=WorkType.NEW_PLAN, status=BundleStatus.SCREENING,
                                 purchase_order=order, po_committed_pence=52_000)
    async with in_transaction() as conn:
        assert await recommit(bundle, 12, conn) == {"po_committed_pence": 42_000}  # no page band at 12 pages
        assert await recommit(bundle, 70, conn) == {"po_committed_pence": 47_000}  # GBP 50 band from 61 pages
        bundle.po_committed_pence = 30_000
        assert await recommit(bundle, 200, conn) == {"po_committed_pence": 30_000}


async def test_a_month_bills_exactly_the_deliveries_whose_london_date_falls_in_it(tenant: Tenant) -> None:
    order = await PurchaseOrder.get(la_id=tenant.la.id)
    instants = {
        "MAR-LAST": datetime(2027, 3, 31, 22, 59, tzinfo=UTC),  # 23:59 BST: still March
        "APR-FIRST": datetime(2027, 3, 31, 23, 30, tzinfo=UTC),  # 00:30 BST on 1 April
        "DEC-LAST": datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # GMT: still 31 December
        "JAN-FIRST": datetime(2027, 1, 1, 0, 0, tzinfo=UTC),
        "FEB-LEAP": datetime(2028, 2, 29, 23, 59, tzinfo=UTC),
        "OCT-LAST": datetime(2027, 10, 31, 1, 30, tzinfo=UTC),  # the second 01:30 of the night the clocks go back
    }
    for reference, delivered in instants.items():
        bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                     reference=reference, work_type=WorkType.NEW_PLAN,
                                     status=BundleStatus.DELIVERED, writer=tenant.writers["writer1"], page_count=5,
                                     purchase_order=order, turnaround_due=date(2030, 1, 1))
        async with in_transaction() as conn:
            await write_delivery_lines(bundle, delivered_at=delivered, conn=conn)
    lines = await BillableLine.filter(la_id=tenant.la.id, kind=LineKind.INVOICE).select_related("bundle")
    months = {line.bundle.reference: (line.month, line.event_on) for line in lines}
    assert months == {
        "MAR-LAST": ("2027-03", date(2027, 3, 31)), "APR-FIRST": ("2027-04", date(2027, 4, 1)),
        "DEC-LAST": ("2026-12", date(2026, 12, 31)), "JAN-FIRST": ("2027-01", date(2027, 1, 1)),
        "FEB-LEAP": ("2028-02", date(2028, 2, 29)), "OCT-LAST": ("2027-10", date(2027, 10, 31)),
    }
