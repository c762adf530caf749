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
    "unreadable_content",
]
# Where a finding was read: the document's text (and its metadata and file name), or a picture read by OCR.
FindingSource = Literal["text", "ocr"]
Verdict = Literal["clean", "pii_found"]


class ScreeningFinding(BaseModel):
    """One identifier: its kind, the page it is on (from 1), and context with the identifier masked.

    `source` is "ocr" when it was read from a picture (a scanned page, a picture in a DOCX), and `picture` then names
    which one when the page is not itself the picture ("word/media/image2.png", "picture 1" on a PDF page).
    `unreadable_content` is a picture or page OCR could not read with confidence (handwriting, a photograph, a very
    poor scan): never a pass."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FindingKind
    page: int = Field(ge=1)
    excerpt: str
    confidence: float = Field(ge=0.0, le=1.0)
    source: FindingSource = "text"
    picture: str | None = None


class DocumentReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    pages: int = Field(ge=0)
    findings: list[ScreeningFinding]


class ScreenReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    verdict: Verdict
    documents: list[DocumentReport]
