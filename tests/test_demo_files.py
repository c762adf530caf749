"""`planwright demo files DIR`: the README journey's documents. The advice screens clean and the draft passes the
automated QA checks as the engines are today, through the real commands; and `planwright journey` finds the server
where `planwright serve` listens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]


def planwright(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_the_demo_files_screen_clean_and_the_draft_passes_qa(tmp_path: Path) -> None:
    made = planwright("demo", "files", "demo", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    folder = tmp_path / "demo"
    assert sorted(p.name for p in folder.iterdir()) == ["draft.docx", "draft.pdf", "ep.pdf", "front-sheet.json"]
    advice = PdfReader(folder / "ep.pdf")
    assert len(advice.pages) == 2 and "Child A" in advice.pages[0].extract_text()
    assert "Provision I recommend" in advice.pages[1].extract_text()
    screened = planwright("screen", str(folder / "ep.pdf"), str(folder / "draft.pdf"), cwd=tmp_path)
    assert screened.returncode == 0, screened.stdout + screened.stderr
    assert json.loads(screened.stdout)["verdict"] == "clean"
    checked = planwright("qa", str(folder / "draft.docx"), "--front-sheet", str(folder / "front-sheet.json"),
                         cwd=tmp_path)
    report = json.loads(checked.stdout)
    assert report["verdict"] == "pass", report
    # one warning is left on purpose, so the README's journey shows a dismissal with its reason
    assert [(f["check"], f["severity"]) for f in report["findings"]] == [("therapy_outside_f", "warning")]


def test_demo_files_into_a_path_that_is_a_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file")
    result = planwright("demo", "files", "taken", cwd=tmp_path)
    assert result.returncode == 2 and "DIR" in result.stderr


def test_the_journey_finds_the_server_by_the_same_settings_as_serve(tmp_path: Path) -> None:
    shown = planwright("journey", "--help", cwd=tmp_path, env={"PLANWRIGHT_HOST": "0.0.0.0", "PLANWRIGHT_PORT": "9321"})
    assert shown.returncode == 0
    assert "default: http://127.0.0.1:9321" in " ".join(shown.stdout.split())
    refused = planwright("journey", cwd=tmp_path, env={"PLANWRIGHT_PORT": "eighty"})
    assert refused.returncode == 2 and "PLANWRIGHT_PORT" in refused.stderr
    unreachable = planwright("journey", "--tokens", str(tmp_path / "none.json"), cwd=tmp_path,
                             env={"PLANWRIGHT_PORT": "9321"})
    assert unreachable.returncode == 2 and "make run" in unreachable.stderr
