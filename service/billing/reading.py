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
    CreditNoteOut,
    CreditNotesHeader,
    DocumentStatus,
    ExportFormatName,
    InvoiceHeader,
    InvoiceLine,
    LaMonthTotals,
    MonthSummary,
    PayoutHeader,
    PayoutLine,
    payment_terms_text,
)
from service import clock, runtime
from service.billing.accounting import Document, Layout, Party, account_reference, write_bills, write_sales
from service.billing.accounting import Line as AccountingLine
from service.billing.credit_notes import credit_notes
from service.billing.exports import (
    ExportFormat,
    export_credit_notes,
    export_filename,
    export_invoice,
    export_month_summary,
    export_payouts,
)
from service.billing.lines import month_of
from service.billing.month_close_service import INVOICED, parse_month
from service.billing.parties import Party as IssuedParty
from service.billing.parties import issued as issued_to
from service.billing.service import INVOICE_VALUES, PAYOUT_VALUES, invoice_line, payout_line
from service.billing.totals import BillingMismatch, la_month, month_summary
from service.errors import Conflict, NotFound
from service.models import (
    BillableLine,
    BillingBook,
    Invoice,
    LineKind,
    Organisation,
    OrganisationKind,
    Writer,
)
from service.settings import AccountingCodes

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
    po_numbers = await lines.filter(purchase_order_id__isnull=False).distinct().values_list(
        "purchase_order__po_number", flat=True)
    provider = await Organisation.get(id=books.provider_id)
    final = issued is not None and books.status == "final"
    issued_on = issued.issued_on if issued is not None and final else None
    parties = issued_to(issued.parties if issued is not None and final else None, provider, la)
    terms = parties.payment_terms_days
    return InvoiceHeader(
        invoice_number=issued.number if issued and books.status == "final" else None,
        document_type="credit_note" if net + vat < 0 else "invoice", status=books.status, month=books.month,
        provider_name=books.provider_name, la_id=str(la.id), la_name=la.name,
        issued_on=issued.issued_on if issued and books.status == "final" else None,
        po_numbers=tuple(sorted({str(p) for p in po_numbers})), line_count=count, net_pence=net, vat_pence=vat,
        gross_pence=net + vat, credits_net_pence=0,
        supplier_address_lines=parties.supplier.address_lines, supplier_postcode=parties.supplier.postcode,
        supplier_vat_number=parties.supplier.vat_number, customer_address_lines=parties.customer.address_lines,
        customer_postcode=parties.customer.postcode, payment_terms_days=terms, payment_terms=payment_terms_text(terms),
        time_of_supply=time_of_supply(books.month, issued_on) if issued_on else None,
        due_on=issued_on + timedelta(days=terms) if issued_on else None,
    )


TAX_POINT_DAYS = 14


def time_of_supply(month: str, issued_on: date) -> date:
    """The tax point of a month's supplies: the date of issue when the invoice is issued within 14 days of the
    month's end (HMRC's 14-day rule), else the month's last day (the latest basic tax point of its lines)."""
    last_day = month_end(month)
    return issued_on if last_day <= issued_on <= last_day + timedelta(days=TAX_POINT_DAYS) else last_day


def month_end(month: str) -> date:
    """The last day of a YYYY-MM month."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)


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


async def summary(books: Month) -> tuple[MonthSummary, list[LaMonthTotals], PayoutHeader]:
    """The month per LA: its invoice (if it has one) and its credit notes, in LA id order; then the payouts."""
    invoiced = set(await BillableLine.filter(provider_id=books.provider_id, month=books.month,
                                             kind__in=INVOICED).distinct().values_list("la_id", flat=True))
    notes: dict[str, list[CreditNoteOut]] = {}
    for note in await credit_notes(books.provider_id, month=books.month):
        notes.setdefault(note.la_id, []).append(note)
    orgs = {org.id: org for org in await Organisation.filter(id__in=[*invoiced, *map(UUID, notes)])}
    rows = []
    for la_id in sorted(orgs, key=str):
        header = await invoice_header(books, orgs[la_id]) if la_id in invoiced else None
        rows.append(la_month(header, notes.get(str(la_id), []), status=books.status, month=books.month,
                             la_id=str(la_id), la_name=orgs[la_id].name))
    payouts = await payout_header(books, None)
    return (month_summary(rows, payouts, status=books.status, month=books.month,
                          provider_name=books.provider_name), rows, payouts)


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


async def invoice_export(books: Month, la: Organisation, fmt: ExportFormatName) -> Export:
    if fmt in LAYOUTS:
        return await sales_export(books, cast(Layout, fmt), la)
    table = cast(ExportFormat, fmt)  # csv, xlsx or json
    header = await invoice_header(books, la)
    loop = asyncio.get_running_loop()
    return Export(export_filename("invoice", books.month, table, books.status, str(la.id)), MEDIA_TYPES[table],
                  lambda out: export_invoice(header, _pulled(invoice_lines(books, la.id), loop), out, table))


async def payouts_export(books: Month, writer_id: UUID | None, fmt: ExportFormatName) -> Export:
    if fmt in LAYOUTS:
        return await bills_export(books, cast(Layout, fmt), writer_id)
    table = cast(ExportFormat, fmt)  # csv, xlsx or json
    header = await payout_header(books, writer_id)
    loop = asyncio.get_running_loop()
    party = str(writer_id) if writer_id else None
    return Export(export_filename("payouts", books.month, table, books.status, party), MEDIA_TYPES[table],
                  lambda out: export_payouts(header, _pulled(payout_lines(books, writer_id), loop), out, table))


async def credit_notes_export(books: Month, la: Organisation | None, fmt: ExportFormatName) -> Export:
    """The month's credit notes (of one LA, or all) as a document of their own; the notes are read whole (a month
    has few), and checked against the ledger's own sums of its credit lines."""
    if fmt in LAYOUTS:
        return await sales_export(books, cast(Layout, fmt), la, credit_notes_only=True)
    table = cast(ExportFormat, fmt)  # csv, xlsx or json
    la_id = la.id if la is not None else None
    notes = await credit_notes(books.provider_id, month=books.month, la_id=la_id)
    credits = BillableLine.filter(provider_id=books.provider_id, month=books.month, kind=LineKind.CREDIT)
    if la_id is not None:
        credits = credits.filter(la_id=la_id)
    sums = await credits.annotate(n=Count("id"), net=Sum("net_pence"), vat=Sum("vat_pence")).first().values(
        "n", "net", "vat")
    net, vat = int((sums or {}).get("net") or 0), int((sums or {}).get("vat") or 0)
    header = CreditNotesHeader(status=books.status, month=books.month, provider_name=books.provider_name,
                               la_id=str(la_id) if la_id else None, la_name=la.name if la is not None else None,
                               credit_note_count=int((sums or {}).get("n") or 0), net_pence=net, vat_pence=vat,
                               gross_pence=net + vat)
    return Export(export_filename("credit-notes", books.month, table, books.status, str(la_id) if la_id else None),
                  MEDIA_TYPES[table], lambda out: export_credit_notes(header, notes, out, table))


async def summary_export(books: Month, fmt: ExportFormatName) -> Export:
    if fmt in LAYOUTS:
        return await sales_export(books, cast(Layout, fmt), None)
    table = cast(ExportFormat, fmt)  # csv, xlsx or json
    month, headers, payouts = await summary(books)
    return Export(export_filename("summary", books.month, table, books.status), MEDIA_TYPES[table],
                  lambda out: export_month_summary(month, headers, payouts, out, table))


# ---- accounting software's imports (service/billing/accounting.py) ---------------------------------------------

LAYOUTS = ("xero", "sage")


def _final(books: Month) -> None:
    if books.status != "final":
        raise Conflict(f"{books.month} is not closed: an accounting import carries final numbers, so export it "
                       "once the month is closed (csv, xlsx or json show the draft)")


def _codes(provider_id: UUID) -> AccountingCodes:
    return runtime.current().settings.accounting_codes_of(provider_id)


def _accounting_filename(document: str, month: str, layout: Layout, party: str | None = None) -> str:
    return "-".join(["planwright", document, *([party] if party else []), month, layout]) + ".csv"


async def sales_documents(books: Month, la_id: UUID | None, *, invoices: bool = True,
                          notes: bool = True) -> list[Document]:
    """The closed month's invoices (their invoice lines) and then its credit notes, of one LA or all, in number
    order: each a document of its own."""
    documents: list[Document] = []
    if invoices:
        issued = Invoice.filter(provider_id=books.provider_id, month=books.month)
        if la_id is not None:
            issued = issued.filter(la_id=la_id)
        numbered = await issued.order_by("number")
        las = {org.id: org for org in await Organisation.filter(id__in=[i.la_id for i in numbered])}  # type: ignore[attr-defined]
        provider = await Organisation.get(id=books.provider_id)
        for invoice in numbered:
            la = las[invoice.la_id]  # type: ignore[attr-defined]
            lines = [line async for batch in invoice_lines(books, la.id) for line in batch]
            orders = sorted({line.po_number for line in lines if line.po_number})
            parties = issued_to(invoice.parties, provider, la)
            documents.append(Document(
                type="sales_invoice", number=invoice.number, party=_customer(la.id, parties.customer),
                issued_on=invoice.issued_on, due_on=invoice.issued_on + timedelta(days=parties.payment_terms_days),
                reference="; ".join(orders) or f"Planwright {books.month}",
                lines=tuple(AccountingLine(line.description, line.net_pence, line.vat_pence, line.vat_rate_bp)
                            for line in lines)))
    if not notes:
        return documents
    for note in await credit_notes(books.provider_id, month=books.month, la_id=la_id):
        corrected = note.corrects_invoice_number or f"{note.corrects_month} invoice"
        documents.append(Document(
            type="sales_credit", number=note.credit_note_number,
            party=_customer(note.la_id, IssuedParty(
                name=note.customer_name, address_lines=note.customer_address_lines, postcode=note.customer_postcode,
                email=note.customer_email, account_reference=note.customer_account_reference)),
            issued_on=note.issued_on, due_on=note.issued_on,
            reference=f"{corrected} line {note.corrects_line_id}",
            lines=(AccountingLine(note.line.description, -note.net_pence, -note.vat_pence, note.line.vat_rate_bp),)))
    return documents


def _customer(la_id: UUID | str, customer: IssuedParty) -> Party:
    """The LA as a customer in an import: its own Sage 50 account reference, else the default made from its id."""
    return Party(customer.name, customer.account_reference or account_reference("LA", str(la_id)),
                 customer.address_lines, customer.postcode, customer.email)


async def bill_documents(books: Month, writer_id: UUID | None) -> list[Document]:
    """The closed month's payouts as one bill per writer (writers in name order), each due BILL_TERMS after the
    month's last day."""
    codes = _codes(books.provider_id)
    last_day = month_end(books.month)
    by_writer: dict[str, list[PayoutLine]] = {}
    async for batch in payout_lines(books, writer_id):
        for line in batch:
            by_writer.setdefault(line.writer_id, []).append(line)
    documents = []
    for writer, lines in sorted(by_writer.items(), key=lambda item: (item[1][0].writer_name, item[0])):
        documents.append(Document(
            type="purchase_invoice", number=f"PAY-{books.month}-{writer.replace('-', '')[:8].upper()}",
            party=Party(lines[0].writer_name or writer, account_reference("W", writer)), issued_on=last_day,
            due_on=last_day + timedelta(days=codes.bill_terms_days), reference=f"Planwright payouts {books.month}",
            lines=tuple(AccountingLine(f"{line.work_type.replace('_', ' ')} ({line.cause}), case "
                                       f"{line.bundle_reference}", line.net_pence, 0, 0) for line in lines)))
    return documents


async def sales_export(books: Month, layout: Layout, la: Organisation | None, *,
                       credit_notes_only: bool = False) -> Export:
    """A closed month in an import layout: an LA's invoice (`la`), its or every LA's credit notes
    (`credit_notes_only`), or every invoice and credit note (the summary's)."""
    _final(books)
    la_id = la.id if la is not None else None
    documents = await sales_documents(books, la_id, invoices=not credit_notes_only,
                                      notes=credit_notes_only or la is None)
    codes = _codes(books.provider_id)
    document = "credit-notes" if credit_notes_only else "invoice" if la is not None else "sales"
    name = _accounting_filename(document, books.month, layout, str(la_id) if la_id else None)
    return Export(name, MEDIA_TYPES["csv"], lambda out: write_sales(out, layout, documents, codes))


async def bills_export(books: Month, layout: Layout, writer_id: UUID | None) -> Export:
    _final(books)
    if writer_id is not None:
        await payout_header(books, writer_id)  # another service's writer: 404
    documents = await bill_documents(books, writer_id)
    codes = _codes(books.provider_id)
    name = _accounting_filename("payouts", books.month, layout, str(writer_id) if writer_id else None)
    return Export(name, MEDIA_TYPES["csv"], lambda out: write_bills(out, layout, documents, codes))


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
