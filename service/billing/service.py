"""The ledger: lines written when their event happens, never edited; one line per (bundle, kind, cause)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from service.billing.rating import payout, price
from service.models import BillableLine, Bundle, LaContract, LineKind, Organisation

LONDON = ZoneInfo("Europe/London")
CSV_COLUMNS = ("line_id", "month", "kind", "la_id", "la_name", "bundle_id", "bundle_reference", "work_type",
               "writer_id", "description", "net_pence", "vat_pence", "gross_pence")


def month_of(at: datetime) -> str:
    return at.astimezone(LONDON).strftime("%Y-%m")


async def write_delivery_lines(bundle: Bundle, *, delivered_at: datetime, conn: BaseDBAsyncClient) -> None:
    """An invoice line for the LA and a payout line for the writer, in the delivery's own transaction."""
    contract = (
        await LaContract.filter(la_id=bundle.la_id, provider_id=bundle.provider_id)  # type: ignore[attr-defined]
        .using_db(conn).order_by("-starts_on").first()
    )
    prices = contract.prices_pence if contract else {}
    payouts = contract.payouts_pence if contract else {}
    rate = contract.vat_rate_percent if contract else 20
    work_type = bundle.work_type.value
    month = month_of(delivered_at)
    invoice = price(work_type, prices, rate)
    paid = payout(work_type, payouts)
    common = {"provider_id": bundle.provider_id, "la_id": bundle.la_id, "bundle_id": bundle.id,  # type: ignore[attr-defined]
              "month": month, "work_type": work_type, "cause": "delivery"}
    if not await BillableLine.filter(bundle_id=bundle.id, cause="delivery").using_db(conn).exists():
        await BillableLine.create(kind=LineKind.INVOICE, description=f"{work_type} delivered",
                                  net_pence=invoice.net_pence, vat_pence=invoice.vat_pence, using_db=conn, **common)
        await BillableLine.create(kind=LineKind.PAYOUT, writer_id=bundle.writer_id,  # type: ignore[attr-defined]
                                  description=f"{work_type} payout", net_pence=paid.net_pence, vat_pence=0,
                                  using_db=conn, **common)


async def month_csv(provider_id: UUID, month: str) -> AsyncIterator[str]:
    """The month's lines as CSV, streamed in id order (deterministic)."""
    names = {o.id: o.name for o in await Organisation.filter(provider_id=provider_id)}
    references: dict[object, str] = {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    last_id = 0
    while True:
        rows = await BillableLine.filter(provider_id=provider_id, month=month, id__gt=last_id).order_by("id").limit(500)
        if not rows:
            break
        missing = {r.bundle_id for r in rows} - references.keys()  # type: ignore[attr-defined]
        if missing:
            references.update(dict(await Bundle.filter(id__in=missing).values_list("id", "reference")))
        buffer.seek(0)
        buffer.truncate()
        for r in rows:
            writer.writerow((r.id, r.month, r.kind.value, r.la_id, names.get(r.la_id, ""), r.bundle_id,  # type: ignore[attr-defined]
                             references.get(r.bundle_id, ""), r.work_type, r.writer_id or "",  # type: ignore[attr-defined]
                             r.description, r.net_pence, r.vat_pence, r.net_pence + r.vat_pence))
        yield buffer.getvalue()
        last_id = rows[-1].id
