"""Screen documents end to end: type, safety, text, detectors, deny-list, into the report contract."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import cast

from contracts.screening import DocumentReport, FindingKind, FindingSource, ScreeningFinding, ScreenReport
from service.screening.denylist import DenyList
from service.screening.detectors import TextFinding, misread_names, misread_nhs_numbers, scan_text
from service.screening.extract import document_people, extract_pages
from service.screening.filetype import OLE_MAGIC, detect_type, extension_agrees
from service.screening.ocr import OcrResult
from service.screening.pictures import Picture, pictures
from service.screening.safety import UnsafeDocument, check_docx_archive, check_pdf

CONTEXT_CHARS = 24
_KIND_NAMES = {"pdf": "a PDF", "docx": "a Word (.docx) document", "txt": "a plain-text file"}
# How much of an identifier an excerpt may show: enough to find it on the page, never enough to use it.
_REVEAL = {"nhs_number": 3, "upn": 1, "ni_number": 2, "postcode": 2, "phone": 3, "email": 1,
           "date_of_birth": 2, "person_name": 1, "address": 1, "denylisted": 1, "unreadable_content": 0}  # fmt: skip
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


@dataclass(frozen=True)
class OcrOptions:
    """How long OCR may take: per picture (a page), and for the whole run (an absolute time.monotonic() value).

    `reader` replaces the OCR engine (the benchmark compares engines through this same path); `on_read` sees each
    picture's text as the detectors get it (the benchmark scores it against the planted identifiers)."""

    page_seconds: float = 30.0
    deadline: float | None = None
    threads: int = 2
    reader: Callable[..., OcrResult] | None = None
    on_read: Callable[[Picture, str, OcrResult], None] | None = None


def _identifier_key(value: str) -> str:
    return re.sub(r"[\W_]+", "", value).lower()


def identifiers(text: str, *, source: str = "text", doubtful: bool = False) -> list[TextFinding]:
    """The identifiers in a page's text. Read by OCR, also NHS numbers after their label that OCR misread; read from
    a picture OCR could not vouch for (handwriting), also names read a letter or two wrong."""
    found = scan_text(text)
    if source == "ocr":
        found.extend(misread_nhs_numbers(text))
        if doubtful:
            names = [(f.start, f.end) for f in found if f.kind == "person_name"]
            found.extend(f for f in misread_names(text) if not any(s < f.end and f.start < e for s, e in names))
    return found


def _page_findings(
    text: str,
    page: int,
    deny: DenyList | None,
    *,
    source: str = "text",
    picture: str | None = None,
    known: set[str] | None = None,
    doubtful: bool = False,
) -> list[ScreeningFinding]:
    """Findings in one page's text. `known` holds the identifiers already found on the page (keys): a scanned page
    with a text layer is read twice, and what both readings find is reported once, from the text."""
    found = identifiers(text, source=source, doubtful=doubtful)
    if deny is not None:
        found.extend(deny.find(text))
    if known is not None:
        found = [f for f in found if _identifier_key(text[f.start : f.end]) not in known]
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
            source=cast(FindingSource, source),
            picture=picture,
        )
        for finding in sorted(found, key=lambda f: (f.start, f.end, f.kind))
    ]


def _page_keys(text: str, deny: DenyList | None) -> set[str]:
    found = scan_text(text) + (deny.find(text) if deny is not None else [])
    return {_identifier_key(text[f.start : f.end]) for f in found}


def _picture_name(picture: Picture) -> str | None:
    if picture.whole_page:
        return None
    return picture.part or picture.label.removeprefix(f"page {picture.page}, ")


def _unreadable(picture: Picture, reason: str) -> ScreeningFinding:
    return ScreeningFinding(kind="unreadable_content", page=picture.page, excerpt=f"{picture.label}: {reason}",
                            confidence=0.9, source="ocr", picture=_picture_name(picture))


def picture_findings(
    kind: str, data: bytes, page_texts: list[str], deny: DenyList | None, options: OcrOptions
) -> list[ScreeningFinding]:
    """What OCR finds in the document's pictures: identifiers (source "ocr") and pictures it cannot vouch for."""
    from service.screening.ocr import normalise, read_picture

    reader = options.reader or read_picture
    findings: list[ScreeningFinding] = []
    keys: dict[int, set[str]] = {}
    for picture in pictures(kind, data, page_texts):
        name = _picture_name(picture)
        if picture.problem is not None:
            findings.append(_unreadable(picture, picture.problem))
            continue
        if picture.text is not None:
            findings.extend(_page_findings(normalise(picture.text), picture.page, deny, source="ocr", picture=name))
            continue
        if picture.page not in keys:
            page_text = page_texts[picture.page - 1] if picture.page <= len(page_texts) else ""
            keys[picture.page] = _page_keys(page_text, deny)
        for image in picture.images:
            now = time.monotonic()
            deadline = now + options.page_seconds
            if options.deadline is not None:
                deadline = min(deadline, options.deadline)
            if now >= deadline:
                findings.append(_unreadable(picture, "not read within the time limit"))
                break
            result = reader(image, deadline=deadline, threads=options.threads)
            text = result.text
            if options.on_read is not None:
                options.on_read(picture, text, result)
            findings.extend(_page_findings(text, picture.page, deny, source="ocr", picture=name,
                                           known=keys[picture.page], doubtful=result.unreadable is not None))
            if result.unreadable is not None:
                findings.append(_unreadable(picture, result.unreadable))
                break
    return findings


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


def screen_document(
    path_name: str, kind: str, data: bytes, deny: DenyList | None, ocr: OcrOptions | None = None
) -> DocumentReport:
    """Screen one document already typed by `identify`; UnsafeDocument if it must not be opened.

    The text of every page, then every picture a reader would see (OCR); OcrUnavailable if there are pictures and
    no engine to read them."""
    if kind == "docx":
        check_docx_archive(data)
    elif kind == "pdf":
        check_pdf(data)
    pages = extract_pages(kind, data)
    findings: list[ScreeningFinding] = []
    for number, text in enumerate(pages, start=1):
        findings.extend(_page_findings(text, number, deny))
    findings.extend(picture_findings(kind, data, pages, deny, ocr or OcrOptions()))
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
    findings.sort(key=lambda f: (f.page, f.kind == "metadata_person", f.source == "ocr"))
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
