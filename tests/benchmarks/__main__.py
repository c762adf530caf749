"""`make bench`: run every benchmark module in tests/benchmarks, or those named on the command line.

Each benchmark module exposes `main(argv: list[str]) -> None` and prints its own figures.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import tests.benchmarks as package


def main() -> None:
    wanted = sys.argv[1:]
    names = [m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_")]
    for name in sorted(names):
        if wanted and name not in wanted and name.removeprefix("bench_") not in wanted:
            continue
        module = importlib.import_module(f"tests.benchmarks.{name}")
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        module.main([])
        print(f"== {name} done in {time.perf_counter() - started:.1f}s\n", flush=True)


if __name__ == "__main__":
    main()
