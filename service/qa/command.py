"""Run the automated QA checks on a draft plan (DOCX) and print the QA report as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pydantic import ValidationError

from contracts.qa import FrontSheet, ProfileChoice, QaFinding, QaReport, TemplateProfile
from service.cli import UsageError, usage_errors_exit_2
from service.qa.advice import AdviceDocument
from service.qa.checks import Finding, run_checks
from service.qa.profiles import Chosen, ProfileInvalid, parse_profile, read_with, shipped_profiles
from service.qa.template import UnreadableDraft
from service.screening.extract import extract_pages


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("draft", metavar="DRAFT.docx", type=Path, help="the draft plan")
    parser.add_argument(
        "--front-sheet",
        metavar="FILE",
        type=Path,
        help='the writer\'s front sheet as JSON: {"queries": [...], "missing_advice": [...], "notes": "..."}',
    )
    parser.add_argument(
        "--advice",
        metavar="FILE",
        type=Path,
        nargs="+",
        help="the advice the plan was written from (PDF, DOCX, TXT): each item of provision is traced to it",
    )
    parser.add_argument(
        "--template",
        metavar="NAME|FILE",
        help=f"the LA's template profile: a shipped one ({', '.join(sorted(shipped_profiles()))}) or a "
        "profile file from `planwright template learn`; by default the best-fitting shipped profile",
    )


def load_advice(paths: list[Path]) -> list[AdviceDocument]:
    """The bundle's advice documents (PDF, DOCX or TXT), page by page; UsageError names a file not read."""
    documents: list[AdviceDocument] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"advice {path}: cannot be read ({exc.strerror or exc})") from exc
        kind = "pdf" if data.startswith(b"%PDF") else "docx" if data.startswith(b"PK") else "txt"
        try:
            pages = extract_pages(kind, data)
        except Exception as exc:  # pypdf, python-docx and the text decoder raise many kinds of error
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise UsageError(f"advice {path}: not a readable {kind.upper()} file ({reason})") from exc
        documents.append(AdviceDocument(path.name, pages))
    return documents


def load_profile(value: str) -> TemplateProfile:
    """A shipped profile by name, else a profile file; UsageError says which and why."""
    shipped = shipped_profiles()
    if value in shipped:
        return shipped[value]
    path = Path(value)
    if not path.exists():
        raise UsageError(
            f"template {value}: neither a shipped profile ({', '.join(sorted(shipped))}) nor a profile file"
        )
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"template {path}: cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"template {path}: not valid JSON ({exc})") from exc
    try:
        return parse_profile(raw)
    except ProfileInvalid as exc:
        raise UsageError(f"template {path}: {exc.reason}") from exc


def load_front_sheet(path: Path) -> FrontSheet:
    """Read and validate a front sheet file; UsageError names the file and the field at fault."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"front sheet {path}: cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"front sheet {path}: not valid JSON ({exc})") from exc
    try:
        return FrontSheet.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(top level)'}: {error['msg']}" for error in exc.errors()
        )
        raise UsageError(f"front sheet {path}: {problems}") from exc


def build_report(findings: list[Finding], chosen: Chosen | None = None) -> QaReport:
    verdict = "fail" if any(f.severity == "error" for f in findings) else "pass"
    profile = (
        ProfileChoice(name=chosen.name, chosen=chosen.chosen, fit=chosen.fit)  # type: ignore[arg-type]
        if chosen is not None
        else None
    )
    return QaReport.model_validate(
        {
            "verdict": verdict,
            "profile": profile,
            "findings": [
                QaFinding.model_validate(
                    {
                        "check": f.check,
                        "severity": f.severity,
                        "section": f.section,
                        "excerpt": f.excerpt,
                        "message": f.message,
                        "area": f.area,
                        "row": f.row,
                        "source": f.source,
                    }
                )
                for f in findings
            ],
        }
    )




@usage_errors_exit_2
def run(args: argparse.Namespace) -> int:
    draft: Path = args.draft
    try:
        data = draft.read_bytes()
    except OSError as exc:
        raise UsageError(f"draft {draft}: cannot be read ({exc.strerror or exc})") from exc
    front_sheet = load_front_sheet(args.front_sheet) if args.front_sheet is not None else None
    named = load_profile(args.template) if args.template is not None else None
    try:
        plan, chosen = read_with(data, named)
    except UnreadableDraft as exc:
        raise UsageError(f"draft {draft}: {exc.reason}") from exc
    advice = load_advice(args.advice) if args.advice else None
    report = build_report(run_checks(plan, front_sheet, advice=advice), chosen)
    print(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=1))
    return 1 if report.verdict == "fail" else 0
