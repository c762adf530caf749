"""`planwright seed --last-month`: a month in the demo that finance can close, with no clock moved (development
only)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from service import clock
from tests.clocked import clocked_command
from tests.demo_server import free_port
from tests.migrated import copy_migrated
from tests.test_demo import _newcomer_env


def planwright(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(clocked_command("service.cli", *args), cwd=tmp_path,
                          env={**_newcomer_env(free_port()), **env}, capture_output=True, text=True, timeout=180,
                          check=False)


@pytest.mark.slow
def test_seed_last_month_gives_the_demo_a_month_finance_can_close(tmp_path: Path) -> None:
    copy_migrated(tmp_path / "var" / "planwright.sqlite3")
    assert planwright(tmp_path, "migrate").returncode == 0
    seeded = planwright(tmp_path, "seed", "--last-month")
    assert seeded.returncode == 0, seeded.stderr
    assert "DEMO-LM-0001, DEMO-LM-0002, DEMO-LM-0003" in seeded.stdout
    finance = re.search(r"finance\s+\S+\s+Demo finance, user (\S+)", seeded.stdout)
    assert finance is not None, seeded.stdout
    first = clock.today().replace(day=1)
    last_month = f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"
    closed = planwright(tmp_path, "billing", "close", "--month", last_month, "--user", finance.group(1))
    assert closed.returncode == 0, closed.stderr
    answer = json.loads(closed.stdout)
    assert answer["closed_now"] is True and [i["invoice_number"] for i in answer["invoices"]] == ["INV-000001"]
    assert answer["invoices"][0]["line_count"] == 3
    again = planwright(tmp_path, "seed", "--last-month")
    assert again.returncode == 0 and "already seeded" in again.stdout
    refused = planwright(tmp_path, "seed", "--last-month", PLANWRIGHT_ENVIRONMENT="production")
    assert refused.returncode == 2 and "production" in refused.stderr
