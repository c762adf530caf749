"""The ledger over random sequences of card changes, commits, deliveries, amendments, acceptances, credits and
month closes, run against the database (SQLite here, PostgreSQL in CI's second suite) through the service's own
functions. After each sequence:

- each delivered job has exactly one payout, at the terms in force when it was committed (or none yet, when
  those terms pay on an acceptance that has not happened), plus at most one reversal of it;
- each delivery has exactly one invoice line, priced by those terms whatever cards came after;
- each line is corrected at most once, and a credit is the exact mirror of its line, or a part of its net with
  VAT at its rate;
- a charged amendment has one invoice line and at most one payout, a free one neither;
- sums reconcile: each closed month's stored invoice totals are the sums of its lines, unchanged since it closed,
  and no line lands in a month after it closed.

The oracle is the sequence itself: the card in force at each commit is remembered here, never read back from the
bundle, so terms that drifted with a later card would fail. Each example is its own writing service, LA,
contract, purchase order and writers, so months and invoice numbers start afresh. It runs thousands of examples
on every run (locally and in CI, both databases), and a tenth as many at each test instant: see `EXAMPLES`.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from tortoise.transactions import in_transaction

from service.auth.principal import Principal, principal_for
from service.billing.lines import month_of
from service.billing.month_close import first_open_month
from service.billing.month_close_service import books_start, close_month
from service.billing.rate_card import WORK_TYPES, RateCard, standard_rate_card
from service.billing.rating import rate_amendment, rate_delivery, rate_payout, share
from service.billing.service import (
    book_of,
    correct_line,
    set_rate_card,
    write_acceptance_lines,
    write_amendment_lines,
    write_delivery_lines,
)
from service.bundles.submission import submit_bundle
from service.errors import Conflict
from service.models import (
    BillableLine,
    Bundle,
    BundleStatus,
    Event,
    Invoice,
    LaContract,
    LineKind,
    Organisation,
    OrganisationKind,
    PurchaseOrder,
    Role,
    Tier,
    User,
    WorkType,
    Writer,
)
from tests.factories import SUPPLIER_DETAILS

# CI's two suites (SQLite, PostgreSQL) each run them all; at each of the twelve test instants (`--clock`) a tenth,
# which is enough to meet that day's months and keeps CI inside its time.
EXAMPLES = 200 if os.environ.get("PLANWRIGHT_TEST_CLOCK") else 2_000
BUNDLES = 3
START = datetime(2026, 1, 5, 9, tzinfo=UTC)

cards = st.builds(
    lambda event, price_x, payout_x, window: standard_rate_card(
        prices_pence={w: p * price_x for w, p in standard_rate_card().prices_pence.items()},
        payouts_pence={w: p * payout_x for w, p in standard_rate_card().payouts_pence.items()},
        amendment_payouts_pence={w: 5_000 * payout_x for w in WORK_TYPES},
        payout_earned_on=event, free_amendment_working_days=window),
    st.sampled_from(["delivery", "acceptance"]), st.integers(1, 3), st.integers(1, 3), st.sampled_from([0, 2, 10]),
)
bundle_index = st.integers(0, BUNDLES - 1)
steps = st.lists(st.one_of(
    st.tuples(st.just("card"), cards),
    st.tuples(st.just("commit"), bundle_index),
    st.tuples(st.just("deliver"), bundle_index),
    st.tuples(st.just("amend"), bundle_index, st.integers(0, 15)),
    st.tuples(st.just("accept"), bundle_index),
    st.tuples(st.just("credit"), st.integers(0, 30), st.one_of(st.none(), st.integers(1, 100))),
    st.tuples(st.just("close"), st.just(0)),
    st.tuples(st.just("wait"), st.integers(1, 45)),
), min_size=1, max_size=30)
jobs = st.lists(st.tuples(st.sampled_from(WORK_TYPES), st.booleans(), st.integers(0, 200)),
                min_size=BUNDLES, max_size=BUNDLES)


@dataclass
class Job:
    """What the sequence did to one bundle, as the oracle remembers it."""

    bundle: Bundle
    terms: RateCard | None = None  # the card in force when it was committed
    delivered: bool = False
    accepted: bool = False
    open_amendment: bool = False
    amendments: dict[int, int] = field(default_factory=dict)  # event id -> working days after delivery


@dataclass
class Books:
    provider: Organisation
    la: Organisation
    finance: Principal
    writer: Writer
    la_user: User
    card: RateCard
    now: datetime = START
    closed_totals: dict[str, list[tuple[str, int, int, int]]] = field(default_factory=dict)


async def new_books() -> Books:
    tag = uuid.uuid4().hex[:6]
    provider = await Organisation.create(kind=OrganisationKind.PROVIDER, name=f"Sequences {tag}", **SUPPLIER_DETAILS)
    la = await Organisation.create(kind=OrganisationKind.LA, name=f"County {tag}", provider=provider)
    card = standard_rate_card()
    await LaContract.create(la=la, provider=provider, starts_on=date(2025, 1, 1),
                            rate_card=card.model_dump(mode="json"))
    await PurchaseOrder.create(la=la, provider=provider, po_number=f"PO-{tag}", value_pence=10**12)
    finance = await User.create(organisation=provider, name=f"finance {tag}", role=Role.FINANCE)
    la_user = await User.create(organisation=la, name=f"officer {tag}", role=Role.LA_OFFICER)
    writer_user = await User.create(organisation=provider, name=f"writer {tag}", role=Role.WRITER)
    writer = await Writer.create(user=writer_user, provider=provider)
    loaded = await User.get(id=finance.id).select_related("organisation", "writer")
    return Books(provider, la, principal_for(loaded), writer, la_user, card)


async def run_step(books: Books, jobs: list[Job], step: tuple[Any, ...]) -> None:
    kind = step[0]
    if kind == "wait":
        books.now += timedelta(days=step[1])
        return
    books.now += timedelta(hours=1)
    with time_machine.travel(books.now, tick=False):
        if kind == "card":
            books.card = await set_rate_card(books.finance, books.la.id, step[1])
        elif kind == "close":
            await close_next(books)
        elif kind == "credit":
            await credit(books, step[1], step[2])
        else:
            await bundle_step(books, jobs[step[1]], kind, *step[2:])


async def bundle_step(books: Books, job: Job, kind: str, *args: int) -> None:
    bundle = await Bundle.get(id=job.bundle.id)
    async with in_transaction() as conn:
        if kind == "commit" and job.terms is None:
            await submit_bundle(bundle, actor_id=books.la_user.id, conn=conn)
            job.terms = books.card
        elif kind == "deliver" and job.terms is not None and (not job.delivered or job.open_amendment):
            await Bundle.filter(id=bundle.id).using_db(conn).update(
                status=BundleStatus.DELIVERED, writer_id=books.writer.id,
                delivered_at=bundle.delivered_at or books.now)
            bundle = await Bundle.get(id=bundle.id).using_db(conn)
            await write_delivery_lines(bundle, delivered_at=books.now, conn=conn)
            job.delivered, job.open_amendment = True, False
        elif kind == "amend" and job.delivered and not job.open_amendment and not job.accepted:
            days = args[0]
            event = await Event.create(bundle_id=bundle.id, name="amendment.requested", using_db=conn,
                                       from_status="delivered", to_status="amendment_requested",
                                       data={"working_days": days})
            await write_amendment_lines(bundle, event.id, requested_at=books.now, working_days=days, conn=conn)
            job.amendments[event.id] = days
            job.open_amendment = True
        elif kind == "accept" and job.delivered and not job.open_amendment and not job.accepted:
            await write_acceptance_lines(bundle, accepted_at=books.now, conn=conn)
            job.accepted = True


async def close_next(books: Books) -> None:
    async with in_transaction() as conn:
        book = await book_of(books.provider.id, conn, lock=False)
        month = first_open_month(books_start=await books_start(book, conn), last_closed=book.last_closed_month)
    if month is None or month >= month_of(books.now):
        return
    first = await close_month(books.finance, month)
    assert first.closed_now is True
    assert (await close_month(books.finance, month)).closed_now is False
    books.closed_totals[month] = sorted((i.la_id, i.line_count, i.net_pence, i.vat_pence) for i in first.invoices)


async def credit(books: Books, pick: int, percent: int | None) -> None:
    """Finance credits a line: whole, or (an invoice line) `percent` of its net."""
    lines = await BillableLine.filter(provider_id=books.provider.id, corrects_line_id__isnull=True).exclude(
        kind=LineKind.CREDIT).order_by("id")
    if not lines:
        return
    chosen = lines[pick % len(lines)]
    amount = None
    if percent is not None and chosen.kind == LineKind.INVOICE and chosen.net_pence > 0:
        amount = max(1, chosen.net_pence * percent // 100)
    try:
        await correct_line(books.finance, chosen.id, "test correction", amount)
    except Conflict:
        assert await BillableLine.filter(corrects_line_id=chosen.id).exists()


async def check(books: Books, jobs: list[Job]) -> None:
    lines = list(await BillableLine.filter(provider_id=books.provider.id).order_by("id"))
    corrections: dict[int, list[BillableLine]] = defaultdict(list)
    for line in lines:
        if line.corrects_line_id is not None:  # type: ignore[attr-defined]
            corrections[line.corrects_line_id].append(line)  # type: ignore[attr-defined]
    by_id = {line.id: line for line in lines}
    for original_id, fixes in corrections.items():
        assert len(fixes) == 1, f"line {original_id} corrected {len(fixes)} times"
        original, fix = by_id[original_id], fixes[0]
        assert original.corrects_line_id is None  # type: ignore[attr-defined]
        if fix.kind == LineKind.CREDIT and fix.net_pence != -original.net_pence:  # a partial credit
            assert -original.net_pence <= fix.net_pence < 0
            assert fix.vat_pence == -share(-fix.net_pence, original.vat_rate_bp)
        else:
            assert (fix.net_pence, fix.vat_pence) == (-original.net_pence, -original.vat_pence)
        assert fix.kind == (LineKind.PAYOUT if original.kind == LineKind.PAYOUT else LineKind.CREDIT)
    for job in jobs:
        mine = [line for line in lines if line.bundle_id == job.bundle.id and line.corrects_line_id is None]  # type: ignore[attr-defined]
        if job.terms is None or not job.delivered:
            assert mine == []
            continue
        bundle = await Bundle.get(id=job.bundle.id)
        express = bundle.tier == Tier.EXPRESS
        work_type = bundle.work_type.value
        invoices = [line for line in mine if line.kind == LineKind.INVOICE and line.cause == "delivery"]
        assert [line.net_pence for line in invoices] == [
            rate_delivery(job.terms, work_type, bundle.page_count, express, 0).net_pence]
        payouts = [line for line in mine if line.kind == LineKind.PAYOUT and line.cause in ("delivery", "acceptance")]
        earned = job.terms.payout_earned_on == "delivery" or job.accepted
        expected = [(job.terms.payout_earned_on, rate_payout(job.terms, work_type, express).net_pence)]
        assert [(line.cause, line.net_pence) for line in payouts] == (expected if earned else []), (
            f"job payouts {[(p.cause, p.net_pence) for p in payouts]}, terms pay on {job.terms.payout_earned_on}")
        for event_id, days in job.amendments.items():
            rated = rate_amendment(job.terms, work_type, days)
            charged = [line for line in mine if line.cause == f"amendment:{event_id}"]
            if rated is None:
                assert charged == []
                continue
            assert [line.net_pence for line in charged if line.kind == LineKind.INVOICE] == [rated[0].net_pence]
            assert [line.net_pence for line in charged if line.kind == LineKind.PAYOUT] in ([], [rated[1].net_pence])
    # sums reconcile: a closed month's invoices are the sums of its invoice lines (a credit is a credit note of its
    # own, never on an invoice), frozen since the close
    invoices = await Invoice.filter(provider_id=books.provider.id)
    stored: dict[str, list[tuple[str, int, int, int]]] = defaultdict(list)
    for invoice in invoices:
        stored[invoice.month].append((str(invoice.la_id), invoice.line_count,  # type: ignore[attr-defined]
                                      invoice.net_pence, invoice.vat_pence))
    assert {month: sorted(rows) for month, rows in stored.items()} == {
        month: rows for month, rows in books.closed_totals.items() if rows}
    for month, rows in books.closed_totals.items():
        billed = [line for line in lines if line.month == month and line.kind == LineKind.INVOICE]
        summed = [(str(books.la.id), len(billed), sum(line.net_pence for line in billed),
                   sum(line.vat_pence for line in billed))] if billed else []
        assert rows == summed, f"{month} changed after it closed"
    assert sum(line.net_pence for line in lines) == sum(
        sum(line.net_pence for line in lines if line.month == month) for month in {line.month for line in lines})


@settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=steps, kinds=jobs)
async def test_random_sequences_pay_each_job_once_credit_each_line_once_and_reconcile(
    app: Starlette, steps: list[tuple[Any, ...]], kinds: list[tuple[str, bool, int]],
) -> None:
    try:
        # one transaction per example, rolled back at its end: each service call's own transaction nests in it
        # (a savepoint), so the calls behave as they do alone, but an example costs one commit-free round of
        # the database instead of dozens of synced commits, and leaves nothing behind
        async with in_transaction():
            books = await new_books()
            jobs = [Job(await Bundle.create(
                la=books.la, provider=books.provider, created_by=books.la_user, reference=f"SEQ-{n}",
                work_type=WorkType(work_type), tier=Tier.EXPRESS if express else Tier.STANDARD, page_count=pages))
                for n, (work_type, express, pages) in enumerate(kinds)]
            for step in steps:
                await run_step(books, jobs, step)
            await check(books, jobs)
            raise RolledBack
    except RolledBack:
        pass


class RolledBack(Exception):
    """Ends an example's transaction without keeping anything."""
