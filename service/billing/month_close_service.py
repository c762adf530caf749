"""Month close in the service: finance closes a month once, in one transaction, with the provider's books locked.

The shell of `service.billing.month_close`, whose pure rules are: a month closes only after it has ended, months
close in order, a repeat close changes nothing and a closed month is never reopened. Closing assigns the gapless
invoice numbers (`month_close.invoice_numbers`, continuing the counter on the provider's `BillingBook` row, which
every line writer locks too, so no line lands in a month while it closes), stores each LA's invoice with its
totals, and moves the book's last closed month on. A month with an invoice that charges VAT closes only once the
writing service's name, address and VAT number are set (a full VAT invoice names them). From then every event
whose month is closed is written in the first open month. A bundle mid-delivery at close has no line yet: it is
billed in the month its delivery (or acceptance, or amendment) happens.
"""

from __future__ import annotations

import re
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from contracts.billing import BillingMonthList, BillingMonthOut, ClosedInvoice, MonthClosed, MonthState
from service import clock
from service.audit.service import audit
from service.auth.principal import Principal
from service.billing.lines import month_of, next_month
from service.billing.month_close import (
    MonthBeforeBooks,
    MonthNotClosable,
    check_closable,
    first_open_month,
    invoice_numbers,
)
from service.billing.parties import parties_of, stored, supplier_gaps
from service.billing.service import book_of
from service.clock import london_date
from service.errors import Conflict, InvalidInput, NotFound
from service.models import BillableLine, BillingBook, Invoice, LineKind, Organisation

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# the lines an invoice carries: charges and manual lines. A credit line is a credit note of its own, never a line
# of an invoice (`service.billing.credit_notes`).
INVOICED = (LineKind.INVOICE,)


class SupplierDetailsMissing(InvalidInput):
    """The month has an invoice that charges VAT, and a full VAT invoice names its supplier's name, address and
    VAT registration number: `missing` lists the writing service's fields not set (`address_lines`, `postcode`,
    `vat_number`). Nothing was closed; set them (`planwright org provider --address-line ... --postcode ...
    --vat-number ...`) and close the month again."""

    type_, title = "supplier-details-missing", "Supplier details missing"

    def __init__(self, month: str, missing: list[str]) -> None:
        super().__init__(
            f"{month} has an invoice that charges VAT, and a full VAT invoice names the writing service's "
            f"{', '.join(missing)}: set them, then close the month", missing=missing,
            errors=[{"field": f"provider.{name}", "message": "a full VAT invoice needs it"} for name in missing])


def parse_month(value: str, *, missing: type[InvalidInput] | type[NotFound] = NotFound) -> str:
    """A YYYY-MM month, or the given problem (404 on a path, 422 in a body)."""
    if not MONTH.match(value):
        raise missing("no such month; months are written YYYY-MM")
    return value


def _closed(invoices: list[Invoice]) -> list[ClosedInvoice]:
    return [ClosedInvoice(la_id=str(i.la_id), invoice_number=i.number, line_count=i.line_count,  # type: ignore[attr-defined]
                          net_pence=i.net_pence, vat_pence=i.vat_pence, gross_pence=i.net_pence + i.vat_pence)
            for i in invoices]


async def books_start(book: BillingBook, conn: BaseDBAsyncClient) -> str | None:
    """The provider's first month: its first billable line's month, or the start finance set if earlier."""
    return await _start(book.provider_id, book.starts_month, conn)  # type: ignore[attr-defined]


async def _start(provider_id: UUID, starts_month: str | None, conn: BaseDBAsyncClient) -> str | None:
    first = await BillableLine.filter(provider_id=provider_id).using_db(conn).order_by("month").limit(
        1).values_list("month", flat=True)
    starts = [str(month) for month in (*first, starts_month) if month]
    return min(starts) if starts else None


def _state(month: str, *, current: str, last_closed: str | None, first_open: str | None) -> MonthState:
    if last_closed is not None and month <= last_closed:
        return "closed"
    if month >= current:
        return "current"
    return "closable" if month == first_open else "ended"


async def list_months(principal: Principal) -> BillingMonthList:
    """The months of the principal's books, oldest first, each with its state and totals (finance)."""
    provider_id = principal.organisation_id
    current = month_of(clock.now())
    async with in_transaction() as conn:
        book = await BillingBook.filter(provider_id=provider_id).using_db(conn).first()
        last_closed = book.last_closed_month if book else None
        start = await _start(provider_id, book.starts_month if book else None, conn)
        totals = await BillableLine.filter(provider_id=provider_id).using_db(conn).annotate(
            lines=Count("id"), net=Sum("net_pence"), vat=Sum("vat_pence")).group_by("month", "kind").values(
            "month", "kind", "lines", "net", "vat")
        numbers = await Invoice.filter(provider_id=provider_id).using_db(conn).order_by("number").values_list(
            "month", "number")
    if start is None:
        return BillingMonthList(books_start=None, first_closable_month=None, items=[])
    first_open = first_open_month(books_start=start, last_closed=last_closed)
    by_month: dict[str, dict[str, tuple[int, int, int]]] = {}
    for row in totals:
        by_month.setdefault(str(row["month"]), {})[str(row["kind"])] = (
            int(row["lines"]), int(row["net"] or 0), int(row["vat"] or 0))
    numbered: dict[str, list[str]] = {}
    for month, number in numbers:
        numbered.setdefault(str(month), []).append(str(number))
    items = []
    month = start
    last = max([current, *by_month])
    while month <= last:
        kinds = by_month.get(month, {})
        invoice, credit, payout = (kinds.get(kind.value, (0, 0, 0)) for kind in
                                   (LineKind.INVOICE, LineKind.CREDIT, LineKind.PAYOUT))
        net, vat = invoice[1], invoice[2]
        items.append(BillingMonthOut(
            month=month, state=_state(month, current=current, last_closed=last_closed, first_open=first_open),
            invoice_lines=invoice[0], invoices_net_pence=net, invoices_vat_pence=vat,
            invoices_gross_pence=net + vat, credits_net_pence=credit[1], payout_lines=payout[0],
            payouts_pence=payout[1], invoice_numbers=numbered.get(month, [])))
        month = next_month(month)
    closable = first_open if first_open is not None and first_open < current else None
    return BillingMonthList(books_start=start, first_closable_month=closable, items=items)


async def set_books_start(principal: Principal, starts_month: str) -> BillingMonthList:
    """Finance sets the month its books start (not after the current month), before any month is closed."""
    provider_id = principal.organisation_id
    if starts_month > month_of(clock.now()):
        raise InvalidInput(f"body.starts_month: {starts_month} has not begun; the books start in a month that has")
    async with in_transaction() as conn:
        book = await book_of(provider_id, conn, lock=True)
        if book.last_closed_month is not None:
            raise Conflict(f"{book.last_closed_month} is closed: the books' start is fixed once a month is closed")
        await BillingBook.filter(id=book.id).using_db(conn).update(starts_month=starts_month)
        await audit(principal, "billing.books_start_set", object_type="billing_book", object_id=str(book.id),
                    data={"starts_month": starts_month}, using=conn)
    return await list_months(principal)


async def close_month(principal: Principal, month: str) -> MonthClosed:
    """Close `month` for the principal's writing service (finance): idempotent, never reopened."""
    at = clock.now()
    provider_id = principal.organisation_id
    async with in_transaction() as conn:
        book = await book_of(provider_id, conn, lock=True)
        try:
            closing = check_closable(month, current_month=month_of(at), last_closed=book.last_closed_month,
                                     books_start=await books_start(book, conn))
        except MonthBeforeBooks as exc:
            raise InvalidInput(f"path.month: {exc}", first_closable_month=exc.first_closable) from None
        except MonthNotClosable as exc:
            raise Conflict(str(exc)) from None
        if not closing:
            invoices = await Invoice.filter(provider_id=provider_id, month=month).using_db(conn).order_by("number")
            return MonthClosed(month=month, closed_now=False, invoices=_closed(list(invoices)))
        totals = await BillableLine.filter(provider_id=provider_id, month=month, kind__in=INVOICED).using_db(
            conn).annotate(lines=Count("id"), net=Sum("net_pence"), vat=Sum("vat_pence")).group_by(
            "la_id").values("la_id", "lines", "net", "vat")
        by_la = {str(row["la_id"]): row for row in totals}
        provider = await Organisation.filter(id=provider_id).using_db(conn).get()
        charges_vat = await BillableLine.filter(provider_id=provider_id, month=month, kind__in=INVOICED,
                                                vat_rate_bp__gt=0).using_db(conn).exists()
        if charges_vat and (missing := supplier_gaps(provider)):
            raise SupplierDetailsMissing(month, missing)
        numbers = invoice_numbers(book.invoice_prefix, book.last_invoice_number, by_la)
        issued_on = london_date(at)
        las = {str(org.id): org for org in await Organisation.filter(id__in=list(by_la)).using_db(conn)}
        created = []
        for la_id, number in sorted(numbers.items(), key=lambda item: item[1]):
            row = by_la[la_id]
            created.append(await Invoice.create(
                provider_id=provider_id, la_id=UUID(la_id), month=month, number=number, issued_on=issued_on,
                line_count=int(row["lines"]), net_pence=int(row["net"] or 0), vat_pence=int(row["vat"] or 0),
                closed_by_id=principal.user_id, parties=stored(parties_of(provider, las[la_id])), using_db=conn))
        await BillingBook.filter(id=book.id).using_db(conn).update(
            last_closed_month=month, last_invoice_number=book.last_invoice_number + len(numbers))
        await audit(principal, "billing.month_closed", object_type="billing_month", object_id=month,
                    data={"invoices": len(numbers)}, using=conn)
    return MonthClosed(month=month, closed_now=True, invoices=_closed(created))
