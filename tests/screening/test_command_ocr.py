"""`planwright screen` reads scanned pages and pasted pictures, and refuses (exit 2) when it cannot."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from service.screening import command, ocr
from service.screening.ocr import OcrUnavailable
from tests.screening.scans import OLIVER, docx_pictures, scanned_pdf, scrawl, typed
from tests.screening.test_command import planwright


def test_a_scanned_pdf_and_a_pasted_picture_are_screened_like_text(tmp_path: Path) -> None:
    scan = tmp_path / "gp-letter.pdf"
    scan.write_bytes(scanned_pdf([typed([OLIVER], full_page=True)]))
    pasted = tmp_path / "notes.docx"
    pasted.write_bytes(docx_pictures(["Child A's views"], [typed(["Date of birth: 03/07/2014"]), scrawl()]))
    result = planwright("screen", str(scan), str(pasted))
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "pii_found"
    letter, notes = report["documents"]
    nhs = next(f for f in letter["findings"] if f["kind"] == "nhs_number")
    assert nhs == {"kind": "nhs_number", "page": 1, "excerpt": nhs["excerpt"], "confidence": 0.99, "source": "ocr"}
    assert "5919" not in result.stdout and "Bennett" not in result.stdout
    assert [(f["kind"], f["source"], f["picture"]) for f in notes["findings"]] == [
        ("date_of_birth", "ocr", "word/media/image1.jpg"), ("unreadable_content", "ocr", "word/media/image2.jpg")]


def test_without_an_ocr_engine_the_command_refuses_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing(threads: int) -> None:
        raise OcrUnavailable("the OCR engine (rapidocr) is not installed; run `make .venv/.installed`")

    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf([typed(["Child A"], full_page=True)]))
    monkeypatch.setattr(ocr, "_engine", missing)
    code = command.run(argparse.Namespace(files=[str(scan)], deny_hashes=None))
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert "cannot screen pictures and scanned pages" in captured.err and "rapidocr" in captured.err
