"""The ledger in the service: lines written in the same transaction as their event, never edited.

One line per (bundle, kind, cause), so a replayed event never doubles a line:
- delivery (the first QA pass): the LA's invoice line, rated by `rating.rate_delivery` from the contract's rate
  card, the bundle's pages and tier, and the working days it was late (its stored SLA due date against the
  delivery date, on the contract's working calendar); and, when the card says payouts are earned on delivery, the
  writer's payout line (cause `delivery`);
- LA acceptance: the writer's payout line when the card says payouts are earned on acceptance (cause
  `acceptance`);
- an amendment asked for outside the free window: an invoice line (cause `amendment:<event id>`) at once, and the
  writer's amendment payout at the next earning event (re-delivery, or acceptance);
- a correction by finance: a credit line (or a payout reversal) naming the line it cancels (cause
  `correction:<line id>`), built by `lines.credit_line` / `lines.payout_reversal`.
Every line lands in the month of its event (Europe/London), or in the first open month when that one is closed
(`close.month_for_event`): a closed month never changes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from contracts.billing import MANUAL_WORK_TYPE, InvoiceLine, LedgerLineOut, PayoutLine
from service import clock
from service.audit.service import audit
from service.auth.principal import Principal
from service.billing.lines import credit_line, month_of, partial_credit_line, payout_reversal
from service.billing.month_close import month_for_event
from service.billing.parties import parties_of, stored
from service.billing.rate_card import PayoutEvent, RateCard
from service.billing.rating import (
    RatedDelivery,
    RatedPayout,
    amendment_is_free,
    payout_is_earned_on,
    rate_amendment,
    rate_delivery,
    rate_payout,
)
from service.billing.terms import allowed_work_types, card_of, check_rate_card, fixed_terms, priced, terms_of
from service.clock import london_date
from service.contracts_in_force import contract_between, contract_of
from service.errors import Conflict, InvalidInput, NotFound
from service.models import (
    BillableLine,
    BillingBook,
    Bundle,
    CreditNote,
    Event,
    LaContract,
    LineKind,
    Organisation,
    Tier,
)
from service.sla.service import calendar_of

# what a ledger row is read as, for the exports and for corrections (one query, joined)
INVOICE_VALUES = (
    "id", "kind", "cause", "month", "la_id", "purchase_order__po_number", "bundle__reference", "work_type", "pages",
    "express", "late_working_days", "event_on", "base_pence", "page_band_pence", "express_pence",
    "sla_credit_pence", "net_pence", "vat_rate_bp", "vat_pence", "corrects_line_id", "description",
)
PAYOUT_VALUES = (
    "id", "cause", "month", "writer_id", "writer__user__name", "bundle__reference", "work_type", "pages", "express",
    "event_on", "base_pence", "express_bonus_pence", "net_pence", "corrects_line_id",
)


async def contract_for(principal: Principal, la_id: UUID) -> LaContract:
    """The current contract between the principal's writing service and one of its client LAs (else 404)."""
    contract = await contract_between(la_id, principal.organisation_id)
    if contract is None:
        raise NotFound("no such LA")
    return contract


async def set_rate_card(principal: Principal, la_id: UUID, card: RateCard) -> RateCard:
    """Finance replaces an LA's rate card; lines already written keep their figures (a line is never edited)."""
    contract = await contract_for(principal, la_id)
    check_rate_card(card, allowed_work_types(contract))
    async with in_transaction() as conn:
        await LaContract.filter(id=contract.id).using_db(conn).update(
            rate_card=card.model_dump(mode="json"), amendment_window_days=card.free_amendment_working_days)
        await audit(principal, "billing.rate_card_set", object_type="la_contract", object_id=contract.id,
                    using=conn)
    return card_of(await LaContract.get(id=contract.id))  # bundles already committed keep their own terms


async def book_of(provider_id: UUID, conn: BaseDBAsyncClient, *, lock: bool) -> BillingBook:
    """The provider's books (made on first use); locked FOR UPDATE on PostgreSQL when `lock`.

    Every line writer and the month close take this lock, so a line never lands in a month while it is closing.
    """
    dialect = conn.capabilities.dialect
    now = clock.now()
    if dialect == "postgres":
        await conn.execute_query(
            "INSERT INTO billing_book (provider_id, invoice_prefix, last_invoice_number, credit_note_prefix, "
            "last_credit_note_number, updated_at) VALUES ($1, 'INV', 0, 'CN', 0, $2) "
            "ON CONFLICT (provider_id) DO NOTHING", [provider_id, now])
    else:
        await conn.execute_query(
            "INSERT INTO billing_book (provider_id, invoice_prefix, last_invoice_number, credit_note_prefix, "
            "last_credit_note_number, updated_at) VALUES (?, 'INV', 0, 'CN', 0, ?) "
            "ON CONFLICT (provider_id) DO NOTHING", [str(provider_id), now.isoformat()])
    query = BillingBook.filter(provider_id=provider_id).using_db(conn)
    if lock:
        query = query.select_for_update()
    return await query.get()


async def open_month(provider_id: UUID, at: datetime, conn: BaseDBAsyncClient) -> str:
    """The month a line for an event at `at` is written in (its own, or the first open one)."""
    book = await book_of(provider_id, conn, lock=True)
    return month_for_event(month_of(at), last_closed=book.last_closed_month)


def late_working_days(bundle: Bundle, contract: LaContract | None, delivered_at: datetime) -> int:
    """Working days past the stored turnaround due date (service/sla), on the contract's calendar; 0 if on time."""
    if bundle.turnaround_due is None:
        return 0
    late = calendar_of(contract).working_days_between(bundle.turnaround_due, london_date(delivered_at))
    return max(late, 0)


async def _add(conn: BaseDBAsyncClient, bundle: Bundle, kind: LineKind, cause: str, **values: Any) -> bool:
    """Write the line unless (bundle, kind, cause) already has one; True if it was written."""
    if await BillableLine.filter(bundle_id=bundle.id, kind=kind, cause=cause).using_db(conn).exists():
        return False
    await BillableLine.create(
        kind=kind, cause=cause, provider_id=bundle.provider_id, la_id=bundle.la_id,  # type: ignore[attr-defined]
        bundle_id=bundle.id, work_type=bundle.work_type.value,
        purchase_order_id=bundle.purchase_order_id, using_db=conn, **values,  # type: ignore[attr-defined]
    )
    return True


def _invoice_values(rated: RatedDelivery, month: str, event_on: date, description: str) -> dict[str, Any]:
    return {"month": month, "event_on": event_on, "description": description, "pages": rated.pages,
            "express": rated.express, "late_working_days": rated.late_working_days, "base_pence": rated.base_pence,
            "page_band_pence": rated.page_band_pence, "express_pence": rated.express_pence,
            "sla_credit_pence": rated.sla_credit_pence, "net_pence": rated.net_pence,
            "vat_rate_bp": rated.vat_rate_bp, "vat_pence": rated.vat_pence}


def _payout_values(rated: RatedPayout, bundle: Bundle, month: str, event_on: date) -> dict[str, Any]:
    return {"month": month, "event_on": event_on, "description": f"{rated.work_type} payout",
            "writer_id": bundle.writer_id, "pages": bundle.page_count,  # type: ignore[attr-defined]
            "express": rated.express, "base_pence": rated.base_pence,
            "express_bonus_pence": rated.express_bonus_pence, "net_pence": rated.net_pence, "vat_pence": 0}


async def write_delivery_lines(bundle: Bundle, *, delivered_at: datetime, conn: BaseDBAsyncClient) -> None:
    """At a QA pass, in its transaction: the first delivery's invoice line, and payouts earned on delivery.

    `bundle` is the row as the move left it (SLA due date stored by `service.sla.service.on_move`). Priced by the
    bundle's fixed terms (`service.billing.terms`), never by a card set after it was committed.
    """
    async def write() -> None:
        contract = await contract_of(bundle, conn)
        card = await fixed_terms(bundle, contract, conn)
        month = await open_month(bundle.provider_id, delivered_at, conn)  # type: ignore[attr-defined]
        event_on = london_date(delivered_at)
        rated = rate_delivery(card, bundle.work_type.value, bundle.page_count, bundle.tier == Tier.EXPRESS,
                              late_working_days(bundle, contract, delivered_at))
        await _add(conn, bundle, LineKind.INVOICE, "delivery",
                   **_invoice_values(rated, month, event_on, f"{bundle.work_type.value} delivered"))
        if payout_is_earned_on(card, "delivery"):
            await _write_payouts(bundle, card, "delivery", month, event_on, conn)

    await priced(write)


async def write_acceptance_lines(bundle: Bundle, *, accepted_at: datetime, conn: BaseDBAsyncClient) -> None:
    """At the LA's acceptance, in its transaction: the writer's payouts when the bundle's terms pay on acceptance.

    A job delivered before terms were fixed per bundle and not paid at its delivery is paid now, so no job is
    left unpaid whatever its card said then.
    """
    async def write() -> None:
        card = await fixed_terms(bundle, await contract_of(bundle, conn), conn)
        if payout_is_earned_on(card, "acceptance") or not await _job_paid(bundle, conn):
            month = await open_month(bundle.provider_id, accepted_at, conn)  # type: ignore[attr-defined]
            await _write_payouts(bundle, card, "acceptance", month, london_date(accepted_at), conn)

    await priced(write)


JOB_PAYOUT_CAUSES = ("delivery", "acceptance")


async def _job_paid(bundle: Bundle, conn: BaseDBAsyncClient) -> bool:
    """Whether the writer's payout for the job itself (not an amendment) is written, under either event."""
    return await BillableLine.filter(bundle_id=bundle.id, kind=LineKind.PAYOUT,
                                     cause__in=JOB_PAYOUT_CAUSES).using_db(conn).exists()


async def _write_payouts(bundle: Bundle, card: RateCard, event: PayoutEvent, month: str, event_on: date,
                         conn: BaseDBAsyncClient) -> None:
    """The writer's payout for the job (once, under whichever event earned it), and for each charged amendment not
    yet paid (the amendment event keeps the working days after delivery it was asked at, so its charge is
    re-decided by the same rule)."""
    if bundle.writer_id is None:  # type: ignore[attr-defined]
        return
    express = bundle.tier == Tier.EXPRESS
    if not await _job_paid(bundle, conn):
        await _add(conn, bundle, LineKind.PAYOUT, event,
                   **_payout_values(rate_payout(card, bundle.work_type.value, express), bundle, month, event_on))
    amendments = await Event.filter(bundle_id=bundle.id, name="amendment.requested").using_db(conn).order_by("id")
    for amendment in amendments:
        rated = rate_amendment(card, bundle.work_type.value, int(amendment.data.get("working_days", 0)))
        if rated is None:
            continue  # asked for within the free window
        await _add(conn, bundle, LineKind.PAYOUT, f"amendment:{amendment.id}",
                   **_payout_values(rated[1], bundle, month, event_on))


def amendment_charged(contract: LaContract | None, bundle: Bundle, at: datetime) -> tuple[bool, int, int]:
    """Whether an amendment asked for at `at` is charged, the working days since delivery, and the free window."""
    card = terms_of(bundle, contract)
    delivered_on = london_date(bundle.delivered_at or at)
    days = max(calendar_of(contract).working_days_between(delivered_on, london_date(at)), 0)
    return not amendment_is_free(card, days), days, card.free_amendment_working_days


async def write_amendment_lines(bundle: Bundle, event_id: int, *, requested_at: datetime, working_days: int,
                                conn: BaseDBAsyncClient) -> None:
    """An amendment asked for outside the free window: its invoice line, in the request's transaction."""
    async def write() -> None:
        card = await fixed_terms(bundle, await contract_of(bundle, conn), conn)
        rated = rate_amendment(card, bundle.work_type.value, working_days)
        if rated is None:
            return
        month = await open_month(bundle.provider_id, requested_at, conn)  # type: ignore[attr-defined]
        await _add(conn, bundle, LineKind.INVOICE, f"amendment:{event_id}", **_invoice_values(
            rated[0], month, london_date(requested_at), f"{bundle.work_type.value} amendment"))

    await priced(write)


def cause_name(cause: str) -> str:
    """The cause as the exports name it: `amendment:42` is an `amendment`."""
    return cause.partition(":")[0]


def event_on(row: dict[str, Any]) -> date:
    """The line's event date (a line written before event dates were kept: the first of its month)."""
    return row["event_on"] or date(int(row["month"][:4]), int(row["month"][5:7]), 1)


def invoice_line(row: dict[str, Any]) -> InvoiceLine:
    """An invoice or credit ledger row (`INVOICE_VALUES`) as its contract shape."""
    return InvoiceLine(
        line_id=row["id"], kind=str(row["kind"]), cause=cause_name(row["cause"]),  # type: ignore[arg-type]
        month=row["month"], la_id=str(row["la_id"]), po_number=row["purchase_order__po_number"],
        bundle_reference=row["bundle__reference"] or "", work_type=row["work_type"], pages=row["pages"],
        express=bool(row["express"]), late_working_days=row["late_working_days"], event_on=event_on(row),
        base_pence=row["base_pence"], page_band_pence=row["page_band_pence"], express_pence=row["express_pence"],
        sla_credit_pence=row["sla_credit_pence"], net_pence=row["net_pence"], vat_rate_bp=row["vat_rate_bp"],
        vat_pence=row["vat_pence"], gross_pence=row["net_pence"] + row["vat_pence"],
        corrects_line_id=row["corrects_line_id"], description=line_description(row),
    )


def line_description(row: dict[str, Any]) -> str:
    """What the line supplied, as the invoice describes it: the ledger's description, the LA's case reference, and
    the pages and turnaround of a delivery."""
    if row["work_type"] == MANUAL_WORK_TYPE:
        return str(row["description"])  # finance's own words
    what = str(row.get("description") or row["work_type"]).replace("_", " ")
    what = what[:1].upper() + what[1:]
    details = [f"case {row['bundle__reference']}"] if row.get("bundle__reference") else []
    if row["pages"]:
        details.append(f"{row['pages']} pages")
    if row["express"]:
        details.append("express")
    return f"{what} ({', '.join(details)})" if details else what


def payout_line(row: dict[str, Any]) -> PayoutLine:
    """A payout ledger row (`PAYOUT_VALUES`) as its contract shape."""
    return PayoutLine(
        line_id=row["id"], cause=cause_name(row["cause"]), month=row["month"],  # type: ignore[arg-type]
        writer_id=str(row["writer_id"]), writer_name=row["writer__user__name"] or "",
        bundle_reference=row["bundle__reference"], work_type=row["work_type"], pages=row["pages"],
        express=bool(row["express"]), event_on=event_on(row), base_pence=row["base_pence"],
        express_bonus_pence=row["express_bonus_pence"], net_pence=row["net_pence"],
        corrects_line_id=row["corrects_line_id"],
    )


def line_out(line: BillableLine, credit_note_number: str | None = None) -> LedgerLineOut:
    return LedgerLineOut(line_id=str(line.id), kind=line.kind.value, cause=line.cause, month=line.month,
                         bundle_id=str(line.bundle_id) if line.bundle_id else None,  # type: ignore[attr-defined]
                         net_pence=line.net_pence,
                         vat_pence=line.vat_pence,
                         corrects_line_id=str(line.corrects_line_id) if line.corrects_line_id else None,  # type: ignore[attr-defined]
                         credit_note_number=credit_note_number)


def credit_note_number(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}"


async def issue_credit_note(credit: BillableLine, corrects: BillableLine, reason: str, issued_on: date,
                user_id: UUID | None, conn: BaseDBAsyncClient) -> CreditNote:
    """The credit note for `credit` (a credit line just written), numbered next in the provider's series."""
    provider_id: UUID = credit.provider_id  # type: ignore[attr-defined]
    book = await book_of(provider_id, conn, lock=True)
    number = book.last_credit_note_number + 1
    taken = await BillingBook.filter(id=book.id, last_credit_note_number=book.last_credit_note_number).using_db(
        conn).update(last_credit_note_number=number)
    if taken != 1:  # another credit took this number between the read and the write: the caller may retry
        raise Conflict("another credit note was issued at the same moment; try again")
    parties = parties_of(await Organisation.filter(id=provider_id).using_db(conn).get(),
                         await Organisation.filter(id=credit.la_id).using_db(conn).get())  # type: ignore[attr-defined]
    return await CreditNote.create(parties=stored(parties),
        provider_id=provider_id, la_id=credit.la_id, number=credit_note_number(book.credit_note_prefix, number),  # type: ignore[attr-defined]
        issued_on=issued_on, reason=reason[:200], line_id=credit.id, corrects_line_id=corrects.id,
        issued_by_id=user_id, using_db=conn)



async def correct_line(principal: Principal, line_id: int, reason: str,
                       amount_pence: int | None = None) -> BillableLine:
    """Finance cancels a line: a credit line (invoice) or a reversal (payout) in the first open month, at once.

    With `amount_pence`, an invoice line is credited in part: that much of its net (at most all of it), VAT at the
    line's rate. A line is corrected once; a credit or reversal is not itself corrected (write a fresh line). An
    invoice line's credit is issued as a credit note in the same transaction (`issue_credit_note`), audited.
    """
    now = clock.now()
    async with in_transaction() as conn:
        original = await BillableLine.filter(id=line_id, provider_id=principal.organisation_id).using_db(conn).first()
        if original is None:
            raise NotFound("no such line")
        if original.kind == LineKind.CREDIT or original.corrects_line_id is not None:  # type: ignore[attr-defined]
            raise Conflict("a correction is not itself corrected; write a fresh line instead")
        month = await open_month(principal.organisation_id, now, conn)
        event_on = london_date(now)
        cause = f"correction:{original.id}"
        if await BillableLine.filter(corrects_line_id=original.id).using_db(conn).exists():
            raise Conflict("this line has already been corrected")
        common = {"provider_id": original.provider_id, "la_id": original.la_id,  # type: ignore[attr-defined]
                  "bundle_id": original.bundle_id, "work_type": original.work_type,  # type: ignore[attr-defined]
                  "purchase_order_id": original.purchase_order_id, "cause": cause, "month": month,  # type: ignore[attr-defined]
                  "event_on": event_on, "corrects_line_id": original.id,
                  "description": f"correction: {reason}"[:200]}
        new_id = original.id  # placeholder id: the row's own id is assigned on insert
        if amount_pence is not None and (original.kind != LineKind.INVOICE or amount_pence > original.net_pence):
            raise InvalidInput(f"body.amount_pence: a partial credit is of an invoice line, at most its net "
                               f"({original.net_pence} pence)" if original.kind == LineKind.INVOICE else
                               "body.amount_pence: only an invoice line is credited in part")
        if original.kind == LineKind.PAYOUT:
            row = await BillableLine.filter(id=original.id).using_db(conn).values(*PAYOUT_VALUES)
            reversed_ = payout_reversal(payout_line(row[0]), line_id=new_id, month=month, event_on=event_on)
            values = {"kind": LineKind.PAYOUT, "writer_id": original.writer_id,  # type: ignore[attr-defined]
                      "pages": reversed_.pages, "express": reversed_.express, "base_pence": reversed_.base_pence,
                      "express_bonus_pence": reversed_.express_bonus_pence, "net_pence": reversed_.net_pence,
                      "vat_pence": 0}
        else:
            row = await BillableLine.filter(id=original.id).using_db(conn).values(*INVOICE_VALUES)
            credit = credit_line(invoice_line(row[0]), line_id=new_id, month=month, event_on=event_on) if (
                amount_pence is None) else partial_credit_line(invoice_line(row[0]), amount_pence, line_id=new_id,
                                                               month=month, event_on=event_on)
            values = {"kind": LineKind.CREDIT, "pages": credit.pages, "express": credit.express,
                      "late_working_days": credit.late_working_days, "base_pence": credit.base_pence,
                      "page_band_pence": credit.page_band_pence, "express_pence": credit.express_pence,
                      "sla_credit_pence": credit.sla_credit_pence, "net_pence": credit.net_pence,
                      "vat_rate_bp": credit.vat_rate_bp, "vat_pence": credit.vat_pence}
        try:
            line = await BillableLine.create(using_db=conn, **common, **values)
        except IntegrityError:
            raise Conflict("this line has already been corrected") from None
        if line.kind == LineKind.CREDIT:
            note = await issue_credit_note(line, original, reason, event_on, principal.user_id, conn)
            await audit(principal, "billing.credit_note_issued", object_type="credit_note", object_id=str(note.id),
                        la_id=original.la_id, data={"number": note.number, "line_id": original.id},  # type: ignore[attr-defined]
                        using=conn)
        return line
