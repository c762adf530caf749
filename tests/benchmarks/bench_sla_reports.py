"""A year's turnaround report over 1,000,000 historical bundles on PostgreSQL.

Creates a fresh database on the server in PLANWRIGHT_BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/postgres), applies the migrations, generates the bundles in the database with
INSERT ... SELECT generate_series (5 years of deliveries, 30 LAs of one writing service, 60 writers, every work
type, turnaround working days 1-25 skewed by work type, on-time when within the contract's 10 days), ANALYZEs,
times the turnaround report and the capacity forecast (best and median of 5 runs after one warm-up) and drops the
database. `make bench BENCH_ARGS=sla_reports` (1,000,000 rows) or
`python -m tests.benchmarks.bench_sla_reports [--rows N]`; tests/sla/test_report_benchmark.py runs it with a few rows.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import date

from tests.benchmarks.postgres import asyncpg_url, bench_database, timed_runs

GENERATE = """
INSERT INTO bundle (id, la_id, provider_id, created_by_id, reference, work_type, tier, requires, status,
                    page_count, writer_id, excluded_writers, queued_at, delivered_at, created_at, updated_at,
                    statutory_derived, turnaround_working_days, delivered_on_time, access_version, access_revoked)
SELECT gen_random_uuid(), las[1 + (g % 30)], $1::uuid, $2::uuid, 'H-' || g,
       (ARRAY['new_plan','phase_transfer','annual_review_amendment','reassessment','statement_transfer'])[1 + (g % 5)],
       CASE WHEN g % 7 = 0 THEN 'express' ELSE 'standard' END, '[]', 'accepted', 20 + g % 80,
       writers[1 + (g % 60)], '[]', d - interval '14 days', d, d - interval '20 days', d, false, t, t <= 10, 1, false
FROM (SELECT g, timestamptz '2021-06-01' + (random() * interval '1826 days') AS d,
             1 + floor(random() * 15 + (g % 5) * random() * 3)::int AS t
      FROM generate_series(1, $3) AS g) AS s,
     (SELECT array_agg(id ORDER BY id) AS las FROM organisation WHERE kind = 'la') AS l,
     (SELECT array_agg(id ORDER BY id) AS writers FROM writer) AS w
"""


async def _bench(rows: int) -> None:
    import asyncpg

    async with bench_database("sla") as url:
        from service.models import Organisation, OrganisationKind, Role, User, Writer, WriterContract
        from service.sla.reports import Scope, capacity_forecast, turnaround

        provider = await Organisation.create(kind=OrganisationKind.PROVIDER, name="Bench writing service")
        officer = None
        for i in range(30):
            la = await Organisation.create(kind=OrganisationKind.LA, name=f"County {i:02d}", provider=provider)
            officer = officer or await User.create(organisation=la, name="officer", role=Role.LA_OFFICER)
        for i in range(60):
            user = await User.create(organisation=provider, name=f"writer {i:02d}", role=Role.WRITER)
            writer = await Writer.create(user=user, provider=provider)
            await WriterContract.create(writer=writer, skills=[], hours_per_week=30, dbs_expires=date(2030, 1, 1),
                                        starts_on=date(2021, 1, 1))
        assert officer is not None
        data = await asyncpg.connect(asyncpg_url(url))
        started = time.perf_counter()
        await data.execute(GENERATE, str(provider.id), str(officer.id), rows)
        await data.execute("ANALYZE bundle")
        generated = time.perf_counter() - started
        await data.close()
        print(f"generated {rows:,} bundles in {generated:.1f}s (INSERT ... SELECT generate_series)")
        scope = Scope(provider_id=provider.id)
        start, end = date(2025, 1, 1), date(2025, 12, 31)
        table = await turnaround(scope, start, end)
        times = await timed_runs(lambda: turnaround(scope, start, end))
        delivered = sum(int(r["delivered"] or 0) for r in table.rows if r["dimension"] == "month")
        print(f"turnaround report {start}..{end}: {delivered:,} deliveries in {len(table.rows)} groups; "
              f"best {min(times):.3f}s, median {statistics.median(times):.3f}s (target < 2 s)")
        today = date(2025, 11, 3)  # three years and a quarter of history behind it
        forecast = await capacity_forecast(provider.id, today)
        times = await timed_runs(lambda: capacity_forecast(provider.id, today))
        expected = sum(float(r["expected_arrivals"] or 0) for r in forecast.rows)
        shortfall = sum(float(r["shortfall_hours"] or 0) for r in forecast.rows)
        print(f"capacity forecast from {today}: {expected:,.0f} expected arrivals in 8 weeks "
              f"({forecast.rows[0]['arrivals_basis']}), shortfall {shortfall:,.0f} writer-hours; "
              f"best {min(times):.3f}s, median {statistics.median(times):.3f}s")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_sla_reports")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    asyncio.run(_bench(args.rows))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
