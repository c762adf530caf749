"""An LA's invoice of 1,000,000 lines (and the month's 1,000,000 payout lines) exported from PostgreSQL through
the API's own path (`service.billing.reading`): SQL sums for the header, the ledger streamed in id order a batch
at a time into the export thread. Time, file size and peak resident memory growth per format.

Creates a fresh database on the server in PLANWRIGHT_BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/postgres), applies the migrations, generates the bundles and their invoice and
payout lines with INSERT ... SELECT generate_series (every work type, pages 1-150 across the page bands, every 7th
express), exports, and drops the database. `python -m tests.benchmarks billing_db_export [--lines N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from pathlib import Path

from tests.benchmarks.memory import PeakMemory
from tests.benchmarks.postgres import asyncpg_url, bench_database

MB = 1024 * 1024

BUNDLES = """
INSERT INTO bundle (id, la_id, provider_id, created_by_id, reference, work_type, tier, requires, status,
                    page_count, writer_id, excluded_writers, purchase_order_id, po_committed_pence, delivered_at,
                    created_at, updated_at, statutory_derived, access_version, access_revoked)
SELECT gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, 'LA1-' || lpad(g::text, 8, '0'),
       (ARRAY['new_plan','phase_transfer','annual_review_amendment','reassessment','statement_transfer'])[1 + g % 5],
       CASE WHEN g % 7 = 0 THEN 'express' ELSE 'standard' END, '[]', 'accepted', 1 + g % 150, $4::uuid, '[]',
       $5::uuid, 0, now(), now(), now(), false, 1, false
FROM generate_series(1, $6) AS g
"""
# the standard card's prices; 61+ pages add GBP 50, 121+ GBP 100; express 25% of the base; 20% VAT on each
LINES = """
INSERT INTO billable_line (kind, provider_id, la_id, bundle_id, writer_id, purchase_order_id, month, work_type,
                           description, cause, created_at, pages, express, late_working_days, base_pence,
                           page_band_pence, express_pence, sla_credit_pence, express_bonus_pence, net_pence,
                           vat_rate_bp, vat_pence, event_on)
SELECT 'invoice', provider_id, la_id, id, NULL, purchase_order_id, '2027-03', work_type, 'delivered', 'delivery',
       now(), page_count, express, 0, base, band, surcharge, 0, 0, base + band + surcharge, 2000,
       (base + band + surcharge) / 5, date '2027-03-01' + (page_count % 31)
FROM (SELECT b.*, p.base, CASE WHEN page_count >= 121 THEN 10000 WHEN page_count >= 61 THEN 5000 ELSE 0 END AS band,
             CASE WHEN tier = 'express' THEN p.base / 4 ELSE 0 END AS surcharge, tier = 'express' AS express
      FROM bundle b JOIN (VALUES ('new_plan', 45000), ('phase_transfer', 30000), ('annual_review_amendment', 25000),
                                 ('reassessment', 45000), ('statement_transfer', 30000)) AS p(work_type, base)
      USING (work_type) ORDER BY b.reference) AS priced
"""
PAYOUTS = """
INSERT INTO billable_line (kind, provider_id, la_id, bundle_id, writer_id, purchase_order_id, month, work_type,
                           description, cause, created_at, pages, express, late_working_days, base_pence,
                           page_band_pence, express_pence, sla_credit_pence, express_bonus_pence, net_pence,
                           vat_rate_bp, vat_pence, event_on)
SELECT 'payout', provider_id, la_id, bundle_id, (SELECT writer_id FROM bundle WHERE id = bundle_id), NULL, month,
       work_type, 'payout', 'delivery', now(), pages, express, 0, base_pence * 2 / 3, 0, 0, 0,
       CASE WHEN express THEN 4000 ELSE 0 END, base_pence * 2 / 3 + CASE WHEN express THEN 4000 ELSE 0 END, 0, 0,
       event_on
FROM billable_line WHERE kind = 'invoice' ORDER BY id
"""


async def _bench(lines: int, formats: list[str]) -> None:
    import asyncpg

    async with bench_database("billing") as url:
        from service.billing import reading
        from service.models import Organisation, OrganisationKind, PurchaseOrder, Role, User, Writer

        provider = await Organisation.create(kind=OrganisationKind.PROVIDER, name="Bench writing service")
        la = await Organisation.create(kind=OrganisationKind.LA, name="Bench county", provider=provider)
        officer = await User.create(organisation=la, name="officer", role=Role.LA_OFFICER)
        writer = await Writer.create(user=await User.create(organisation=provider, name="writer", role=Role.WRITER),
                                     provider=provider)
        order = await PurchaseOrder.create(la=la, provider=provider, po_number="PO-2027-001", value_pence=10**12)
        data = await asyncpg.connect(asyncpg_url(url))
        started = time.perf_counter()
        await data.execute(BUNDLES, la.id, provider.id, officer.id, writer.id, order.id, lines)
        await data.execute(LINES)
        await data.execute(PAYOUTS)
        await data.execute("ANALYZE")
        print(f"generated {lines:,} bundles, invoice lines and payout lines in {time.perf_counter() - started:.1f}s")
        await data.close()
        books = reading.Month(provider.id, provider.name, "2027-03", "draft")
        with tempfile.TemporaryDirectory(prefix="bench-billing-db-") as folder:
            for document in ("invoice", "payouts"):
                for fmt in formats:
                    gc.collect()
                    with PeakMemory() as memory:
                        started = time.perf_counter()
                        export = (await reading.invoice_export(books, la, fmt)  # type: ignore[arg-type]
                                  if document == "invoice" else await reading.payouts_export(books, None, fmt))  # type: ignore[arg-type]
                        path = Path(folder) / export.filename
                        with path.open("wb") as out:
                            async for chunk in reading.stream(export):
                                out.write(chunk)
                        elapsed = time.perf_counter() - started
                    print(f"  {document:7} {fmt:4}: {elapsed:6.1f} s ({lines / elapsed:,.0f} lines/s); "
                          f"file {path.stat().st_size / MB:7.1f} MiB; peak RSS growth {memory.growth / MB:6.1f} MiB")
                    path.unlink()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_billing_db_export")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--formats", nargs="*", choices=("csv", "xlsx", "json"), default=["csv", "xlsx", "json"])
    args = parser.parse_args(argv)
    asyncio.run(_bench(args.lines, args.formats))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
