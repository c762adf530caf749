"""Billing documents from the database: headers from SQL sums, lines streamed in id order into `exports`.

The exports in `service.billing.exports` are pure and synchronous (an iterable of rows in, bytes out); here they
run in a worker thread that pulls the ledger from the event loop a batch at a time (keyset pages by id) and hands
each chunk it writes back to the loop through a small bounded queue, so a month of a million lines is exported
with a few batches in memory at any time. The headers are summed by the database first; the export checks the
streamed lines against them and fails at the end (`BillingMismatch`) if they do not add up.

A month is `final` once closed (`BillingBook.last_closed_month`), else a `draft`. A month with no line
(other than the current one) is unknown (404; a later month is known once a line lands in it); so is
an LA with no invoice in the month, an LA that is not a client of the writing service, and a writer who is not
one of its writers.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any, TypeVar, cast
from uuid import UUID

from tortoise.functions import Count, Sum

from contracts.billing import (
    DocumentStatus,
    InvoiceHeader,
    InvoiceLine,
    MonthSummary,
    PayoutHeader,
    PayoutLine,
    payment_terms_text,
)
from service import clock
from service.billing.exports import (
    ExportFormat,
    export_filename,
    export_invoice,
    export_month_summary,
    export_payouts,
)
from service.billing.lines import month_of
from service.billing.month_close_service import INVOICED, parse_month
from service.billing.service import INVOICE_VALUES, PAYOUT_VALUES, invoice_line, payout_line
from service.billing.totals import BillingMismatch, month_summary
from service.errors import NotFound
from service.models import BillableLine, BillingBook, Invoice, LineKind, Organisation, OrganisationKind, Writer

BATCH = 2_000
QUEUE_CHUNKS = 8
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
T = TypeVar("T")


@dataclass(frozen=True)
class Month:
    provider_id: UUID
    provider_name: str
    month: str
    status: DocumentStatus


@dataclass(frozen=True)
class Export:
    """A document ready to stream: its file name, media type, and the writer that produces its bytes."""

    filename: str
    media_type: str
    write: Callable[[IO[bytes]], None]


async def billing_month(provider_id: UUID, month: str, *, now: datetime | None = None) -> Month:
    """The month of a writing service's books, draft or final; 404 for a month it knows nothing of."""
    parse_month(month)
    provider = await Organisation.filter(id=provider_id, kind=OrganisationKind.PROVIDER).first()
    if provider is None:
        raise NotFound("no such writing service")
    book = await BillingBook.filter(provider_id=provider_id).first()
    final = book is not None and book.last_closed_month is not None and month <= book.last_closed_month
    current = month_of(now or clock.now())
    if month != current and not await BillableLine.filter(provider_id=provider_id, month=month).exists():
        raise NotFound(f"no such month: nothing is billed in {month}")
    return Month(provider_id, provider.name, month, "final" if final else "draft")


async def client_la(provider_id: UUID, la_id: UUID) -> Organisation:
    la = await Organisation.filter(id=la_id, kind=OrganisationKind.LA, provider_id=provider_id).first()
    if la is None:
        raise NotFound("no such LA")
    return la


async def invoice_header(books: Month, la: Organisation) -> InvoiceHeader:
    lines = BillableLine.filter(provider_id=books.provider_id, month=books.month, la_id=la.id, kind__in=INVOICED)
    totals = await lines.annotate(n=Count("id"), net=Sum("net_pence"), vat=Sum("vat_pence")).first().values(
        "n", "net", "vat")
    count = int((totals or {}).get("n") or 0)
    issued = await Invoice.filter(provider_id=books.provider_id, la_id=la.id, month=books.month).first()
    if count == 0 and issued is None:
        raise NotFound(f"no invoice for this LA in {books.month}")
    if books.status == "final" and issued is None:
        raise NotFound(f"no invoice for this LA in {books.month}")
    net, vat = int(totals["net"] or 0) if totals else 0, int(totals["vat"] or 0) if totals else 0
    if books.status == "final" and issued is not None and (issued.line_count, issued.net_pence,
                                                           issued.vat_pence) != (count, net, vat):
        raise BillingMismatch(f"invoice {issued.number}: the ledger no longer adds up to the totals closed",
                              issued.net_pence, net)
    credits = await lines.filter(kind=LineKind.CREDIT).annotate(net=Sum("net_pence")).first().values("net")
    po_numbers = await lines.filter(purchase_order_id__isnull=False).distinct().values_list(
        "purchase_order__po_number", flat=True)
    provider = await Organisation.get(id=books.provider_id)
    issued_on = issued.issued_on if issued and books.status == "final" else None
    terms = payment_terms_days(provider, la)
    return InvoiceHeader(
        invoice_number=issued.number if issued and books.status == "final" else None,
        document_type="credit_note" if net + vat < 0 else "invoice", status=books.status, month=books.month,
        provider_name=books.provider_name, la_id=str(la.id), la_name=la.name,
        issued_on=issued.issued_on if issued and books.status == "final" else None,
        po_numbers=tuple(sorted({str(p) for p in po_numbers})), line_count=count, net_pence=net, vat_pence=vat,
        gross_pence=net + vat, credits_net_pence=int((credits or {}).get("net") or 0),
        supplier_address_lines=tuple(provider.address_lines or ()), supplier_postcode=provider.postcode,
        supplier_vat_number=provider.vat_number, customer_address_lines=tuple(la.address_lines or ()),
        customer_postcode=la.postcode, payment_terms_days=terms, payment_terms=payment_terms_text(terms),
        time_of_supply=time_of_supply(books.month, issued_on) if issued_on else None,
        due_on=issued_on + timedelta(days=terms) if issued_on else None,
    )


DEFAULT_PAYMENT_TERMS_DAYS = 30
TAX_POINT_DAYS = 14


def payment_terms_days(provider: Organisation, la: Organisation) -> int:
    """The LA's own payment terms, else its writing service's, else 30 days."""
    for days in (la.payment_terms_days, provider.payment_terms_days):
        if days is not None:
            return days
    return DEFAULT_PAYMENT_TERMS_DAYS


def time_of_supply(month: str, issued_on: date) -> date:
    """The tax point of a month's supplies: the date of issue when the invoice is issued within 14 days of the
    month's end (HMRC's 14-day rule), else the month's last day (the latest basic tax point of its lines)."""
    year, number = int(month[:4]), int(month[5:7])
    last_day = date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)
    return issued_on if last_day <= issued_on <= last_day + timedelta(days=TAX_POINT_DAYS) else last_day


async def payout_header(books: Month, writer_id: UUID | None) -> PayoutHeader:
    lines = BillableLine.filter(provider_id=books.provider_id, month=books.month, kind=LineKind.PAYOUT)
    name = None
    if writer_id is not None:
        writer = await Writer.filter(id=writer_id, provider_id=books.provider_id).select_related("user").first()
        if writer is None:
            raise NotFound("no such writer")
        lines, name = lines.filter(writer_id=writer_id), writer.user.name
    totals = await lines.annotate(n=Count("id"), net=Sum("net_pence")).first().values("n", "net")
    return PayoutHeader(status=books.status, month=books.month, provider_name=books.provider_name,
                        writer_id=str(writer_id) if writer_id else None, writer_name=name,
                        line_count=int((totals or {}).get("n") or 0), net_pence=int((totals or {}).get("net") or 0))


async def summary(books: Month) -> tuple[MonthSummary, list[InvoiceHeader], PayoutHeader]:
    las = await BillableLine.filter(provider_id=books.provider_id, month=books.month, kind__in=INVOICED).distinct(
        ).values_list("la_id", flat=True)
    orgs = {org.id: org for org in await Organisation.filter(id__in=list(las))}
    headers = [await invoice_header(books, orgs[la_id]) for la_id in sorted(orgs, key=str)]
    payouts = await payout_header(books, None)
    return (month_summary(headers, payouts, status=books.status, month=books.month,
                          provider_name=books.provider_name), headers, payouts)


async def _batches(query_values: Callable[[int], Any]) -> AsyncIterator[list[dict[str, Any]]]:
    last = 0
    while True:
        rows = await query_values(last)
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


async def invoice_lines(books: Month, la_id: UUID) -> AsyncIterator[list[InvoiceLine]]:
    def page(last: int) -> Any:
        return BillableLine.filter(provider_id=books.provider_id, month=books.month, la_id=la_id, kind__in=INVOICED,
                                   id__gt=last).order_by("id").limit(BATCH).values(*INVOICE_VALUES)

    async for rows in _batches(page):
        yield [invoice_line(row) for row in rows]


async def payout_lines(books: Month, writer_id: UUID | None) -> AsyncIterator[list[PayoutLine]]:
    def page(last: int) -> Any:
        query = BillableLine.filter(provider_id=books.provider_id, month=books.month, kind=LineKind.PAYOUT,
                                    id__gt=last)
        if writer_id is not None:
            query = query.filter(writer_id=writer_id)
        return query.order_by("id").limit(BATCH).values(*PAYOUT_VALUES)

    async for rows in _batches(page):
        yield [payout_line(row) for row in rows]


def _pulled(batches: AsyncIterator[list[T]], loop: asyncio.AbstractEventLoop) -> Iterator[T]:
    """A worker thread's view of an async iterator of batches: one item at a time, a batch per hop to the loop."""
    async def following() -> list[T]:
        return await anext(batches)

    while True:
        try:
            batch = asyncio.run_coroutine_threadsafe(following(), loop).result()
        except StopAsyncIteration:
            return
        yield from batch


async def invoice_export(books: Month, la: Organisation, fmt: ExportFormat) -> Export:
    header = await invoice_header(books, la)
    loop = asyncio.get_running_loop()
    return Export(export_filename("invoice", books.month, fmt, books.status, str(la.id)), MEDIA_TYPES[fmt],
                  lambda out: export_invoice(header, _pulled(invoice_lines(books, la.id), loop), out, fmt))


async def payouts_export(books: Month, writer_id: UUID | None, fmt: ExportFormat) -> Export:
    header = await payout_header(books, writer_id)
    loop = asyncio.get_running_loop()
    party = str(writer_id) if writer_id else None
    return Export(export_filename("payouts", books.month, fmt, books.status, party), MEDIA_TYPES[fmt],
                  lambda out: export_payouts(header, _pulled(payout_lines(books, writer_id), loop), out, fmt))


async def summary_export(books: Month, fmt: ExportFormat) -> Export:
    month, headers, payouts = await summary(books)
    return Export(export_filename("summary", books.month, fmt, books.status), MEDIA_TYPES[fmt],
                  lambda out: export_month_summary(month, headers, payouts, out, fmt))


class _Cancelled(Exception):
    """The reader went away: the export thread stops at its next write."""


class _QueueWriter:
    """The binary file the export thread writes to: each chunk goes to the loop's bounded queue."""

    def __init__(self, queue: asyncio.Queue[bytes | None], loop: asyncio.AbstractEventLoop,
                 cancelled: threading.Event) -> None:
        self._queue, self._loop, self._cancelled = queue, loop, cancelled

    def write(self, data: bytes) -> int:
        if self._cancelled.is_set():
            raise _Cancelled
        if data:
            asyncio.run_coroutine_threadsafe(self._queue.put(bytes(data)), self._loop).result()
        return len(data)

    def flush(self) -> None:
        return None


async def stream(export: Export) -> AsyncIterator[bytes]:
    """The export's bytes as they are written (bounded: at most QUEUE_CHUNKS chunks wait for the reader)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=QUEUE_CHUNKS)
    cancelled = threading.Event()

    def work() -> None:
        try:
            export.write(cast(IO[bytes], _QueueWriter(queue, loop, cancelled)))
        finally:
            if not cancelled.is_set():
                asyncio.run_coroutine_threadsafe(queue.put(None), loop).result()

    job = asyncio.ensure_future(asyncio.to_thread(work))  # to_thread: the thread sees this context's database
    finished = False
    try:
        while (chunk := await queue.get()) is not None:
            yield chunk
        finished = True
    finally:
        if not finished:  # the reader went away: stop the thread, unblocking a write waiting on the full queue
            cancelled.set()
            while not job.done():
                while not queue.empty():
                    queue.get_nowait()
                await asyncio.sleep(0.01)
    await job  # the export's own failure (a BillingMismatch after the last line) surfaces here
