"""Allocation speed: one national-scale round (10,000 bundles x 500 writers) and the growth curve.

Times are wall-clock and CPU seconds of `allocate` alone (the instance is built beforehand); peak memory
is measured in a separate run under tracemalloc (numpy reports its buffers to it), so the timing runs
are not slowed by tracing. The machine may be shared: CPU seconds are the steadier figure.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

from contracts.allocation import Instance
from service.allocation import allocate, naive_allocate
from tests.benchmarks.allocation_instances import generate


def timed(instance: Instance, repeat: int) -> tuple[float, float, float]:
    """(best wall seconds, CPU seconds of that run, on-time weight)."""
    best = (float("inf"), 0.0, 0.0)
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        result = allocate(instance)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if wall < best[0]:
            best = (wall, cpu, result.stats.on_time_weight)
    return best


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_allocation_speed")
    parser.add_argument("--writers", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="1000,2000,5000,10000,20000,50000")
    args = parser.parse_args(argv)

    las = 150  # a national pool spans many LAs
    instance = generate(42, 10_000, args.writers, n_las=las)
    wall, cpu, weight = timed(instance, args.repeat)
    naive = naive_allocate(instance)
    tracemalloc.start()
    allocate(instance)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"round of 10,000 bundles x {args.writers} writers:")
    print(f"  allocate: {wall:.3f}s wall (best of {args.repeat}), {cpu:.3f}s CPU")
    print(f"  peak traced memory {peak / 2**20:.1f} MiB; process max RSS so far {rss:.0f} MiB")
    print(f"  on-time weight {weight:.1f} (naive first-come-first-served: {naive.stats.on_time_weight:.1f})")
    print()
    print(f"growth curve ({args.writers} writers):")
    print(f"{'bundles':>8} {'wall s':>8} {'cpu s':>8} {'on-time weight':>15}")
    for size in (int(s) for s in args.sizes.split(",")):
        inst = generate(43, size, args.writers, n_las=las)
        wall, cpu, weight = timed(inst, 1 if size > 10_000 else args.repeat)
        print(f"{size:>8} {wall:>8.3f} {cpu:>8.3f} {weight:>15.1f}", flush=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
