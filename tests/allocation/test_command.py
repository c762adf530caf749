"""`planwright allocate --instance FILE`: the allocation JSON, or exit 2 naming what is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path("/work/shared/examples/allocation-instance.json")


def planwright(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "allocate", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_allocate_prints_the_allocation_json() -> None:
    result = planwright("--instance", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert list(out) == ["assignments", "unassigned", "stats"]
    assert list(out["assignments"][0]) == ["bundle", "writer", "sequence", "projected_completion", "on_time"]
    assert list(out["stats"]) == ["bundles", "assigned", "on_time", "on_time_weight", "seconds"]
    assert out["unassigned"] == [{"bundle": "b-0002", "reason": "no_eligible_writer"}]


def test_output_is_the_same_every_time_but_for_the_seconds() -> None:
    first, second = (json.loads(planwright("--instance", str(EXAMPLE)).stdout) for _ in range(2))
    first["stats"].pop("seconds")
    second["stats"].pop("seconds")
    assert first == second


def test_explain_writes_reasons_without_changing_the_output(tmp_path: Path) -> None:
    reasons = tmp_path / "reasons.json"
    plain = json.loads(planwright("--instance", str(EXAMPLE)).stdout)
    explained = json.loads(planwright("--instance", str(EXAMPLE), "--explain", str(reasons)).stdout)
    plain["stats"].pop("seconds")
    explained["stats"].pop("seconds")
    assert plain == explained
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


def test_unknown_field_and_duplicate_ids_are_refused(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text())
    data["bundles"][0]["colour"] = "red"
    bad = tmp_path / "extra.json"
    bad.write_text(json.dumps(data))
    result = planwright("--instance", str(bad))
    assert result.returncode == 2 and "bundles[0].colour" in result.stderr

    data = json.loads(EXAMPLE.read_text())
    data["bundles"][1]["id"] = "b-0001"
    dup = tmp_path / "dup.json"
    dup.write_text(json.dumps(data))
    result = planwright("--instance", str(dup))
    assert result.returncode == 2 and "duplicate" in result.stderr and "b-0001" in result.stderr


def test_unreadable_file_and_broken_json_exit_2(tmp_path: Path) -> None:
    missing = planwright("--instance", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "nope.json" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"now": ')
    result = planwright("--instance", str(broken))
    assert result.returncode == 2 and "not valid JSON" in result.stderr


def test_unknown_calendar_region_names_the_field(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text())
    data["calendar"]["region"] = "atlantis"
    bad = tmp_path / "region.json"
    bad.write_text(json.dumps(data))
    result = planwright("--instance", str(bad))
    assert result.returncode == 2 and "calendar.region" in result.stderr
