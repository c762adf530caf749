"""The SLA report benchmark still runs: its generator and both timed reports on a few hundred rows (PostgreSQL only).

The benchmark inserts bundles with raw SQL, so a new NOT NULL column breaks it silently unless something runs it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_SERVER_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(PG_SERVER_URL is None,
                    reason="the benchmark generates its rows with PostgreSQL's generate_series: set "
                           "PLANWRIGHT_TEST_POSTGRES_URL")
def test_the_report_benchmark_generates_and_reports_a_few_rows() -> None:
    assert PG_SERVER_URL is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANWRIGHT_")}
    env["PLANWRIGHT_BENCH_POSTGRES_URL"] = PG_SERVER_URL
    run = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_sla_reports", "--rows", "500"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "generated 500 bundles" in run.stdout
    delivered = re.search(r"turnaround report 2025-01-01\.\.2025-12-31: (\d+) deliveries", run.stdout)
    assert delivered is not None and int(delivered.group(1)) > 0, run.stdout  # about a fifth of 5 years
    assert re.search(r"capacity forecast from 2025-11-03: .* \(seasonal \(3 years\)\)", run.stdout), run.stdout
