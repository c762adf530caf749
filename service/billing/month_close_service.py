"""Month close in the service: finance closes a month once, in one transaction, with the provider's books locked.

The shell of `service.billing.month_close`, whose pure rules are: a month closes only after it has ended, months
close in order, a repeat close changes nothing and a closed month is never reopened. Closing assigns the gapless
invoice numbers (`month_close.invoice_numbers`, continuing the counter on the provider's `BillingBook` row, which
every line writer locks too, so no line lands in a month while it closes), stores each LA's invoice with its
totals, and moves the book's last closed month on. From then every event whose month is closed is written in the
first open month. A bundle mid-delivery at close has no line yet: it is billed in the month its delivery (or
acceptance, or amendment) happens.
"""

from __future__ import annotations

import re
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from contracts.billing import ClosedInvoice, MonthClosed
from service import clock
from service.audit.service import audit
from service.auth.principal import Principal
from service.billing.lines import month_of
from service.billing.month_close import MonthBeforeBooks, MonthNotClosable, check_closable, invoice_numbers
from service.billing.service import book_of
from service.clock import london_date
from service.errors import Conflict, InvalidInput, NotFound
from service.models import BillableLine, BillingBook, Invoice, LineKind

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
INVOICED = (LineKind.INVOICE, LineKind.CREDIT)


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
    first = await BillableLine.filter(provider_id=book.provider_id).using_db(conn).order_by(  # type: ignore[attr-defined]
        "month").limit(1).values_list("month", flat=True)
    starts = [str(month) for month in (*first, book.starts_month) if month]
    return min(starts) if starts else None


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
        numbers = invoice_numbers(book.invoice_prefix, book.last_invoice_number, by_la)
        issued_on = london_date(at)
        created = []
        for la_id, number in sorted(numbers.items(), key=lambda item: item[1]):
            row = by_la[la_id]
            created.append(await Invoice.create(
                provider_id=provider_id, la_id=UUID(la_id), month=month, number=number, issued_on=issued_on,
                line_count=int(row["lines"]), net_pence=int(row["net"] or 0), vat_pence=int(row["vat"] or 0),
                closed_by_id=principal.user_id, using_db=conn))
        await BillingBook.filter(id=book.id).using_db(conn).update(
            last_closed_month=month, last_invoice_number=book.last_invoice_number + len(numbers))
        await audit(principal, "billing.month_closed", object_type="billing_month", object_id=month,
                    data={"invoices": len(numbers)}, using=conn)
    return MonthClosed(month=month, closed_now=True, invoices=_closed(created))
