"""`planwright screen` and `planwright denylist make` on real files: JSON out, exit 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.screening.documents import DocxSpec, make_docx, make_pdf

ROOT = Path(__file__).resolve().parents[2]


def planwright(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_clean_bundle_exits_0_with_a_clean_verdict(tmp_path: Path) -> None:
    pdf = tmp_path / "ep-report.pdf"
    pdf.write_bytes(make_pdf(["Child A enjoys Lego.", "Section F: 2 x 30 minutes weekly with a TA."]))
    docx = tmp_path / "views.docx"
    docx.write_bytes(make_docx(DocxSpec(body=["Child A likes swimming."])))
    result = planwright("screen", str(pdf), str(docx))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "verdict": "clean",
        "documents": [
            {"path": str(pdf), "pages": 2, "findings": []},
            {"path": str(docx), "pages": 1, "findings": []},
        ],
    }


def test_identifiers_exit_1_with_findings_in_the_contract_shape(tmp_path: Path) -> None:
    pdf = tmp_path / "ep-report.pdf"
    pdf.write_bytes(make_pdf(["Intro", "Background", "NHS no: 943 476 5919"]))
    result = planwright("screen", str(pdf))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["verdict"] == "pii_found"
    assert report["documents"][0]["findings"] == [
        {"kind": "nhs_number", "page": 3, "excerpt": "NHS no: 943 *** ****", "confidence": 0.99}
    ]


def test_unreadable_or_unsafe_input_exits_2_naming_the_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(make_pdf(["secret"], user_password="pw"))
    result = planwright("screen", str(locked))
    assert result.returncode == 2
    assert "locked.pdf" in result.stderr and "password-protected" in result.stderr
    assert result.stdout == ""
    missing = planwright("screen", str(tmp_path / "nope.docx"))
    assert missing.returncode == 2 and "nope.docx" in missing.stderr
    bad_deny = tmp_path / "deny.json"
    bad_deny.write_text("{")
    result = planwright("screen", str(locked), "--deny-hashes", str(bad_deny))
    assert result.returncode == 2 and "--deny-hashes" in result.stderr


def test_denylist_made_by_the_la_is_matched_by_the_screener(tmp_path: Path) -> None:
    identifiers = tmp_path / "ids.txt"
    identifiers.write_text("Kacper Nowak\nBrambles Children's Centre\n\n")
    made = planwright("denylist", "make", "--salt", "9f86d081884c7d65", str(identifiers))
    assert made.returncode == 0, made.stderr
    deny = json.loads(made.stdout)
    assert deny["salt"] == "9f86d081884c7d65" and len(deny["hashes"]) == 2
    assert "kacper" not in made.stdout.lower()
    deny_file = tmp_path / "deny.json"
    deny_file.write_text(made.stdout)
    doc = tmp_path / "notes.txt"
    doc.write_text("Child A attended BRAMBLES Children's Centre until 2023.\n")
    result = planwright("screen", str(doc), "--deny-hashes", str(deny_file))
    assert result.returncode == 1
    findings = json.loads(result.stdout)["documents"][0]["findings"]
    assert [f["kind"] for f in findings] == ["denylisted"]
    assert "Brambles" not in findings[0]["excerpt"] and "BRAMBLES" not in findings[0]["excerpt"]


def test_denylist_make_draws_a_random_salt_and_refuses_bad_hex(tmp_path: Path) -> None:
    identifiers = tmp_path / "ids.txt"
    identifiers.write_text("Jane Smith\n")
    first, second = (
        planwright("denylist", "make", str(identifiers)),
        planwright("denylist", "make", str(identifiers)),
    )
    assert json.loads(first.stdout)["salt"] != json.loads(second.stdout)["salt"]
    assert len(json.loads(first.stdout)["salt"]) == 32
    bad = planwright("denylist", "make", "--salt", "not-hex", str(identifiers))
    assert bad.returncode == 2 and "--salt" in bad.stderr
    missing = planwright("denylist", "make", str(tmp_path / "absent.txt"))
    assert missing.returncode == 2 and "absent.txt" in missing.stderr
