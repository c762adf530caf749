"""Allocation over a simulated year: the engine against the naive baseline, day by day, on the same scenario.

For each load (arrivals a year per writer) and seed, one year from 1 September (the November-February
phase-transfer peak inside it) is simulated through `planwright simulate`'s core; both policies see the same
arrivals, leave, sickness and decline draws. Reported per run and on average: on-time share of completed
bundles (plain and weighted), bundles open and overdue at the end, mean and peak backlog, utilisation,
time spent in the policy and the whole run's wall time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from service.simulation.simulate import SimulationConfig, measure, overdue_open, simulate


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_allocation_simulation")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--writers", type=int, default=30)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 9, 1))
    parser.add_argument("--loads", type=float, nargs="+", default=[80.0, 90.0, 100.0, 110.0])
    args = parser.parse_args(argv)

    print(
        f"{args.writers} writers, {args.days} days from {args.start}, seeds 1-{args.seeds}; "
        "declines 10%, sickness 3%, 25 leave days, express 10%"
    )
    header = (
        f"{'load':>5} {'seed':>4} {'arrivals':>8} {'policy':>7} {'on-time':>8} {'weighted':>8} {'overdue':>7} "
        f"{'mean bl':>7} {'peak bl':>7} {'util':>6} {'policy s':>8} {'run s':>6}"
    )
    print(header)
    for load in args.loads:
        totals: dict[str, list[tuple[float, float, float, float, float]]] = {"engine": [], "naive": []}
        for seed in range(1, args.seeds + 1):
            config = SimulationConfig(
                start=args.start,
                days=args.days,
                seed=seed,
                writers=args.writers,
                arrivals_per_year=load * args.writers,
            )
            started = time.perf_counter()
            result = simulate(config)
            wall = time.perf_counter() - started
            for name, run in result.runs.items():
                m = measure(run.days)
                share = m.on_time_share or 0.0
                weighted = m.on_time_weight_share or 0.0
                utilisation = m.utilisation or 0.0
                totals[name].append((share, weighted, m.mean_backlog, float(m.peak_backlog), utilisation))
                print(
                    f"{load:5.0f} {seed:4d} {m.arrivals:8d} {name:>7} {share:8.3f} {weighted:8.3f} "
                    f"{overdue_open(result.scenario, run):7d} {m.mean_backlog:7.1f} {m.peak_backlog:7d} "
                    f"{utilisation:6.3f} {run.seconds:8.2f} {wall:6.1f}",
                    flush=True,
                )
        for name, rows in totals.items():
            mean = [statistics.fmean(col) for col in zip(*rows, strict=True)]
            print(
                f"{load:5.0f} {'mean':>4} {'':8} {name:>7} {mean[0]:8.3f} {mean[1]:8.3f} {'':7} {mean[2]:7.1f} "
                f"{mean[3]:7.1f} {mean[4]:6.3f}"
            )
        wins = sum(e[1] >= n[1] for e, n in zip(totals["engine"], totals["naive"], strict=True))
        print(f"{load:5.0f} engine's weighted on-time share >= naive's in {wins} of {args.seeds} seeds\n", flush=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
