"""Wire models of billing: invoice headers and lines, payout lines and the month summary (integer pence).

These are the rows the exports write (CSV column contract: `contracts/billing-csv.md`). Every amount is an
integer number of pence and is validated strictly, so a float cannot slip in; each row checks its own
arithmetic (net = parts, gross = net + VAT) when it is built.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, computed_field, model_validator

from contracts.api import WorkTypeName
from contracts.ids import CanonicalId

Month = str  # YYYY-MM, validated by the pattern on each field
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
DocumentStatus = Literal["draft", "final"]  # draft: the month is not closed and any figure may still change
InvoiceLineKind = Literal["invoice", "credit"]
InvoiceLineCause = Literal["delivery", "amendment", "correction", "manual"]
MANUAL_WORK_TYPE = "manual"  # the work type of a manual line (finance's own, no bundle)
PayoutLineCause = Literal["delivery", "acceptance", "amendment", "correction"]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InvoiceLine(_Row):
    """One charge (or, as kind `credit`, one reversal) on an LA's invoice for a month.

    A `credit` line reverses an earlier line from a closed month: every amount is the original's negated, and
    `corrects_line_id` names the original. `sla_credit_pence` is zero or negative on an `invoice` line.
    `line_id` is the ledger line's whole-number id, a number in every export format (CSV, XLSX and JSON alike);
    so is `vat_rate_percent`, the VAT rate in percent (`vat_rate_bp` / 100), which the JSON carries beside the
    basis points.
    """

    line_id: StrictInt = Field(ge=1)
    kind: InvoiceLineKind
    cause: InvoiceLineCause
    month: Month = Field(pattern=MONTH_PATTERN)
    la_id: str = Field(min_length=1)
    po_number: str | None
    bundle_reference: str  # empty on a manual line
    work_type: WorkTypeName | Literal["manual"]
    pages: StrictInt = Field(ge=0)
    express: StrictBool
    late_working_days: StrictInt = Field(ge=0)
    event_on: date
    base_pence: StrictInt
    page_band_pence: StrictInt
    express_pence: StrictInt
    sla_credit_pence: StrictInt
    net_pence: StrictInt
    vat_rate_bp: StrictInt = Field(ge=0)
    vat_pence: StrictInt
    gross_pence: StrictInt
    corrects_line_id: StrictInt | None = None
    # the line as a full VAT invoice describes it: what was supplied, how many, at what unit price (net)
    description: str = ""
    quantity: StrictInt = Field(default=1, ge=1)
    unit_price_pence: StrictInt | None = None  # net / quantity; filled in when absent

    @computed_field  # type: ignore[prop-decorator]
    @property
    def vat_rate_percent(self) -> float:
        return self.vat_rate_bp / 100

    @model_validator(mode="before")
    @classmethod
    def _unit_price(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("unit_price_pence") is None and isinstance(data.get("net_pence"), int):
            quantity = data.get("quantity", 1)
            data = {**data, "unit_price_pence": data["net_pence"] // quantity if isinstance(quantity, int)
                    and quantity > 0 else None}
        return data

    @model_validator(mode="before")
    @classmethod
    def _rate_as_written(cls, data: Any) -> Any:
        """A line read back from the JSON export carries `vat_rate_percent`: it must agree with the basis points."""
        if isinstance(data, dict) and "vat_rate_percent" in data:
            data = dict(data)
            percent = data.pop("vat_rate_percent")
            if not isinstance(percent, int | float) or isinstance(percent, bool) \
                    or round(percent * 100) != data.get("vat_rate_bp"):
                raise ValueError(f"vat_rate_percent {percent!r} is not vat_rate_bp / 100")
        return data

    @model_validator(mode="after")
    def _adds_up(self) -> InvoiceLine:
        parts = self.base_pence + self.page_band_pence + self.express_pence + self.sla_credit_pence
        if self.net_pence != parts:
            raise ValueError(f"net_pence {self.net_pence} is not base + surcharges + credits ({parts})")
        if self.gross_pence != self.net_pence + self.vat_pence:
            raise ValueError(f"gross_pence {self.gross_pence} is not net + VAT ({self.net_pence + self.vat_pence})")
        if self.kind == "credit" and (self.corrects_line_id is None or self.net_pence > 0):
            raise ValueError("a credit line names the line it corrects and is never positive")
        if self.kind == "invoice" and self.sla_credit_pence > 0:
            raise ValueError("sla_credit_pence is zero or negative on an invoice line")
        if self.unit_price_pence is not None and self.unit_price_pence * self.quantity != self.net_pence:
            raise ValueError("net_pence is not quantity x unit_price_pence")
        return self


class InvoiceHeader(_Row):
    """An LA's invoice for a month: who, which month, whether final, and the totals its lines must add up to.

    `invoice_number` is assigned at month close (gapless per provider) and is None on a draft. A month whose
    lines sum to a negative gross is issued as a `credit_note`.
    """

    invoice_number: str | None
    document_type: Literal["invoice", "credit_note"]
    status: DocumentStatus
    month: Month = Field(pattern=MONTH_PATTERN)
    provider_name: str
    la_id: str = Field(min_length=1)
    la_name: str
    issued_on: date | None
    po_numbers: tuple[str, ...]
    line_count: StrictInt = Field(ge=0)
    net_pence: StrictInt
    vat_pence: StrictInt
    gross_pence: StrictInt
    # the credit lines' share of net_pence: zero on an invoice built since credits are credit notes of their own
    # (`CreditNoteOut`, never a line of an invoice); kept so a reader of older files finds the field
    credits_net_pence: StrictInt
    # the parties and terms of a full VAT invoice (HMRC VAT Notice 700/21 section 16.3): the supplier's address and
    # VAT registration number, the customer's address, the time of supply (tax point), the payment terms and the
    # date payment is due. Absent on an invoice built before they were kept; the tax point and due date are
    # absent on a draft.
    supplier_address_lines: tuple[str, ...] = ()
    supplier_postcode: str | None = None
    supplier_vat_number: str | None = None
    customer_address_lines: tuple[str, ...] = ()
    customer_postcode: str | None = None
    time_of_supply: date | None = None
    payment_terms_days: StrictInt | None = Field(default=None, ge=0)
    due_on: date | None = None

    payment_terms: str | None = None  # as printed: `payment_terms_text(payment_terms_days)`

    @model_validator(mode="after")
    def _consistent(self) -> InvoiceHeader:
        if self.gross_pence != self.net_pence + self.vat_pence:
            raise ValueError("gross_pence is not net + VAT")
        if self.status == "final" and (self.invoice_number is None or self.issued_on is None):
            raise ValueError("a final invoice carries its number and issue date")
        if self.status == "draft" and self.invoice_number is not None:
            raise ValueError("a draft has no invoice number: numbers are assigned at month close")
        expected = "credit_note" if self.gross_pence < 0 else "invoice"
        if self.document_type != expected:
            raise ValueError(f"document_type is {expected!r} for a gross of {self.gross_pence}")
        return self


def payment_terms_text(days: int) -> str:
    """Payment terms as an invoice prints them."""
    return "Payment due on receipt" if days == 0 else f"Payment within {days} days of the invoice date"


class PayoutLine(_Row):
    """One amount earned by a writer (or, negative with `corrects_line_id`, one reversal). Payouts carry no VAT."""

    line_id: StrictInt = Field(ge=1)
    kind: Literal["payout"] = "payout"
    cause: PayoutLineCause
    month: Month = Field(pattern=MONTH_PATTERN)
    writer_id: str = Field(min_length=1)
    writer_name: str
    bundle_reference: str
    work_type: WorkTypeName
    pages: StrictInt = Field(ge=0)
    express: StrictBool
    event_on: date
    base_pence: StrictInt
    express_bonus_pence: StrictInt
    net_pence: StrictInt
    corrects_line_id: StrictInt | None = None

    @model_validator(mode="after")
    def _adds_up(self) -> PayoutLine:
        if self.net_pence != self.base_pence + self.express_bonus_pence:
            raise ValueError("net_pence is not base + express bonus")
        if self.net_pence < 0 and self.corrects_line_id is None:
            raise ValueError("a negative payout line names the line it corrects")
        return self


class PayoutHeader(_Row):
    """A month's payouts (to every writer, or to the one writer named): the total its lines must add up to."""

    status: DocumentStatus
    month: Month = Field(pattern=MONTH_PATTERN)
    provider_name: str
    writer_id: str | None
    writer_name: str | None
    line_count: StrictInt = Field(ge=0)
    net_pence: StrictInt


def _balance_as_written(data: Any, invoiced: str) -> Any:
    """A row read back from the JSON export carries its computed `balance_*_pence`: each must agree with the
    invoiced and credited figures it is the sum of."""
    if not isinstance(data, dict) or not any(key.startswith("balance_") for key in data):
        return data
    data = dict(data)
    for part in ("net", "vat", "gross"):
        written = data.pop(f"balance_{part}_pence", None)
        expected = data.get(invoiced.format(part), 0) + data.get(f"credits_{part}_pence", 0)
        if written is not None and written != expected:
            raise ValueError(f"balance_{part}_pence {written!r} is not invoiced + credited ({expected})")
    return data


class LaMonthTotals(_Row):
    """One LA's month in the summary: what was invoiced (its invoice, if it has one), what was credited (its credit
    notes of the month, each a document of its own), and the balance of the two."""

    invoice_number: str | None  # None on a draft, and when the LA has only credit notes in the month
    document_type: Literal["invoice", "credit_note"]  # `credit_note`: the LA has no invoice, only credit notes
    status: DocumentStatus
    month: Month = Field(pattern=MONTH_PATTERN)
    la_id: str = Field(min_length=1)
    la_name: str
    line_count: StrictInt = Field(ge=0)  # lines on the invoice
    net_pence: StrictInt  # invoiced
    vat_pence: StrictInt
    gross_pence: StrictInt
    credits_net_pence: StrictInt  # credited: the credit notes' net (zero or negative), not inside net_pence
    credit_note_count: StrictInt = Field(ge=0)
    credits_vat_pence: StrictInt
    credits_gross_pence: StrictInt

    @model_validator(mode="before")
    @classmethod
    def _balance(cls, data: Any) -> Any:
        return _balance_as_written(data, "{}_pence")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def balance_net_pence(self) -> int:
        return self.net_pence + self.credits_net_pence

    @computed_field  # type: ignore[prop-decorator]
    @property
    def balance_vat_pence(self) -> int:
        return self.vat_pence + self.credits_vat_pence

    @computed_field  # type: ignore[prop-decorator]
    @property
    def balance_gross_pence(self) -> int:
        return self.gross_pence + self.credits_gross_pence

    @model_validator(mode="after")
    def _adds_up(self) -> LaMonthTotals:
        if self.gross_pence != self.net_pence + self.vat_pence:
            raise ValueError("gross_pence is not net + VAT")
        if self.credits_gross_pence != self.credits_net_pence + self.credits_vat_pence:
            raise ValueError("credits_gross_pence is not credits net + VAT")
        return self


class MonthSummary(_Row):
    """A month in one row: what was invoiced, what was credited, what was paid out, and the margin (net of VAT)."""

    status: DocumentStatus
    month: Month = Field(pattern=MONTH_PATTERN)
    provider_name: str
    invoice_count: StrictInt = Field(ge=0)
    invoice_line_count: StrictInt = Field(ge=0)
    invoices_net_pence: StrictInt  # invoiced only: credit notes are documents of their own
    invoices_vat_pence: StrictInt
    invoices_gross_pence: StrictInt
    credits_net_pence: StrictInt  # the month's credit notes' net (zero or negative), not inside invoices_net_pence
    payout_line_count: StrictInt = Field(ge=0)
    payouts_pence: StrictInt
    margin_pence: StrictInt  # invoices net + credits net - payouts
    credit_note_count: StrictInt = Field(default=0, ge=0)
    credits_vat_pence: StrictInt = 0
    credits_gross_pence: StrictInt = 0

    @model_validator(mode="before")
    @classmethod
    def _balance(cls, data: Any) -> Any:
        return _balance_as_written(data, "invoices_{}_pence")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def balance_net_pence(self) -> int:
        return self.invoices_net_pence + self.credits_net_pence

    @computed_field  # type: ignore[prop-decorator]
    @property
    def balance_vat_pence(self) -> int:
        return self.invoices_vat_pence + self.credits_vat_pence

    @computed_field  # type: ignore[prop-decorator]
    @property
    def balance_gross_pence(self) -> int:
        return self.invoices_gross_pence + self.credits_gross_pence

    @model_validator(mode="after")
    def _margin(self) -> MonthSummary:
        if self.invoices_gross_pence != self.invoices_net_pence + self.invoices_vat_pence:
            raise ValueError("invoices_gross_pence is not net + VAT")
        if self.credits_gross_pence != self.credits_net_pence + self.credits_vat_pence:
            raise ValueError("credits_gross_pence is not credits net + VAT")
        if self.margin_pence != self.invoices_net_pence + self.credits_net_pence - self.payouts_pence:
            raise ValueError("margin_pence is not invoices net + credits net - payouts")
        return self


class CreditNotesHeader(_Row):
    """A month's credit notes (of one LA, or all): the totals the credit notes must add up to."""

    status: DocumentStatus  # draft while the month is not closed (a note's corrected invoice may not be numbered)
    month: Month = Field(pattern=MONTH_PATTERN)
    provider_name: str
    la_id: str | None
    la_name: str | None
    credit_note_count: StrictInt = Field(ge=0)
    net_pence: StrictInt
    vat_pence: StrictInt
    gross_pence: StrictInt


# ---- API bodies (service/billing/routes.py) -------------------------------------------------------------------

ExportFormatName = Literal["csv", "xlsx", "json", "xero", "sage"]


class ExportQuery(_Row):
    format: ExportFormatName = "csv"


class CreditNoteExportQuery(ExportQuery):
    la_id: CanonicalId | None = Field(default=None, description="one LA's credit notes; all LAs when absent")


class PayoutExportQuery(ExportQuery):
    writer_id: CanonicalId | None = Field(default=None, description="one writer's statement; all writers when absent")


class PurchaseOrderCreate(_Row):
    """A new purchase order. Finance names the LA; an LA admin adds its own and leaves `la_id` out."""

    po_number: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$")
    value_pence: StrictInt = Field(gt=0, le=10**12, description="the PO's value, net of VAT, in pence")
    la_id: UUID | None = None


class PurchaseOrderQuery(_Row):
    la_id: CanonicalId | None = None


class PurchaseOrderOut(_Row):
    id: str
    la_id: str
    po_number: str
    value_pence: int
    spent_pence: int  # net of the invoice and credit lines charged to it
    committed_pence: int  # submitted bundles not yet delivered, at the most each can cost
    remaining_pence: int
    warned: bool  # committed spend has reached 80% of the value and the LA was told
    closed: bool = False  # closed: no new submission is committed against it
    released: list[str] = Field(default_factory=list, description="held bundles this PO released (on create)")


class PurchaseOrderChange(_Row):
    """A new value for a purchase order (net pence): never below what is already spent and committed on it."""

    value_pence: StrictInt = Field(gt=0, le=10**12, description="the PO's new value, net of VAT, in pence")


class PurchaseOrderStatementLine(_Row):
    """A line charged to the PO (an invoice line, or a credit against one), with its bundle."""

    line_id: int
    kind: Literal["invoice", "credit"]
    cause: str
    month: Month
    event_on: date | None
    bundle_reference: str
    work_type: str
    net_pence: int
    vat_pence: int
    gross_pence: int


class PurchaseOrderCommitment(_Row):
    """A submitted bundle not yet delivered, committed against the PO at the most it can cost."""

    bundle_reference: str
    status: str
    committed_pence: int


class PurchaseOrderStatement(_Row):
    """Every line charged to one purchase order, and what is committed against it, with the totals."""

    order: PurchaseOrderOut
    lines: list[PurchaseOrderStatementLine]
    commitments: list[PurchaseOrderCommitment]


class PurchaseOrderList(_Row):
    items: list[PurchaseOrderOut]


class ClosedInvoice(_Row):
    la_id: str
    invoice_number: str
    line_count: int
    net_pence: int
    vat_pence: int
    gross_pence: int


class MonthClosed(_Row):
    month: Month = Field(pattern=MONTH_PATTERN)
    closed_now: bool  # false: it was already closed and nothing changed
    invoices: list[ClosedInvoice]


MonthState = Literal["closed", "closable", "ended", "current"]


class BillingMonthOut(_Row):
    """One month of a writing service's books: its state and what is billed in it so far (final once closed).

    `closed`: closed, its invoices numbered and frozen; `closable`: ended, and the next month to close; `ended`:
    ended, but an earlier month must close first; `current`: not ended yet (it cannot be closed until it has).
    """

    month: Month = Field(pattern=MONTH_PATTERN)
    state: MonthState
    invoice_lines: int  # the invoices' lines (charges and manual lines)
    invoices_net_pence: int  # invoiced
    invoices_vat_pence: int
    invoices_gross_pence: int
    credits_net_pence: int  # credited: the month's credit notes (zero or negative), not inside invoices_net_pence
    payout_lines: int
    payouts_pence: int
    invoice_numbers: list[str]  # once closed, in number order


class BillingMonthList(_Row):
    """The months of the books, oldest first, from their start (the first billable event, or the start finance
    set) to the current month; empty until anything is billed."""

    books_start: Month | None
    first_closable_month: Month | None
    items: list[BillingMonthOut]


class BooksStart(_Row):
    """The month a writing service's books start, when it is earlier than its first billable event (months before
    it can never be closed). Set before any month is closed."""

    starts_month: Month = Field(pattern=MONTH_PATTERN)


class LineCredit(_Row):
    """Finance corrects a line: the whole line (no amount), or part of it (an amount of its net, with a reason)."""

    reason: str = Field(min_length=1, max_length=300)
    amount_pence: StrictInt | None = Field(
        default=None, gt=0, le=10**12,
        description="a partial credit: this much of the line's net (at most all of it), VAT at the line's rate")


class LedgerLineOut(_Row):
    """A ledger line as written (a credit or a payout reversal, when answering a correction)."""

    line_id: str
    kind: Literal["invoice", "payout", "credit"]
    cause: str
    month: Month = Field(pattern=MONTH_PATTERN)
    bundle_id: str | None  # none on a manual line
    net_pence: int
    vat_pence: int
    corrects_line_id: str | None
    credit_note_number: str | None = None  # the credit note issued for an invoice line's credit


class ManualLineCreate(_Row):
    """A line finance adds to an LA's invoice for an open month: what it is for, its net amount (pence; negative for
    an agreed reduction) and its VAT rate (UK rates: 0, 5% or 20%, in basis points)."""

    description: str = Field(min_length=1, max_length=200, pattern=r"\S")
    amount_pence: StrictInt = Field(ge=-10**9, le=10**9)
    vat_rate_bp: Literal[0, 500, 2000] = 2000

    @model_validator(mode="after")
    def _not_zero(self) -> ManualLineCreate:
        if self.amount_pence == 0:
            raise ValueError("amount_pence: a line of nothing is no line")
        return self


class CreditNoteQuery(_Row):
    month: Month | None = Field(default=None, pattern=MONTH_PATTERN, description="the month the credit is in")
    la_id: CanonicalId | None = None
    number: str | None = Field(default=None, max_length=32, description="one credit note by its number")


class CreditNoteOut(_Row):
    """A credit note: a document of its own, numbered in its own gapless series per writing service as it is issued
    (`CN-000001`), naming the invoice and the line it corrects; never part of an invoice. Amounts are negative
    (integer pence). `corrects_invoice_number` is None while the corrected line's month is not closed (the invoice
    for `corrects_month` is not issued yet)."""

    credit_note_number: str
    issued_on: date
    month: Month = Field(pattern=MONTH_PATTERN)  # the month of the books the credit is in
    supplier_name: str
    supplier_address_lines: tuple[str, ...]
    supplier_postcode: str | None
    supplier_vat_number: str | None
    la_id: str
    customer_name: str
    customer_address_lines: tuple[str, ...]
    customer_postcode: str | None
    reason: str
    customer_email: str | None = None  # the LA's billing contact when the note was issued
    customer_account_reference: str | None = None  # the LA's Sage 50 account reference, if it has one of its own
    corrects_invoice_number: str | None
    corrects_month: Month = Field(pattern=MONTH_PATTERN)
    corrects_line_id: StrictInt
    line: InvoiceLine
    net_pence: StrictInt
    vat_pence: StrictInt
    gross_pence: StrictInt


class CreditNoteList(_Row):
    items: list[CreditNoteOut]
