"""Credit notes: documents of their own, numbered in their own gapless series per writing service as they are issued.

Crediting an invoice line (whole or in part, `service.billing.service.correct_line`) writes its credit line and, in
the same transaction, issues the credit note for it (`service.billing.service.issue_credit_note`): the next number
of the provider's credit-note series (`CN-000001`, ...), taken under the books' lock (FOR UPDATE on PostgreSQL; a
compare-and-set on the counter everywhere), so two credits at once never share or skip a number and a rolled-back
credit leaves no gap. The credit note names the invoice line it corrects and, once that line's month is closed, its
invoice number. It is never part of an invoice: the Xero and Sage exports send it as a credit note of its own.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from contracts.billing import CreditNoteOut
from service.billing.parties import issued
from service.billing.service import INVOICE_VALUES, invoice_line
from service.models import BillableLine, CreditNote, Invoice, Organisation


async def credit_notes(provider_id: UUID, *, month: str | None = None, la_id: UUID | None = None,
                       number: str | None = None) -> list[CreditNoteOut]:
    """The provider's credit notes in number order (of a month, of an LA, or one by number)."""
    query = CreditNote.filter(provider_id=provider_id)
    if month is not None:
        query = query.filter(line__month=month)
    if la_id is not None:
        query = query.filter(la_id=la_id)
    if number is not None:
        query = query.filter(number=number)
    notes = await query.order_by("id")
    if not notes:
        return []
    provider = await Organisation.get(id=provider_id)
    las = {org.id: org for org in await Organisation.filter(id__in=list({n.la_id for n in notes}))}  # type: ignore[attr-defined]
    line_ids = [n.line_id for n in notes] + [n.corrects_line_id for n in notes]  # type: ignore[attr-defined]
    rows: dict[int, dict[str, Any]] = {row["id"]: row for row in await BillableLine.filter(id__in=line_ids).values(
        *INVOICE_VALUES)}
    invoices = {(i.la_id, i.month): i.number for i in await Invoice.filter(  # type: ignore[attr-defined]
        provider_id=provider_id, la_id__in=list(las))}
    return [_out(note, provider, las[note.la_id], rows, invoices) for note in notes]  # type: ignore[attr-defined]


def _out(note: CreditNote, provider: Organisation, la: Organisation, rows: dict[int, dict[str, Any]],
         invoices: dict[tuple[UUID, str], str]) -> CreditNoteOut:
    line = invoice_line(rows[note.line_id])  # type: ignore[attr-defined]
    corrected = rows[note.corrects_line_id]  # type: ignore[attr-defined]
    parties = issued(note.parties, provider, la)
    supplier, customer = parties.supplier, parties.customer
    return CreditNoteOut(
        credit_note_number=note.number, issued_on=note.issued_on, month=line.month, supplier_name=supplier.name,
        supplier_address_lines=supplier.address_lines, supplier_postcode=supplier.postcode,
        supplier_vat_number=supplier.vat_number, la_id=str(la.id), customer_name=customer.name,
        customer_address_lines=customer.address_lines, customer_postcode=customer.postcode, reason=note.reason,
        customer_email=customer.email, customer_account_reference=customer.account_reference,
        corrects_invoice_number=invoices.get((la.id, corrected["month"])), corrects_month=corrected["month"],
        corrects_line_id=corrected["id"], line=line, net_pence=line.net_pence, vat_pence=line.vat_pence,
        gross_pence=line.gross_pence)
