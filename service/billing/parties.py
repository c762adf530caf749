"""The parties on a VAT invoice or credit note, as they stood when it was issued.

An issued document never changes (a closed month's exports are byte-identical however often they are read), so
the supplier's and the customer's names, addresses, the supplier's VAT number and the payment terms are copied onto
the invoice at month close and onto the credit note at its issue (`parties_of`); a draft shows them as they are
now. A document issued before they were kept shows them as they are now too.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from service.models import Organisation

DEFAULT_PAYMENT_TERMS_DAYS = 30


class Party(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    address_lines: tuple[str, ...] = ()
    postcode: str | None = None
    vat_number: str | None = None
    email: str | None = None  # the billing contact's (an LA's)
    account_reference: str | None = None  # in Sage 50 (an LA's; none: the default made from its id)


class Parties(BaseModel):
    """The supplier (the writing service), the customer (the LA) and the days payment is due after issue."""

    model_config = ConfigDict(frozen=True)

    supplier: Party
    customer: Party
    payment_terms_days: int


def payment_terms_days(provider: Organisation, la: Organisation) -> int:
    """The LA's own payment terms, else its writing service's, else 30 days."""
    for days in (la.payment_terms_days, provider.payment_terms_days):
        if days is not None:
            return days
    return DEFAULT_PAYMENT_TERMS_DAYS


def _party(org: Organisation) -> Party:
    return Party(name=org.name, address_lines=tuple(org.address_lines or ()), postcode=org.postcode,
                 vat_number=org.vat_number, email=org.billing_email, account_reference=org.sage_account_reference)


def parties_of(provider: Organisation, la: Organisation) -> Parties:
    """The parties as they are now."""
    return Parties(supplier=_party(provider), customer=_party(la),
                   payment_terms_days=payment_terms_days(provider, la))


# what a full VAT invoice must say of its supplier (HMRC VAT Notice 700/21, 16.3), as the organisation's fields
SUPPLIER_FIELDS = ("name", "address_lines", "postcode", "vat_number")


def supplier_gaps(provider: Organisation) -> list[str]:
    """The supplier details a full VAT invoice needs that the writing service has not set, in `SUPPLIER_FIELDS`
    order (empty when it can issue one)."""
    party = _party(provider)
    return [field for field in SUPPLIER_FIELDS if not getattr(party, field)]


def stored(parties: Parties) -> dict[str, Any]:
    return parties.model_dump(mode="json")


def issued(kept: dict[str, Any] | None, provider: Organisation, la: Organisation) -> Parties:
    """The parties a document was issued to (kept on it), else as they are now."""
    return Parties.model_validate(kept) if kept else parties_of(provider, la)
