"""Billing endpoints: purchase orders, month close, corrections, and the invoice, payout and summary exports."""

from __future__ import annotations

from uuid import UUID

from starlette.responses import StreamingResponse

from contracts.billing import (
    BillingMonthList,
    BooksStart,
    CreditNoteExportQuery,
    CreditNoteList,
    CreditNoteQuery,
    ExportQuery,
    LedgerLineOut,
    LineCredit,
    ManualLineCreate,
    MonthClosed,
    PayoutExportQuery,
    PurchaseOrderChange,
    PurchaseOrderCreate,
    PurchaseOrderList,
    PurchaseOrderOut,
    PurchaseOrderQuery,
    PurchaseOrderStatement,
)
from service.auth.principal import Principal
from service.billing import credit_notes, orders, reading
from service.billing.manual_lines import add_manual_line
from service.billing.month_close_service import close_month, list_months, parse_month, set_books_start
from service.billing.rate_card import RateCard
from service.billing.service import contract_for, correct_line, line_out, set_rate_card
from service.billing.terms import card_of
from service.bundles import submission
from service.errors import NotFound
from service.http import Call, Endpoint
from service.models import CreditNote, Role

FINANCE = frozenset({Role.FINANCE})
# what ?format= answers with: CSV, XLSX or JSON
EXPORT_MEDIA_TYPES = tuple(media.split(";")[0] for media in reading.MEDIA_TYPES.values())  # xero, sage: CSV
LA = frozenset({Role.LA_OFFICER, Role.LA_ADMIN})
INVOICE_READERS = FINANCE | LA
PO_MANAGERS = frozenset({Role.FINANCE, Role.LA_ADMIN})


def _streamed(export: reading.Export) -> StreamingResponse:
    return StreamingResponse(reading.stream(export), media_type=export.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{export.filename}"'})


def _provider(principal: Principal) -> UUID:
    if principal.provider_id is None:
        raise NotFound("no writing service")
    return principal.provider_id


async def invoice(call: Call) -> StreamingResponse:
    """An LA's invoice for a month: finance for any client LA, an LA for its own (another LA's answers 404)."""
    la_id = call.path_uuid("la_id")
    if call.principal.is_la and la_id != call.principal.organisation_id:
        raise NotFound("no such LA")
    q: ExportQuery = call.query
    books = await reading.billing_month(_provider(call.principal), str(call.request.path_params["month"]))
    la = await reading.client_la(books.provider_id, la_id)
    return _streamed(await reading.invoice_export(books, la, q.format))


async def payouts(call: Call) -> StreamingResponse:
    q: PayoutExportQuery = call.query
    books = await reading.billing_month(call.principal.organisation_id, str(call.request.path_params["month"]))
    return _streamed(await reading.payouts_export(books, q.writer_id, q.format))


async def month_summary(call: Call) -> StreamingResponse:
    q: ExportQuery = call.query
    books = await reading.billing_month(call.principal.organisation_id, str(call.request.path_params["month"]))
    return _streamed(await reading.summary_export(books, q.format))


async def credit_notes_document(call: Call) -> StreamingResponse:
    """The month's credit notes as a document of their own: finance all LAs' (or ?la_id=), an LA its own."""
    q: CreditNoteExportQuery = call.query
    provider_id = _provider(call.principal)
    la_id = _la_scope(call.principal, q.la_id)
    books = await reading.billing_month(provider_id, str(call.request.path_params["month"]))
    la = await reading.client_la(provider_id, la_id) if la_id is not None else None
    return _streamed(await reading.credit_notes_export(books, la, q.format))


async def months(call: Call) -> BillingMonthList:
    return await list_months(call.principal)


async def books_start(call: Call) -> BillingMonthList:
    body: BooksStart = call.body
    return await set_books_start(call.principal, body.starts_month)


async def close(call: Call) -> MonthClosed:
    return await close_month(call.principal, parse_month(str(call.request.path_params["month"])))


async def credit(call: Call) -> LedgerLineOut:
    body: LineCredit = call.body
    line = await correct_line(call.principal, call.path_int("line_id", missing="no such line"), body.reason,
                              body.amount_pence)
    note = await CreditNote.filter(line_id=line.id).first()
    return line_out(line, note.number if note is not None else None)


async def manual_line(call: Call) -> LedgerLineOut:
    body: ManualLineCreate = call.body
    return line_out(await add_manual_line(call.principal, call.path_uuid("la_id"),
                                          str(call.request.path_params["month"]), body))


def _la_scope(principal: Principal, la_id: UUID | None) -> UUID | None:
    """The LA whose documents are asked for: an LA's own always (another LA's answers 404); finance any or all."""
    if principal.is_la:
        if la_id is not None and la_id != principal.organisation_id:
            raise NotFound("no such LA")
        return principal.organisation_id
    return la_id


async def list_credit_notes(call: Call) -> CreditNoteList:
    q: CreditNoteQuery = call.query
    return CreditNoteList(items=await credit_notes.credit_notes(
        _provider(call.principal), month=q.month, la_id=_la_scope(call.principal, q.la_id), number=q.number))


async def add_purchase_order(call: Call) -> PurchaseOrderOut:
    return await submission.add_purchase_order(call.principal, call.body)


async def change_purchase_order(call: Call) -> PurchaseOrderOut:
    body: PurchaseOrderChange = call.body
    return await submission.change_purchase_order(call.principal, call.path_uuid("order_id"), body.value_pence)


async def close_purchase_order(call: Call) -> PurchaseOrderOut:
    return await orders.close_order(call.principal, call.path_uuid("order_id"))


async def purchase_order_statement(call: Call) -> PurchaseOrderStatement:
    return await orders.statement(call.principal, call.path_uuid("order_id"))


async def list_purchase_orders(call: Call) -> PurchaseOrderList:
    q: PurchaseOrderQuery = call.query
    return PurchaseOrderList(items=await orders.list_orders(call.principal, q.la_id))


async def get_rate_card(call: Call) -> RateCard:
    return card_of(await contract_for(call.principal, call.path_uuid("la_id")))


async def put_rate_card(call: Call) -> RateCard:
    return await set_rate_card(call.principal, call.path_uuid("la_id"), call.body)


ENDPOINTS = [
    Endpoint("GET", "/v1/billing/months", months, FINANCE,
             "The months of the books, oldest first: state (closed, closable, ended, current) and totals",
             "billing", response=BillingMonthList),
    Endpoint("GET", "/v1/billing/months/{month}/invoices/{la_id}", invoice, INVOICE_READERS,
             "An LA's invoice for the month (header then its charges and manual lines; DRAFT until the month is "
             "closed; credit notes are documents of their own); ?format=xero or sage: the closed month's invoice "
             "in Xero's or Sage 50's import layout", "billing",
             query=ExportQuery, produces=EXPORT_MEDIA_TYPES, errors=(404, 409)),
    Endpoint("GET", "/v1/billing/months/{month}/payouts", payouts, FINANCE,
             "The month's writer payouts (all writers, or ?writer_id=), DRAFT until closed; ?format=xero or sage: "
             "the closed month's payouts as one supplier bill per writer", "billing",
             query=PayoutExportQuery, produces=EXPORT_MEDIA_TYPES, errors=(404, 409)),
    Endpoint("GET", "/v1/billing/months/{month}/summary", month_summary, FINANCE,
             "The month summary: one record per LA (invoiced, credited, balance), then totals, payouts and margin; "
             "?format=xero or sage: "
             "every invoice and credit note of the closed month in the import layout", "billing",
             query=ExportQuery, produces=EXPORT_MEDIA_TYPES, errors=(404, 409)),
    Endpoint("GET", "/v1/billing/months/{month}/credit-notes", credit_notes_document, INVOICE_READERS,
             "The month's credit notes as a document of their own (all LAs, or ?la_id=; an LA its own), DRAFT until "
             "the month is closed; ?format=xero or sage: the closed month's credit notes in the import layout",
             "billing", query=CreditNoteExportQuery, produces=EXPORT_MEDIA_TYPES, errors=(404, 409)),
    Endpoint("PUT", "/v1/billing/books/start", books_start, FINANCE,
             "Set the month the books start (before any month is closed): months before it never close",
             "billing", body=BooksStart, response=BillingMonthList, errors=(409, 422)),
    Endpoint("POST", "/v1/billing/months/{month}/close", close, FINANCE,
             "Close the month: gapless invoice numbers, frozen figures; closing again changes nothing", "billing",
             response=MonthClosed, errors=(404, 409, 422)),
    Endpoint("POST", "/v1/billing/lines/{line_id}/credit", credit, FINANCE,
             "Correct a line: a credit line (or payout reversal) in the first open month, and for an invoice line "
             "its credit note (numbered in its own series); with amount_pence, part of an invoice line's net",
             "billing",
             body=LineCredit, response=LedgerLineOut, status=201, errors=(404, 409, 422)),
    Endpoint("POST", "/v1/billing/months/{month}/invoices/{la_id}/lines", manual_line, FINANCE,
             "Add a manual line to an LA's invoice for an open month (a description, a net amount, a VAT rate); "
             "audited", "billing", body=ManualLineCreate, response=LedgerLineOut, status=201,
             errors=(404, 409, 422)),
    Endpoint("GET", "/v1/billing/credit-notes", list_credit_notes, INVOICE_READERS,
             "Credit notes in number order (of a month, of an LA, or ?number=CN-000001): supplier, customer, the "
             "invoice and line each corrects, the amounts; an LA sees its own", "billing", query=CreditNoteQuery,
             response=CreditNoteList, errors=(404,)),
    Endpoint("POST", "/v1/billing/purchase-orders", add_purchase_order, PO_MANAGERS,
             "Add a purchase order (an LA admin its own; finance names the LA); releases held bundles that fit",
             "billing", body=PurchaseOrderCreate, response=PurchaseOrderOut, status=201, errors=(404, 409, 422)),
    Endpoint("PATCH", "/v1/billing/purchase-orders/{order_id}", change_purchase_order, PO_MANAGERS,
             "Change a purchase order's value (never below spent and committed); more room releases held bundles "
             "and re-arms the 80% warning", "billing", body=PurchaseOrderChange, response=PurchaseOrderOut,
             errors=(404, 422)),
    Endpoint("POST", "/v1/billing/purchase-orders/{order_id}/close", close_purchase_order, PO_MANAGERS,
             "Close a purchase order: nothing new is committed against it (closing again changes nothing)",
             "billing", response=PurchaseOrderOut, errors=(404,)),
    Endpoint("GET", "/v1/billing/purchase-orders/{order_id}/statement", purchase_order_statement,
             INVOICE_READERS, "A purchase order's statement: every line charged to it with its bundle, and what is "
             "still committed", "billing", response=PurchaseOrderStatement, errors=(404,)),
    Endpoint("GET", "/v1/billing/rate-cards/{la_id}", get_rate_card, FINANCE,
             "An LA's rate card: prices, page bands, express, VAT, SLA credit, amendments and writer payouts",
             "billing", response=RateCard, errors=(404,)),
    Endpoint("PUT", "/v1/billing/rate-cards/{la_id}", put_rate_card, FINANCE,
             "Replace an LA's rate card (integer pence and basis points; applies to events from now on)",
             "billing", body=RateCard, response=RateCard, errors=(404, 422)),
    Endpoint("GET", "/v1/billing/purchase-orders", list_purchase_orders, INVOICE_READERS,
             "Purchase orders with spent, committed and remaining value (an LA sees its own)", "billing",
             query=PurchaseOrderQuery, response=PurchaseOrderList, errors=(404,)),
]
