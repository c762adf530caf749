"""`planwright report` (service/sla/report_command.py) on a freshly migrated database, and its bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.migrated import copy_migrated

RUNNER = ("import argparse, sys\nfrom service.cli import UsageError\nfrom service.sla import report_command as m\n"
          "p = argparse.ArgumentParser(); m.configure(p)\n"
          "try:\n    sys.exit(m.run(p.parse_args(sys.argv[1:])))\n"
          "except UsageError as e:\n    print(e, file=sys.stderr); sys.exit(2)\n")
ROOT = Path(__file__).resolve().parents[2]


def report(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PLANWRIGHT_DATABASE_URL": f"sqlite://{tmp_path}/r.sqlite3",
           "PLANWRIGHT_ENVIRONMENT": "development", "PLANWRIGHT_STORAGE_DIR": str(tmp_path / "s")}
    return subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_report_command_prints_json_and_csv_and_refuses_bad_input(tmp_path: Path) -> None:
    env = {**os.environ, "PLANWRIGHT_DATABASE_URL": f"sqlite://{tmp_path}/r.sqlite3",
           "PLANWRIGHT_ENVIRONMENT": "development", "PLANWRIGHT_STORAGE_DIR": str(tmp_path / "s")}
    copy_migrated(tmp_path / "r.sqlite3")
    migrated = subprocess.run([sys.executable, "-m", "service.cli", "migrate"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60, check=False)
    assert migrated.returncode == 0, migrated.stderr
    provider = str(uuid.uuid4())
    out = report(tmp_path, "turnaround", "--provider", provider, "--from", "2026-01-01", "--to", "2026-12-31")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["report"] == "turnaround" and body["from"] == "2026-01-01" and body["rows"] == []
    csv = report(tmp_path, "queue", "--la", provider, "--format", "csv")
    assert csv.returncode == 0 and csv.stdout.splitlines()[0] == "status,bundles,oldest_queued_at,oldest_age_days"
    bad = report(tmp_path, "turnaround", "--provider", provider, "--from", "2026-13-01")
    assert bad.returncode == 2 and "--from" in bad.stderr
    ancient = report(tmp_path, "turnaround", "--provider", provider, "--to", "0001-01-05")
    assert ancient.returncode == 2 and "--to" in ancient.stderr and "Traceback" not in ancient.stderr
    la_util = report(tmp_path, "utilisation", "--la", provider)
    assert la_util.returncode == 2 and "--provider" in la_util.stderr
    forecast = report(tmp_path, "capacity-forecast", "--provider", provider, "--format", "csv")
    assert forecast.returncode == 0, forecast.stderr
    weeks = forecast.stdout.splitlines()
    assert weeks[0].startswith("week_start,") and len(weeks) == 9 and weeks[1].endswith(",no history")
    la_forecast = report(tmp_path, "capacity-forecast", "--la", provider)
    assert la_forecast.returncode == 2 and "--provider" in la_forecast.stderr
