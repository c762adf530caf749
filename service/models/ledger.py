"""Money: the LA's contract prices and the ledger of billable and payout lines (integer pence, never edited)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from service.models.bundles import Bundle
from service.models.orders import PurchaseOrder
from service.models.people import Organisation, User, Writer


class LaContract(Model):
    """What an LA pays its writing service, and what the service pays writers, per work type (pence)."""

    id = fields.UUIDField(primary_key=True)
    la: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="la_contracts", on_delete=fields.RESTRICT
    )
    provider: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="provider_contracts", on_delete=fields.RESTRICT
    )
    prices_pence: dict[str, int] = fields.JSONField(default=dict)
    payouts_pence: dict[str, int] = fields.JSONField(default=dict)
    vat_rate_percent = fields.IntField(default=20)
    # working days per tier {"standard": 10, "express": 5}, optionally per work type {"new_plan": {"standard": 20}}
    turnaround_days: dict[str, Any] = fields.JSONField(default=dict)
    # the contract's own closure days (ISO dates) on top of bank holidays: SLA clocks do not count them
    closure_days: list[str] = fields.JSONField(default=list)
    # effort hours per work type (base_hours, hours_per_10_pages, cap_hours); empty = the defaults
    effort_table: dict[str, dict[str, float]] = fields.JSONField(default=dict)
    # working days after delivery in which the LA may ask for amendments free of charge
    amendment_window_days = fields.IntField(default=10)
    # how long a writer has to answer an offer, in working hours
    offer_window_hours = fields.FloatField(default=8.0)
    # how much of the planned on-time weight of this LA's bundles a round may give up to keep writers in the weak
    # tail of first-time QA passes for a bundle's area off it (0: never trade time for quality)
    quality_cost_limit = fields.FloatField(default=0.02)
    starts_on = fields.DateField()
    created_at = fields.DatetimeField(auto_now_add=True)
    # finding kind -> "block" or "warn" where the LA differs from the defaults (service/intake/policy.py)
    screening_policy: dict[str, str] = fields.JSONField(default=dict)
    # days after a bundle closes before its documents and drafts are purged from storage
    retention_days = fields.IntField(default=90)
    # the rate card (service/billing/rate_card.py RateCard as JSON): prices, page bands, express, VAT, SLA credit,
    # amendment prices, writer payouts and express bonus, and whether payouts are earned on delivery or acceptance
    # (null = a card built from prices_pence, payouts_pence and vat_rate_percent with the standard defaults)
    rate_card: dict[str, Any] | None = fields.JSONField(null=True)
    # the LA's plan template profile for draft QA (contracts.qa.TemplateProfile as JSON: a shipped one or one
    # learned from the LA's blank template and corrected); null = the best-fitting shipped profile per draft
    qa_template: dict[str, Any] | None = fields.JSONField(null=True)
    # the last day of the contract (null: open-ended); after it the LA submits no new bundles
    ends_on = fields.DateField(null=True)

    class Meta:
        table = "la_contract"


class LineKind(StrEnum):
    INVOICE = "invoice"
    PAYOUT = "payout"
    CREDIT = "credit"  # reverses an invoice line, in the first open month after the correction


class BillingBook(Model):
    """A writing service's books: the last closed month and the last invoice number (locked while closing)."""

    id = fields.BigIntField(primary_key=True)
    provider: fields.OneToOneRelation[Organisation] = fields.OneToOneField(
        "models.Organisation", related_name="billing_book", on_delete=fields.RESTRICT
    )
    invoice_prefix = fields.CharField(max_length=16, default="INV")
    last_invoice_number = fields.IntField(default=0)
    last_closed_month = fields.CharField(max_length=7, null=True)
    # the first month of the books when finance sets one; otherwise the month of the first billable event
    starts_month = fields.CharField(max_length=7, null=True)
    # credit notes are numbered in a series of their own (CN-000001), gapless, as each is issued
    credit_note_prefix = fields.CharField(max_length=16, default="CN")
    last_credit_note_number = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "billing_book"


class Invoice(Model):
    """An LA's invoice for a closed month: its gapless number and the totals frozen at close."""

    id = fields.BigIntField(primary_key=True)
    provider: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="invoices_issued", on_delete=fields.RESTRICT
    )
    la: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="invoices", on_delete=fields.RESTRICT
    )
    month = fields.CharField(max_length=7)
    number = fields.CharField(max_length=32)
    issued_on = fields.DateField()
    line_count = fields.IntField()
    net_pence = fields.BigIntField()
    vat_pence = fields.BigIntField()
    closed_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invoices_closed", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    # the supplier, the customer and the payment terms as they stood at close (service/billing/parties.py);
    # null on an invoice issued before they were kept
    parties: dict[str, Any] | None = fields.JSONField(null=True)

    class Meta:
        table = "invoice"
        unique_together = (("provider", "number"), ("provider", "la", "month"))


class CreditNote(Model):
    """A credit note: a document of its own, numbered as it is issued, naming the invoice line it corrects.

    Its one credit line (`line`) is the ledger's record of the amount, and `corrects_line` is the invoice line it
    corrects (its invoice is the LA's invoice for that line's month).
    """

    id = fields.BigIntField(primary_key=True)
    provider: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="credit_notes_issued", on_delete=fields.RESTRICT
    )
    la: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="credit_notes", on_delete=fields.RESTRICT
    )
    number = fields.CharField(max_length=32)
    issued_on = fields.DateField()
    reason = fields.CharField(max_length=200)
    line: fields.OneToOneRelation[BillableLine] = fields.OneToOneField(
        "models.BillableLine", related_name="credit_note", on_delete=fields.RESTRICT
    )
    corrects_line: fields.ForeignKeyRelation[BillableLine] = fields.ForeignKeyField(
        "models.BillableLine", related_name="credit_notes", on_delete=fields.RESTRICT
    )
    issued_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="credit_notes_issued", null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    # the supplier, the customer and the payment terms as they stood at issue (service/billing/parties.py)
    parties: dict[str, Any] = fields.JSONField()

    class Meta:
        table = "credit_note"
        unique_together = (("provider", "number"),)


class BillableLine(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(LineKind, max_length=16)
    provider: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="provider_lines", on_delete=fields.RESTRICT
    )
    la: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="la_lines", on_delete=fields.RESTRICT
    )
    # the bundle the line bills or pays; none on a manual line (finance's own, cause `manual:<uuid>`)
    bundle: fields.ForeignKeyNullableRelation[Bundle] = fields.ForeignKeyField(
        "models.Bundle", related_name="lines", null=True, on_delete=fields.RESTRICT
    )
    writer: fields.ForeignKeyNullableRelation[Writer] = fields.ForeignKeyField(
        "models.Writer", related_name="lines", null=True, on_delete=fields.RESTRICT
    )
    month = fields.CharField(max_length=7, db_index=True)
    work_type = fields.CharField(max_length=32)
    description = fields.CharField(max_length=200)
    net_pence = fields.IntField()
    vat_pence = fields.IntField(default=0)
    # what caused the line: one line per (bundle, kind, cause), so replays never double it
    # ("delivery", "acceptance", "amendment:<event id>", "correction:<line id>")
    cause = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    # the rated figures (contracts/billing.py line shapes), all pence or basis points, 0 where they do not apply
    pages = fields.IntField(default=0)
    express = fields.BooleanField(default=False)
    late_working_days = fields.IntField(default=0)
    base_pence = fields.IntField(default=0)
    page_band_pence = fields.IntField(default=0)
    express_pence = fields.IntField(default=0)
    sla_credit_pence = fields.IntField(default=0)
    express_bonus_pence = fields.IntField(default=0)
    vat_rate_bp = fields.IntField(default=0)
    purchase_order: fields.ForeignKeyNullableRelation[PurchaseOrder] = fields.ForeignKeyField(
        "models.PurchaseOrder", related_name="lines", null=True, on_delete=fields.RESTRICT
    )
    # the Europe/London date of the event that wrote the line (its month may be later, when that one was closed)
    event_on = fields.DateField(null=True)
    corrects_line: fields.ForeignKeyNullableRelation[BillableLine] = fields.ForeignKeyField(
        "models.BillableLine", related_name="corrections", null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "billable_line"
        unique_together = (("bundle", "kind", "cause"),)
        # an LA's invoice lines and the month's payout lines, each read in id order
        indexes = (("provider_id", "month", "la_id", "id"), ("provider_id", "month", "kind", "id"))
