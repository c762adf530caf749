"""LAs' purchase orders: what a writing service may commit their submissions against.

Apart from ledger.py because a bundle refers to the purchase order it is committed against, and ledger's lines
refer to bundles: with the order here, bundles.py and ledger.py need not import each other.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from service.models.people import Organisation, User


class PurchaseOrder(Model):
    """An LA's purchase order: submissions are committed against it up to its value (net pence)."""

    id = fields.UUIDField(primary_key=True)
    la: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="purchase_orders", on_delete=fields.RESTRICT
    )
    provider: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="client_purchase_orders", on_delete=fields.RESTRICT
    )
    po_number = fields.CharField(max_length=64)
    value_pence = fields.BigIntField()
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="purchase_orders_added", null=True, on_delete=fields.RESTRICT
    )
    # set when the LA was warned that committed spend reached 80% of the value (warned once)
    warned_at = fields.DatetimeField(null=True)
    # set when finance or the LA closed it: no new submission is committed against it (its commitments stand)
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "purchase_order"
        unique_together = (("la", "po_number"),)
