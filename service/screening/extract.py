"""Text of each page of a PDF, DOCX or TXT document, and the people its metadata names."""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from pypdf import PdfReader

from service.screening.safety import UnsafeDocument

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DC = "http://purl.org/dc/elements/1.1/"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_R_REFS = (f"{{{R}}}embed", f"{{{R}}}id", f"{{{R}}}link")

_W_P = f"{{{W}}}p"
_W_T = f"{{{W}}}t"
_W_DEL_TEXT = f"{{{W}}}delText"
_W_TAB = f"{{{W}}}tab"
_W_BR = f"{{{W}}}br"
_W_CR = f"{{{W}}}cr"
_W_NB_HYPHEN = f"{{{W}}}noBreakHyphen"
_W_RENDERED_BREAK = f"{{{W}}}lastRenderedPageBreak"
_W_TYPE = f"{{{W}}}type"
_W_AUTHOR = f"{{{W}}}author"
_MC_FALLBACK = f"{{{MC}}}Fallback"

# Entities are never expanded and nothing is fetched, so XML bombs and XXE do not apply.
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)

_SIDE_PARTS = re.compile(r"(header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
# Values that Word, templates and tools put in author fields which name nobody.
_NOT_PEOPLE = frozenset(
    {
        "",
        "python-docx",
        "anonymous",
        "author",
        "user",
        "admin",
        "administrator",
        "owner",
        "unknown",
        "microsoft office user",
        "windows user",
        "microsoft word",
        "word",
        "guest",
        "default",
    }
)
_ORGANISATION_WORDS = re.compile(
    r"\b(council|ltd|limited|plc|school|academy|service|services|team|nhs|trust|department|"
    r"borough|county|authority|office|college|university|group|clinic)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PersonRef:
    """A person named outside the text: `source` says where (author, comment_author ...)."""

    name: str
    source: str


def _parse(xml: bytes) -> etree._Element:
    try:
        return etree.fromstring(xml, XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnsafeDocument(
            "The Word document is damaged (its text cannot be read); please save it again from Word."
        ) from exc


class _PageCollector:
    """Walks WordprocessingML in document order, one string per paragraph, split at page breaks."""

    def __init__(self, rendered_breaks: bool) -> None:
        self.pages: list[list[str]] = [[]]
        self._open: list[list[str]] = []
        self._rendered_breaks = rendered_breaks
        # (page index, relationship id) of every part a picture element refers to, in document order
        self.references: list[tuple[int, str]] = []

    def _page_break(self) -> None:
        if self._open:
            self.pages[-1].append("".join(self._open[-1]))
            self._open[-1].clear()
        self.pages.append([])

    def walk(self, element: etree._Element) -> None:
        tag = element.tag
        if tag == _MC_FALLBACK:
            return  # the same content as mc:Choice, for older readers
        for attribute in _R_REFS:
            reference = element.get(attribute)
            if reference:
                self.references.append((len(self.pages) - 1, reference))
        if tag == _W_P:
            self._open.append([])
            for child in element:
                self.walk(child)
            self.pages[-1].append("".join(self._open.pop()))
            return
        if self._open:
            buffer = self._open[-1]
            if tag in (_W_T, _W_DEL_TEXT):
                buffer.append(element.text or "")
            elif tag == _W_TAB:
                buffer.append("\t")
            elif tag == _W_CR:
                buffer.append("\n")
            elif tag == _W_NB_HYPHEN:
                buffer.append("-")
            elif tag == _W_BR:
                if element.get(_W_TYPE) == "page":
                    if not self._rendered_breaks:
                        self._page_break()
                else:
                    buffer.append("\n")
            elif tag == _W_RENDERED_BREAK and self._rendered_breaks:
                self._page_break()
        for child in element:
            self.walk(child)

    def texts(self) -> list[str]:
        return ["\n".join(paragraphs) for paragraphs in self.pages]


def _main_part(archive: zipfile.ZipFile) -> str:
    try:
        rels = _parse(archive.read("_rels/.rels"))
    except KeyError:
        return "word/document.xml"
    for rel in rels.iter(f"{{{REL}}}Relationship"):
        if rel.get("Type") == OFFICE_DOCUMENT:
            target = (rel.get("Target") or "").lstrip("/")
            if target in archive.namelist():
                return target
    return "word/document.xml"


def _side_parts(archive: zipfile.ZipFile, main: str) -> list[str]:
    folder = posixpath.dirname(main)
    found = []
    for name in sorted(archive.namelist()):
        if posixpath.dirname(name) == folder and _SIDE_PARTS.fullmatch(posixpath.basename(name)):
            found.append(name)
    return found


def _relationship_targets(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> the archive part it points to, for one part (external targets left out)."""
    folder, base = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
    try:
        root = _parse(archive.read(rels_name))
    except KeyError:
        return {}
    targets = {}
    for rel in root.iter(f"{{{REL}}}Relationship"):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External" or not target:
            continue
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        targets[rel.get("Id") or ""] = resolved
    return targets


def docx_picture_pages(archive: zipfile.ZipFile) -> dict[str, int]:
    """Part name -> the page (from 1) of the body that first shows it; parts shown only elsewhere are absent."""
    main = _main_part(archive)
    body = _parse(archive.read(main))
    collector = _PageCollector(rendered_breaks=next(body.iter(_W_RENDERED_BREAK), None) is not None)
    collector.walk(body)
    targets = _relationship_targets(archive, main)
    pages: dict[str, int] = {}
    for page, reference in collector.references:
        if reference in targets:
            pages.setdefault(targets[reference], page + 1)
    return pages


def _docx_pages(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            main = _main_part(archive)
            body = _parse(archive.read(main))
            rendered = next(body.iter(_W_RENDERED_BREAK), None) is not None
            collector = _PageCollector(rendered_breaks=rendered)
            collector.walk(body)
            pages = collector.texts()
            # Headers, footers, notes and comments are not placed on a page: they go with page 1.
            extra = []
            for name in _side_parts(archive, main):
                side = _PageCollector(rendered_breaks=True)
                side.walk(_parse(archive.read(name)))
                extra.extend(side.texts())
    except UnsafeDocument:
        raise
    except Exception as exc:  # zipfile and zlib errors on a damaged archive
        raise UnsafeDocument(
            "The Word document is damaged (its text cannot be read); please save it again from Word."
        ) from exc
    joined = "\n".join(text for text in extra if text)
    if joined:
        pages[0] = f"{pages[0]}\n{joined}" if pages[0] else joined
    return pages


def _pdf_reader(data: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    return reader


def _pdf_pages(data: bytes) -> list[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = _pdf_reader(data)
            return [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:
        raise UnsafeDocument(
            "The PDF is damaged or incomplete and cannot be read; please export it again and resend it."
        ) from exc


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnsafeDocument("The text file is not UTF-8; please save it as UTF-8 text.") from exc


def extract_pages(kind: str, data: bytes) -> list[str]:
    """The text of every page; DOCX is one page unless it marks page breaks, TXT splits at form feeds."""
    if kind == "pdf":
        return _pdf_pages(data)
    if kind == "docx":
        return _docx_pages(data)
    if kind == "txt":
        return decode_text(data).split("\f")
    raise ValueError(f"unknown document kind {kind!r}")


def is_person(name: str) -> bool:
    """Whether an author-like field plausibly names a person rather than a tool or a team."""
    cleaned = " ".join(name.split())
    if cleaned.lower() in _NOT_PEOPLE or not re.search(r"[^\W\d_]", cleaned):
        return False
    return not _ORGANISATION_WORDS.search(cleaned)


def _docx_people(data: bytes) -> Iterator[PersonRef]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "docProps/core.xml" in names:
            core = _parse(archive.read("docProps/core.xml"))
            fields = ((f"{{{DC}}}creator", "author"), (f"{{{CP}}}lastModifiedBy", "last_modified_by"))
            for tag, source in fields:
                for element in core.iter(tag):
                    yield PersonRef(element.text or "", source)
        main = _main_part(archive)
        for part in [main, *_side_parts(archive, main)]:
            root = _parse(archive.read(part))
            is_comments = posixpath.basename(part) == "comments.xml"
            for element in root.iter():
                author = element.get(_W_AUTHOR)
                if author is not None:
                    yield PersonRef(author, "comment_author" if is_comments else "tracked_change_author")
        people_part = posixpath.join(posixpath.dirname(main), "people.xml")
        if people_part in names:
            for person in _parse(archive.read(people_part)).iter(f"{{{W15}}}person"):
                yield PersonRef(person.get(f"{{{W15}}}author") or "", "reviewer")


def _pdf_people(data: bytes) -> Iterator[PersonRef]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = _pdf_reader(data)
        info = reader.metadata
        if info is not None and info.author:
            yield PersonRef(str(info.author), "author")
        xmp = reader.xmp_metadata
        if xmp is not None:
            for creator in xmp.dc_creator or []:
                yield PersonRef(str(creator), "xmp_creator")


def document_people(kind: str, data: bytes) -> list[PersonRef]:
    """People named in metadata, comments and tracked changes (not in the text), without repeats."""
    try:
        if kind == "docx":
            found = list(_docx_people(data))
        elif kind == "pdf":
            found = list(_pdf_people(data))
        else:
            return []
    except UnsafeDocument:
        raise
    except Exception as exc:
        raise UnsafeDocument(
            "The document's properties are damaged and cannot be read; please save it again."
        ) from exc
    unique: dict[tuple[str, str], PersonRef] = {}
    for ref in found:
        name = " ".join(ref.name.split())
        if is_person(name):
            unique.setdefault((name, ref.source), PersonRef(name, ref.source))
    return list(unique.values())
