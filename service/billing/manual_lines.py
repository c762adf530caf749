"""Manual lines: finance adds a charge (or an agreed reduction) of its own to an LA's invoice for an open month.

A manual line is an invoice line with no bundle: a description, a net amount and a VAT rate (VAT by the one rounding
rule, `rating.share`), cause `manual:<uuid>`, written under the books' lock so it never lands in a month while that
month is closing, and audited. A closed month takes no line (409 naming the first open month); a month not begun,
or before the books start, is refused (422).
"""

from __future__ import annotations

from uuid import UUID, uuid4

from tortoise.transactions import in_transaction

from contracts.billing import MANUAL_WORK_TYPE, ManualLineCreate
from service import clock
from service.audit.service import audit
from service.auth.principal import Principal
from service.billing.lines import month_of
from service.billing.month_close import first_open_month
from service.billing.month_close_service import parse_month
from service.billing.rating import share
from service.billing.service import book_of
from service.clock import london_date
from service.errors import Conflict, InvalidInput, NotFound
from service.models import BillableLine, LineKind, Organisation, OrganisationKind


async def add_manual_line(principal: Principal, la_id: UUID, month: str, body: ManualLineCreate) -> BillableLine:
    month = parse_month(month)
    provider_id = principal.organisation_id
    if not await Organisation.filter(id=la_id, kind=OrganisationKind.LA, provider_id=provider_id).exists():
        raise NotFound("no such LA")
    now = clock.now()
    current = month_of(now)
    async with in_transaction() as conn:
        book = await book_of(provider_id, conn, lock=True)
        first_open = first_open_month(books_start=book.starts_month, last_closed=book.last_closed_month)
        if book.last_closed_month is not None and month <= book.last_closed_month:
            raise Conflict(f"{month} is closed: add the line to an open month ({first_open or current} to "
                           f"{current})")
        if month > current:
            raise InvalidInput(f"{month} has not begun: a line goes in an open month up to {current}")
        if book.starts_month is not None and month < book.starts_month:
            raise InvalidInput(f"{month} is before the books start ({book.starts_month})")
        line = await BillableLine.create(
            kind=LineKind.INVOICE, provider_id=provider_id, la_id=la_id, bundle_id=None, month=month,
            work_type=MANUAL_WORK_TYPE, description=body.description.strip(), cause=f"manual:{uuid4().hex}",
            base_pence=body.amount_pence, net_pence=body.amount_pence, vat_rate_bp=body.vat_rate_bp,
            vat_pence=share(body.amount_pence, body.vat_rate_bp), event_on=london_date(now), using_db=conn)
        await audit(principal, "billing.manual_line_added", object_type="billable_line", object_id=str(line.id),
                    la_id=la_id, data={"month": month, "amount_pence": body.amount_pence,
                                       "vat_rate_bp": body.vat_rate_bp}, using=conn)
    return line
