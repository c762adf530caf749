"""Wire models of draft QA: the writer's front sheet and the QA report printed by `planwright qa`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["error", "warning"]
SectionCode = Literal["A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K"]
CheckName = Literal[
    "section_missing",
    "placeholder_text",
    "vague_provision",
    "unquantified_provision",
    "therapy_outside_f",
    "outcome_not_smart",
    "golden_thread_gap",
    "no_needs_statement",
    "pii_leak",
    "front_sheet_missing",
]


class FrontSheet(BaseModel):
    """What the writer hands the LA with the draft: open queries, advice not received, notes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    queries: list[str]
    missing_advice: list[str]
    notes: str


class QaFinding(BaseModel):
    """One automated QA finding on a draft plan."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check: CheckName
    severity: Severity
    section: SectionCode | None
    excerpt: str
    message: str


class QaReport(BaseModel):
    """The result of the automated checks: `pass` unless some finding is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verdict: Literal["pass", "fail"]
    findings: list[QaFinding]
