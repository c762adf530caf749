"""`planwright allocate --instance FILE`: the allocation JSON, or exit 2 naming what is wrong."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from service.allocation import command

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path("/work/shared/examples/allocation-instance.json")


def planwright(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "allocate", *args], cwd=ROOT, capture_output=True, text=True
    )


def run_in_process(
    path: Path, capsys: pytest.CaptureFixture[str], explain: Path | None = None
) -> tuple[int, str, str]:
    code = command.run(argparse.Namespace(instance=path, explain=explain))
    out, err = capsys.readouterr()
    return code, out, err


def test_allocate_prints_the_allocation_json(tmp_path: Path) -> None:
    reasons = tmp_path / "reasons.json"
    plain = planwright("--instance", str(EXAMPLE))
    explained = planwright("--instance", str(EXAMPLE), "--explain", str(reasons))
    assert plain.returncode == 0 and explained.returncode == 0, plain.stderr + explained.stderr
    out = json.loads(plain.stdout)
    assert list(out) == ["assignments", "unassigned", "stats"]
    assert list(out["assignments"][0]) == ["bundle", "writer", "sequence", "projected_completion", "on_time"]
    assert list(out["stats"]) == ["bundles", "assigned", "on_time", "on_time_weight", "seconds"]
    assert out["unassigned"] == [{"bundle": "b-0002", "reason": "no_eligible_writer"}]
    # --explain writes the reasons elsewhere; the printed allocation is the same (and so deterministic).
    other = json.loads(explained.stdout)
    out["stats"].pop("seconds")
    other["stats"].pop("seconds")
    assert out == other
    assert set(json.loads(reasons.read_text())) == {"b-0001", "b-0002", "b-0003", "b-0004"}


def test_invalid_field_exits_2_naming_the_field(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text())
    data["writers"][1]["hours_per_day"] = -4
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = planwright("--instance", str(bad))
    assert result.returncode == 2
    assert "writers[1].hours_per_day" in result.stderr
    assert result.stdout == ""


def test_unknown_field_and_duplicate_ids_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(EXAMPLE.read_text())
    data["bundles"][0]["colour"] = "red"
    bad = tmp_path / "extra.json"
    bad.write_text(json.dumps(data))
    code, out, err = run_in_process(bad, capsys)
    assert code == 2 and "bundles[0].colour" in err and out == ""

    data = json.loads(EXAMPLE.read_text())
    data["bundles"][1]["id"] = "b-0001"
    dup = tmp_path / "dup.json"
    dup.write_text(json.dumps(data))
    code, _, err = run_in_process(dup, capsys)
    assert code == 2 and "duplicate" in err and "b-0001" in err


def test_unreadable_file_and_broken_json_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_in_process(tmp_path / "nope.json", capsys)
    assert code == 2 and "nope.json" in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"now": ')
    code, _, err = run_in_process(broken, capsys)
    assert code == 2 and "not valid JSON" in err


def test_unknown_calendar_region_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(EXAMPLE.read_text())
    data["calendar"]["region"] = "atlantis"
    bad = tmp_path / "region.json"
    bad.write_text(json.dumps(data))
    code, _, err = run_in_process(bad, capsys)
    assert code == 2 and "calendar.region" in err
