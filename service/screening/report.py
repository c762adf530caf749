"""Screen documents end to end: type, safety, text, detectors, deny-list, into the report contract."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import cast

from contracts.screening import DocumentReport, FindingKind, ScreeningFinding, ScreenReport
from service.screening.denylist import DenyList
from service.screening.detectors import TextFinding, scan_text
from service.screening.extract import document_people, extract_pages
from service.screening.filetype import OLE_MAGIC, detect_type, extension_agrees
from service.screening.safety import UnsafeDocument, check_docx_archive, check_pdf

CONTEXT_CHARS = 24
_KIND_NAMES = {"pdf": "a PDF", "docx": "a Word (.docx) document", "txt": "a plain-text file"}
# How much of an identifier an excerpt may show: enough to find it on the page, never enough to use it.
_REVEAL = {"nhs_number": 3, "upn": 1, "ni_number": 2, "postcode": 2, "phone": 3, "email": 1,
           "date_of_birth": 2, "person_name": 1, "address": 1, "denylisted": 1}  # fmt: skip
_METADATA_SOURCES = {
    "author": "Document author",
    "last_modified_by": "Last modified by",
    "comment_author": "Comment by",
    "tracked_change_author": "Tracked change by",
    "reviewer": "Reviewer",
    "xmp_creator": "Document creator (XMP)",
}


def mask(identifier: str, reveal: int) -> str:
    """Letters and digits after the first `reveal` (at most a third of them) become '*'."""
    alnum = sum(char.isalnum() for char in identifier)
    keep = min(reveal, alnum // 3)
    out = []
    for char in identifier:
        if char.isalnum():
            out.append(char if keep > 0 else "*")
            keep -= 1
        else:
            out.append(char)
    return "".join(out)


def _excerpt(finding: TextFinding, masked: str) -> str:
    # Context comes from the finding's own line, or the line before when it opens a line (a label).
    line_start = masked.rfind("\n", 0, finding.start) + 1
    if not masked[line_start : finding.start].strip():
        line_start = masked.rfind("\n", 0, max(line_start - 1, 0)) + 1
    line_end = masked.find("\n", finding.end)
    start = max(line_start, finding.start - CONTEXT_CHARS)
    line_end = len(masked) if line_end == -1 else line_end
    end = min(line_end, finding.end + CONTEXT_CHARS)
    # Cut at word boundaries so no half-word (possibly half an unmasked name) shows at the edges.
    if start > line_start:
        space = masked.find(" ", start, finding.start)
        start = space + 1 if space != -1 else finding.start
    if end < line_end:
        space = masked.rfind(" ", finding.end, end)
        end = space if space != -1 else finding.end
    return " ".join(masked[start:end].split())


def _page_findings(text: str, page: int, deny: DenyList | None) -> list[ScreeningFinding]:
    found = scan_text(text)
    if deny is not None:
        found.extend(deny.find(text))
    # Mask every finding in the page first, so one excerpt never shows a neighbouring identifier.
    chars = list(text)
    for finding in found:
        chars[finding.start : finding.end] = mask(text[finding.start : finding.end], _REVEAL[finding.kind])
    masked = "".join(chars)
    return [
        ScreeningFinding(
            kind=cast(FindingKind, finding.kind),
            page=page,
            excerpt=_excerpt(finding, masked),
            confidence=finding.confidence,
        )
        for finding in sorted(found, key=lambda f: (f.start, f.end, f.kind))
    ]


def name_findings(filename: str, deny: DenyList | None) -> list[ScreeningFinding]:
    """Identifiers in a document's file name ("Jane Smith EP 2026-03-04.pdf"), which writers would otherwise see.

    The stem is read as text with separators as spaces; findings are reported on page 1 with the excerpt marked
    as the file name's."""
    stem = PurePath(filename).stem
    text = " ".join(re.sub(r"[_+]+", " ", stem).split())
    return [finding.model_copy(update={"excerpt": f"file name: {finding.excerpt}"})
            for finding in _page_findings(text, 1, deny)]


def identify(path_name: str, data: bytes) -> str:
    """The document's kind from its content; UnsafeDocument if unknown or its name claims another kind."""
    kind = detect_type(data)
    if kind is None:
        if data.startswith(OLE_MAGIC):
            raise UnsafeDocument(
                "The file is a password-protected Word file or an old-style .doc; "
                "please remove the password and save it as .docx."
            )
        raise UnsafeDocument("The file is not a PDF, Word (.docx) or plain-text (UTF-8) document.")
    suffix = PurePath(path_name).suffix.lower()
    if (
        suffix
        and not extension_agrees(path_name, kind)
        and any(extension_agrees(path_name, other) for other in _KIND_NAMES)
    ):
        raise UnsafeDocument(
            f"The file is named {suffix} but its content is {_KIND_NAMES[kind]}; "
            "please check it is the right file."
        )
    return kind


def screen_document(path_name: str, kind: str, data: bytes, deny: DenyList | None) -> DocumentReport:
    """Screen one document already typed by `identify`; UnsafeDocument if it must not be opened."""
    if kind == "docx":
        check_docx_archive(data)
    elif kind == "pdf":
        check_pdf(data)
    pages = extract_pages(kind, data)
    findings: list[ScreeningFinding] = []
    for number, text in enumerate(pages, start=1):
        findings.extend(_page_findings(text, number, deny))
    for person in document_people(kind, data):
        label = _METADATA_SOURCES.get(person.source, person.source)
        findings.append(
            ScreeningFinding(
                kind="metadata_person",
                page=1,
                excerpt=f"{label}: {mask(person.name, 1)}",
                confidence=0.9,
            )
        )
    findings.sort(key=lambda f: (f.page, f.kind == "metadata_person"))
    return DocumentReport(path=path_name, pages=len(pages), findings=findings)


def verdict_of(documents: Iterable[DocumentReport]) -> ScreenReport:
    documents = list(documents)
    found = any(document.findings for document in documents)
    return ScreenReport(verdict="pii_found" if found else "clean", documents=documents)


class UnreadableFile(Exception):
    """A file on the command line that cannot be screened: which one and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def screen_files(paths: Iterable[str | os.PathLike[str]], deny: DenyList | None) -> ScreenReport:
    """Screen each file in order; UnreadableFile for the first one that cannot be read or is unsafe."""
    reports = []
    for path in paths:
        name = os.fspath(path)
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise UnreadableFile(name, f"cannot be read ({exc.strerror or exc.__class__.__name__}).") from exc
        try:
            reports.append(screen_document(name, identify(name, data), data, deny))
        except UnsafeDocument as exc:
            raise UnreadableFile(name, exc.reason) from exc
    return verdict_of(reports)
