"""Wire models of draft QA: the writer's front sheet and the QA report printed by `planwright qa`."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
    "drafting_tool_text",
    "need_in_two_areas",
    "named_medicine",
    "provision_not_in_advice",
    "advice_not_in_plan",
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
    # additions: where a side-by-side table put it (area of need, row from 1), and the advice it came from
    area: str | None = None
    row: int | None = None
    source: str | None = None


class ProfileChoice(BaseModel):
    """Which template profile read the draft: named (by the command or the LA's contract) or detected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    chosen: Literal["named", "detected"]
    fit: float | None = None


class QaReport(BaseModel):
    """The result of the automated checks: `pass` unless some finding is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verdict: Literal["pass", "fail"]
    findings: list[QaFinding]
    # addition: the template profile the draft was read with
    profile: ProfileChoice | None = None


class TemplateProfile(BaseModel):
    """How one LA's plan template lays out a plan, for the QA reader: written by `planwright template learn`
    from a blank template, correctable by hand (it is plain JSON)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str = ""
    # headings | numbered | table | left-column | side-by-side: how section labels are set out
    layout: str = "headings"
    # section code -> the labels the template gives it, as written ("B - Special Educational Needs")
    labels: dict[SectionCode, list[str]] = Field(default_factory=dict)
    # the column codes of each table where sections stand side by side, one need a row ("B", "F", "E")
    row_tables: list[list[SectionCode]] = Field(default_factory=list)
    # labels of the personal details the LA fills (name, date of birth, contacts)
    personal_fields: list[str] = Field(default_factory=list)
    # regular expressions for the template's own "not done yet" fields, beyond the built-in ones
    placeholders: list[str] = Field(default_factory=list)
    # the blank template's own words (guidance, labels, column headings): never read as plan content
    template_text: list[str] = Field(default_factory=list)

    @field_validator("placeholders")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"placeholder pattern {pattern!r} is not a regular expression ({exc})") from exc
        return patterns


class LaTemplateIn(BaseModel):
    """A coordinator names the LA's template profile: a shipped one by `name`, or a whole `profile`
    (learned from the LA's blank template and corrected); both null returns the LA to detection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, max_length=80)
    profile: TemplateProfile | None = None


class LaTemplate(BaseModel):
    """The template profile an LA's contract names for draft QA (null: the best fit is detected per draft)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    la_id: str
    profile: TemplateProfile | None
    shipped: list[str]
