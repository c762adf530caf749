"""`planwright qa DRAFT.docx [--front-sheet FILE]`: the JSON report and the exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.qa.conftest import Sections, save

ROOT = Path(__file__).resolve().parents[2]


def planwright(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "qa", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_clean_draft_with_front_sheet_passes_with_status_0(
    tmp_path: Path, sections: Sections, front_sheet_file: Path
) -> None:
    result = planwright(save(tmp_path, sections, "table_column"), "--front-sheet", front_sheet_file)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["verdict"], report["findings"]) == ("pass", [])
    # an addition to the contract: which template profile read the draft, and why
    assert report["profile"] == {"name": "sections-a-k", "chosen": "detected", "fit": None}


def test_draft_with_an_error_fails_with_status_1(tmp_path: Path, sections: Sections, front_sheet_file: Path) -> None:
    sections["F"].append("Child A will have access to speech and language therapy.")
    result = planwright(save(tmp_path, sections), "--front-sheet", front_sheet_file)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "fail"
    first = report["findings"][0]
    # the contract's fields first, in order; the additions (area, row, source) after them
    assert list(first) == ["check", "severity", "section", "excerpt", "message", "area", "row", "source"]
    assert first["check"] == "vague_provision" and first["section"] == "F" and first["severity"] == "error"


def test_warnings_alone_still_pass(tmp_path: Path, sections: Sections, front_sheet_file: Path) -> None:
    sections["G"] = ["A physiotherapist from the community team will review Child A's gait annually."]
    result = planwright(save(tmp_path, sections), "--front-sheet", front_sheet_file)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "pass"
    assert [(f["check"], f["severity"]) for f in report["findings"]] == [("therapy_outside_f", "warning")]


def test_no_front_sheet_is_a_finding_not_an_input_error(tmp_path: Path, sections: Sections) -> None:
    result = planwright(save(tmp_path, sections))
    assert result.returncode == 1
    assert json.loads(result.stdout)["findings"][0]["check"] == "front_sheet_missing"


def test_unreadable_draft_exits_2_naming_the_file(tmp_path: Path, front_sheet_file: Path) -> None:
    draft = tmp_path / "draft.docx"
    draft.write_bytes(b"%PDF-1.7\nnot a word file")
    result = planwright(draft, "--front-sheet", front_sheet_file)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "draft.docx" in result.stderr and "Word" in result.stderr


def test_missing_draft_file_exits_2(tmp_path: Path) -> None:
    result = planwright(tmp_path / "nowhere.docx")
    assert result.returncode == 2
    assert "nowhere.docx" in result.stderr


def test_front_sheet_that_is_not_json_exits_2(tmp_path: Path, sections: Sections) -> None:
    sheet = tmp_path / "sheet.json"
    sheet.write_text("queries: none", encoding="utf-8")
    result = planwright(save(tmp_path, sections), "--front-sheet", sheet)
    assert result.returncode == 2
    assert "sheet.json" in result.stderr and "not valid JSON" in result.stderr


def test_front_sheet_with_a_wrong_field_exits_2_naming_it(tmp_path: Path, sections: Sections) -> None:
    sheet = tmp_path / "sheet.json"
    sheet.write_text(json.dumps({"queries": [], "missing_advice": "EP", "notes": "", "extra": 1}), encoding="utf-8")
    result = planwright(save(tmp_path, sections), "--front-sheet", sheet)
    assert result.returncode == 2
    assert "missing_advice" in result.stderr and "extra" in result.stderr
