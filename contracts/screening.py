"""The screening report: what `planwright screen` prints and the service stores per bundle."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FindingKind = Literal[
    "nhs_number",
    "upn",
    "ni_number",
    "postcode",
    "phone",
    "email",
    "date_of_birth",
    "person_name",
    "address",
    "metadata_person",
    "denylisted",
]
Verdict = Literal["clean", "pii_found"]


class ScreeningFinding(BaseModel):
    """One identifier: its kind, the page it is on (from 1), and context with the identifier masked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FindingKind
    page: int = Field(ge=1)
    excerpt: str
    confidence: float = Field(ge=0.0, le=1.0)


class DocumentReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    pages: int = Field(ge=0)
    findings: list[ScreeningFinding]


class ScreenReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    verdict: Verdict
    documents: list[DocumentReport]
