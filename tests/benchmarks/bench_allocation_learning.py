"""What learning costs a round on PostgreSQL: the writing service's first drafts read and learned from, and every
writer's planning factor over the queue, as `plan_round` does before it calls the engine; then the whole dry round,
which plans again when writers are in a bundle's weak tail for quality and when some are over their fair share.

Creates a fresh database on the server in PLANWRIGHT_BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/postgres), applies the migrations, generates delivered bundles with a first draft
each (60 writers, every work type, 20-220 pages, a third of them requiring post16, passed first time 85% of the time,
45% for about one writer in six, nine in ten with the hours the writer gave) and a queue of bundles due in 3-18 days
under a contract that lets quality cost 2%, with a fair-share target of 0.1, then times `provider_estimates` and
`planning_factors`, and `plan_round` (best and median of 5 runs after one warm-up), and drops the database.
`make bench allocation_learning` (20,000 drafts: about five years of a mid-sized service, 300 queued) or
`python -m tests.benchmarks.bench_allocation_learning [--drafts N] [--queued N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import date

from tests.benchmarks.postgres import asyncpg_url, bench_database, timed_runs

WORK_TYPES = "ARRAY['new_plan','phase_transfer','annual_review_amendment','reassessment','statement_transfer']"
BUNDLES = f"""
INSERT INTO bundle (id, la_id, provider_id, created_by_id, reference, work_type, tier, requires, status,
                    page_count, writer_id, excluded_writers, created_at, updated_at, statutory_derived,
                    access_version, access_revoked)
SELECT gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, $5 || g, ({WORK_TYPES})[1 + (g % 5)], 'standard',
       (CASE WHEN g % 3 = 0 THEN '["post16"]' ELSE '[]' END)::jsonb, $6, 20 + (g * 7) % 200,
       writers[1 + (g % 60)], '[]', now(), now(), false, 1, false
FROM generate_series(1, $4) AS g, (SELECT array_agg(id ORDER BY id) AS writers FROM writer) AS w
"""
DRAFTS = """
INSERT INTO draft (id, bundle_id, writer_id, cycle, status, filename, size, sha256, storage_key, dismissals,
                   created_at, hours_spent, hours_estimated)
SELECT gen_random_uuid(), b.id, b.writer_id, 1,
       CASE WHEN random() < (CASE WHEN abs(hashtext(b.writer_id::text)) % 6 = 0 THEN 0.45 ELSE 0.85 END)
            THEN 'passed' ELSE 'returned' END,
       'v1.docx', 1, repeat('0', 64), '', '{}', now(),
       CASE WHEN random() < 0.9 THEN 10 + b.page_count * 0.1 * (0.6 + random()) END, 10 + b.page_count * 0.1
FROM bundle b WHERE b.status = 'delivered'
"""


async def _bench(drafts: int, queued: int) -> None:
    import asyncpg

    async with bench_database("learning") as url:
        from tortoise.transactions import in_transaction

        from service import clock
        from service.allocation.estimates import provider_estimates
        from service.allocation.rounds import plan_round, planning_factors, writer_capacity
        from service.contracts_in_force import contracts_by_la
        from service.models import (
            Bundle,
            BundleStatus,
            LaContract,
            Organisation,
            OrganisationKind,
            Role,
            User,
            Writer,
            WriterContract,
        )

        provider = await Organisation.create(kind=OrganisationKind.PROVIDER, name="Bench writing service",
                                             fair_share_tolerance=0.1)
        la = await Organisation.create(kind=OrganisationKind.LA, name="County", provider=provider)
        await LaContract.create(la=la, provider=provider, starts_on=date(2021, 1, 1),
                                turnaround_days={"standard": 10, "express": 5})  # quality may cost 2% (the default)
        officer = await User.create(organisation=la, name="officer", role=Role.LA_OFFICER)
        skills = ["new_plan", "phase_transfer", "annual_review_amendment", "reassessment", "statement_transfer"]
        for i in range(60):
            user = await User.create(organisation=provider, name=f"writer {i:02d}", role=Role.WRITER)
            writer = await Writer.create(user=user, provider=provider, status="active")
            await WriterContract.create(writer=writer, skills=skills + (["post16"] if i % 2 else []),
                                        hours_per_week=30, max_concurrent=4, dbs_expires=date(2030, 1, 1),
                                        starts_on=date(2021, 1, 1))
        data = await asyncpg.connect(asyncpg_url(url))
        started = time.perf_counter()
        ids = (str(la.id), str(provider.id), str(officer.id))
        await data.execute(BUNDLES, *ids, drafts, "H-", "delivered")
        await data.execute(DRAFTS)
        await data.execute(BUNDLES, *ids, queued, "Q-", "queued")
        await data.execute("UPDATE bundle SET writer_id = NULL, queued_at = now(), "
                           "turnaround_due = current_date + 3 + abs(hashtext(id::text)) % 16 WHERE status = 'queued'")
        await data.execute("ANALYZE bundle; ANALYZE draft")
        await data.close()
        print(f"generated {drafts:,} delivered bundles with first drafts and {queued:,} queued in "
              f"{time.perf_counter() - started:.1f}s")

        async def learn() -> int:
            async with in_transaction() as conn:
                learned = await provider_estimates(provider.id, conn)
                la_contracts = await contracts_by_la(provider.id, conn)
                writers = await writer_capacity(provider.id, date.today(), la_contracts, conn)
                waiting = await Bundle.filter(provider_id=provider.id, status=BundleStatus.QUEUED).using_db(conn)
                factors = planning_factors(learned, writers, waiting, la_contracts)
            return len(factors)

        writers = await learn()
        times = await timed_runs(learn)
        print(f"learned from {drafts:,} first drafts and planned {writers} writers over {queued:,} queued bundles: "
              f"best {min(times):.3f}s, median {statistics.median(times):.3f}s")

        plans = []

        async def dry_round() -> int:
            async with in_transaction() as conn:
                plans.append(await plan_round(provider.id, conn, now=clock.now()))
            return len(plans[-1].offers)

        await dry_round()
        times = await timed_runs(dry_round)
        last = plans[-1]
        print(f"a whole dry round ({len(last.offers)} offers, {len(last.unassigned)} unassigned; quality: "
              f"{last.quality}; fair share: {last.fair_share}): best {min(times):.3f}s, "
              f"median {statistics.median(times):.3f}s")
        # the same round with quality free and no fair-share target: the engine once
        await LaContract.filter(la=la).update(quality_cost_limit=0.0)
        await Organisation.filter(id=provider.id).update(fair_share_tolerance=None)
        await dry_round()
        times = await timed_runs(dry_round)
        print(f"the same round planned once (quality_cost_limit 0, no fair-share target): best {min(times):.3f}s, "
              f"median {statistics.median(times):.3f}s")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_allocation_learning")
    parser.add_argument("--drafts", type=int, default=20_000)
    parser.add_argument("--queued", type=int, default=300)
    args = parser.parse_args(argv)
    asyncio.run(_bench(args.drafts, args.queued))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
