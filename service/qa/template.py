"""Read a draft plan (DOCX) into sections A to K, whatever the LA's template looks like.

Two template families are read, mixed freely in one document:

* headings as paragraphs: "Section F: Special educational provision", "F. Special Educational Provision",
  "SECTION H1 - Social care provision...", "Part F", in a heading style, bold, or plain but short; a heading
  style with the title only ("Special educational provision") also counts, since Word numbering may hold the
  letter outside the text;
* headings as table cells: a row whose first cell holds "Section F" / "F" / "F: Special educational provision"
  and whose other cells hold the content, or a full-width heading row followed by content rows.

Headings that carry a bare letter or only a title are trusted only when they move forward in the A-K order,
so an appendix list "A | Parental advice" inside section K does not reopen section A.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from lxml import etree

from contracts.qa import TemplateProfile
from service.qa.plan import SECTION_RANK, Block, BlockKind, NeedRow, Plan, Section, area_of


class UnreadableDraft(Exception):
    """The draft is not a Word document python-docx can open."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_SEP = rf"[:.)|\-{_DASHES}\uff1a]"
_CODE = r"H\s*[-.]?\s*\(?\s*[12]\s*\)?|A\s*[12]|[A-K]"

# "Section F: ...", "Part H1 - ...", "SECTION f", "1. Section B ..."
_PREFIXED = re.compile(rf"^(?:section|part)\s*(?P<code>{_CODE})(?![A-Za-z0-9])\s*(?:{_SEP}+\s*)?(?P<title>.*)$", re.I)
# "F. Special Educational Provision", "H2 - Other social care", "(C) Health needs", "F Special..."
_BARE = re.compile(rf"^\(?(?P<code>H\s*[12]|A\s*[12]|[A-K])\)?(?:\s*{_SEP}+\s*|\s+)(?P<title>\S.*)$")
_CODE_ONLY = re.compile(r"^\(?(?P<code>H\s*[12]|A\s*[12]|[A-K])\)?\s*[:.)]?$")
# A column heading of a side-by-side table: "F - Special Educational Provision", "H1 - Any social care..."
_COLUMN_LABEL = re.compile(rf"^\(?(?P<code>H\s*[12]|A\s*[12]|[A-K])\)?\s*{_SEP}+\s*(?P<title>\S.*)$")
_LEADING_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]?|\(\d{1,2}\))\s+")

# What a section's title says, used to confirm bare-letter headings and to read title-only headings.
_TITLE_WORDS: dict[str, str] = {
    "A": r"views|interests|aspirations|about me|my story|one.page profile|pen portrait|history",
    "B": r"special educational needs?|educational needs|\bsend?\b",
    "C": r"health(?:care| care)? needs?|medical needs?",
    "D": r"social care needs?",
    "E": r"outcomes?",
    "F": r"special educational provision|educational provision",
    "G": r"health(?:care| care)? provision|medical provision",
    "H": r"social care",
    "H1": r"social care",
    "H2": r"social care",
    "I": r"placement|school|setting|institution|name and type",
    "J": r"personal budget|budget|direct payments?",
    "K": r"advice|information|appendi",
}
# Title-only headings: the text must start with one of these (after "Section"/"The").
_TITLE_ONLY: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("A", re.compile(r"(?:(?:the|child'?s?|young person'?s?|my)\s+)?(?:views|all about me|about me)", re.I)),
    ("B", re.compile(r"special educational needs?", re.I)),
    ("C", re.compile(r"health(?:care| care)? needs?", re.I)),
    ("D", re.compile(r"social care needs?", re.I)),
    ("E", re.compile(r"outcomes?\b", re.I)),
    ("F", re.compile(r"special educational provision", re.I)),
    ("G", re.compile(r"health(?:care| care)? provision", re.I)),
    ("H2", re.compile(r"other social care provision", re.I)),
    ("H1", re.compile(r"social care provision.{0,60}(?:section 2|s\.?\s?2\b|csdpa|chronically sick)", re.I)),
    ("H", re.compile(r"social care provision", re.I)),
    ("I", re.compile(r"placement|name and type of (?:school|setting|institution)", re.I)),
    ("J", re.compile(r"personal budget|direct payments?", re.I)),
    ("K", re.compile(r"advice and information|appendices|list of advice", re.I)),
)
_MAX_HEADING_WORDS = 16
# What a side-by-side table is about when its title names no area of need.
_SIDE_AREA = {"C": "health care", "D": "social care", "G": "health care", "H1": "social care", "H2": "social care"}
_NAME_FIELD = re.compile(r"^(?:(?:child(?: or young person)?'?s?|young person'?s?|full) )?name$")


@dataclass(frozen=True)
class _Heading:
    code: str
    explicit: bool  # said "Section"/"Part": trusted anywhere


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _normal_code(raw: str) -> str:
    code = re.sub(r"[\s\-.()]", "", raw).upper()
    # A1 (history) and A2 (views, interests, aspirations) are the national template's halves of A.
    return "A" if code in ("A1", "A2") else code


def match_heading(text: str, *, strong: bool, bare_code_allowed: bool = False) -> tuple[str, bool] | None:
    """Return (section code, explicit) if `text` is a section heading, else None.

    `strong` says the layout marks it as a heading (heading style, bold, table cell); `bare_code_allowed`
    accepts a lone "F" (a table's first column).
    """
    text = _LEADING_NUMBER.sub("", _clean(text)).rstrip(":").strip()
    if not text or "|" in text:
        return None
    words = len(text.split())
    found = _PREFIXED.match(text)
    if found and words <= 30:
        code = _normal_code(found.group("code"))
        title = found.group("title")
        # "Section F of the plan was amended..." is prose; a heading's remainder is short or its title.
        if not title or re.match(rf"(?:[\w'()]+\s+){{0,3}}(?:{_TITLE_WORDS[code]})", title, re.I):
            return code, True
        if words <= _MAX_HEADING_WORDS and (strong or words <= 10):
            return code, True
    if words > _MAX_HEADING_WORDS:
        return None
    found = _BARE.match(text)
    if found and (strong or words <= 10):
        code = _normal_code(found.group("code"))
        if re.search(_TITLE_WORDS[code], found.group("title"), re.I):
            return code, False
    if bare_code_allowed:
        found = _CODE_ONLY.match(text)
        if found:
            return _normal_code(found.group("code")), False
    if strong and words <= 14:
        bare_title = re.sub(r"^(?:section|part)\s*[:.\-]?\s*", "", text, flags=re.I)
        for code, pattern in _TITLE_ONLY:
            if pattern.match(bare_title):
                return code, False
    return None


def _is_title_of(code: str, text: str) -> bool:
    """A cell that merely repeats the section's title next to its letter."""
    found = match_heading(text, strong=True)
    return found is not None and found[0] == code


_COLUMN_HEADING = re.compile(
    r"provision|\bwho\b|frequency|how (?:often|long|much)|duration|outcomes?|\bneeds?\b|by whom|delivered|"
    r"staff|resources?|\bwhen\b|\bwhat\b|\barea\b|strateg|intervention|timescale|\bdate\b|target|review|"
    r"\bcost\b|ratio|group size|responsib|description|details?|notes?|comments?|advice|appendix|source|"
    r"steps?|aspiration|section|\btype\b|amount|\bhours\b|\blevel\b|support|author|title|role",
    re.I,
)


def _header_like(cells: list[str]) -> bool:
    """A provision or outcome table's column headings ("Provision | Who | How often")."""
    return (
        len(cells) > 1
        and all(len(t.split()) <= 5 and not re.search(r"\d", t) for t in cells)
        and sum(bool(_COLUMN_HEADING.search(t)) for t in cells) * 2 >= len(cells)
    )


@dataclass(frozen=True)
class _Para:
    text: str
    heading_style: bool
    bold: bool
    listed: bool
    kind: BlockKind | None = None
    cells: tuple[str, ...] = ()
    header: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """A label or template sentence as compared: lower case, one kind of dash, no numbering or end colon."""
    text = _clean(text).lower()
    text = re.sub(f"[{_DASHES}]", "-", text).replace("\u2019", "'")
    text = _LEADING_NUMBER.sub("", text)
    return re.sub(r"\s+", " ", text.rstrip(" :.")).strip()


# Labels of personal details the LA fills, in any template: a table row outside the sections whose first
# cell is one of these holds the LA's field, not the writer's text.
_PERSONAL_LABEL = re.compile(
    r"^(?:(?:child(?: or young person)?'?s?|young person'?s?|full|preferred|first|last|family|sur)?\s*name|"
    r"date of birth|d\.?o\.?b|dob|nhs number|nhs no|upn|unique pupil number|uln|address|home address|postcode|"
    r"telephone|telephone number|phone|mobile|e-?mail|sex|gender|ethnicity|religion|relationship|"
    r"(?:child or young person |parent or carer |child'?s |main )?(?:first )?language|parent|carer|"
    r"parent or carer\b.*|main contact\b.*|home address\b.*|nhs number\b.*|ni number|"
    r"national insurance number|legal status|gp\b.*|social worker|lac status)$",
    re.I,
)
_ONLY_FIELD = re.compile(r"^(?:\{\{[^{}]*\}\}\s*)+$")


def column_code(text: str, profile_columns: dict[str, str] | None = None) -> str | None:
    """The section a side-by-side table's column heading names ("E - Outcomes" -> "E"), else None."""
    text = _clean(text)
    if profile_columns:
        code = profile_columns.get(normalise(text))
        if code is not None:
            return code
    found = _COLUMN_LABEL.match(text)
    if found is None or len(text.split()) > 40:
        return None
    code = _normal_code(found.group("code"))
    return code if re.search(_TITLE_WORDS[code], found.group("title"), re.I) else None


def _paragraph_text(p: etree._Element) -> str:
    parts: list[str] = []
    for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
        parts.append(node.text or "" if node.tag == qn("w:t") else " ")
    return _clean("".join(parts))


_PROVISION_COLUMNS = frozenset({"F", "G", "H1", "H2"})
# A line that only carries a part of the item above it: "Who: a trained TA", "How often: daily", "delivered by..."
_ITEM_PART = re.compile(
    r"^(?:who|by whom|delivered by|provided by|led by|staff(?:ing)?|how often|frequency|how long|duration|"
    r"when|where|for how long|group size|ratio|resources?|review(?:ed)?|outcome)\b|^[a-z(]",
    re.I,
)


def _items(paras: list[_Para]) -> list[_Para]:
    """A provision cell's paragraphs as items: a "what" line and the "who" / "how often" lines under it make
    one item; each full sentence starts another."""
    items: list[_Para] = []
    for para in paras:
        text = para.text.strip()
        if items and para.kind is None and _ITEM_PART.match(text):
            last = items[-1]
            joined = last.text if last.text.endswith((".", ";", ":")) else last.text + ";"
            items[-1] = _Para(f"{joined} {text}", last.heading_style, last.bold, last.listed)
        else:
            items.append(para)
    return items


class _Reader:
    """Walks the document body in order, keeping the current section."""

    def __init__(self, document: docx.document.Document, profile: TemplateProfile | None = None) -> None:
        self.plan = Plan()
        self.current: Section | None = None
        self.position = 0
        self.template_text = frozenset(normalise(t) for t in (profile.template_text if profile else ()))
        self.labels: dict[str, str] = {}
        if profile is not None:
            for code, labels in profile.labels.items():
                for label in labels:
                    self.labels[normalise(label)] = code
        self.personal = frozenset(normalise(t) for t in (profile.personal_fields if profile else ()))
        self.plan.placeholders = list(profile.placeholders) if profile else []
        self.plan.name_field = any(_NAME_FIELD.search(t) for t in self.personal)
        self.styles: dict[str, tuple[str, bool]] = {}
        for style in document.styles:
            if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
                self.styles[style.style_id] = (style.name or "", self._style_bold(style))

    @staticmethod
    def _style_bold(style: object) -> bool:
        seen = 0
        while style is not None and seen < 10:
            bold = getattr(getattr(style, "font", None), "bold", None)
            if bold is not None:
                return bool(bold)
            style = getattr(style, "base_style", None)
            seen += 1
        return False

    # -- element helpers -------------------------------------------------------------------------

    def _children(self, element: etree._Element) -> Iterator[etree._Element]:
        for child in element.iterchildren():
            if child.tag in (qn("w:p"), qn("w:tbl")):
                yield child
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    yield from self._children(content)
            elif child.tag == qn("w:customXml"):
                yield from self._children(child)

    def _para(self, p: etree._Element) -> _Para:
        text = _paragraph_text(p)
        style_id = p.xpath("string(./w:pPr/w:pStyle/@w:val)")
        style_name, style_bold = self.styles.get(str(style_id), ("", False))
        lowered = style_name.lower()
        heading_style = lowered.startswith(("heading", "title")) or bool(p.xpath("./w:pPr/w:outlineLvl"))
        listed = bool(p.xpath("./w:pPr/w:numPr")) or lowered.startswith("list")
        bold_runs: list[bool] = []
        for run in p.iter(qn("w:r")):
            run_text = "".join(t.text or "" for t in run.iter(qn("w:t")))
            if not run_text.strip():
                continue
            flags = run.xpath("./w:rPr/w:b/@w:val")
            if run.xpath("./w:rPr/w:b"):
                bold_runs.append(not flags or str(flags[0]).lower() not in ("0", "false", "off"))
            else:
                char_style = str(run.xpath("string(./w:rPr/w:rStyle/@w:val)"))
                bold_runs.append(style_bold or self.styles.get(char_style, ("", False))[1])
        return _Para(text, heading_style, bool(bold_runs) and all(bold_runs), listed)

    def _is_template(self, text: str) -> bool:
        """The blank template's own words (guidance, a column heading): not the writer's content."""
        return bool(self.template_text) and normalise(text) in self.template_text

    def _unfilled(self, text: str) -> bool:
        return not text.strip() or bool(_ONLY_FIELD.match(text.strip())) or self._is_template(text)

    def _is_personal_label(self, text: str) -> bool:
        label = normalise(text)
        if not label:
            return False
        if label in self.personal:
            return True
        return bool(_PERSONAL_LABEL.match(label)) and self.plan.sections == {}

    # -- building the plan -----------------------------------------------------------------------

    def _open(self, code: str, heading: str, where: str = "paragraph") -> None:
        self.plan.labels.append((code, _clean(heading), where))
        section = self.plan.sections.get(code)
        if section is None:
            section = Section(code=code, heading=_clean(heading))
            self.plan.sections[code] = section
        self.current = section

    def _accepts(self, code: str, explicit: bool) -> bool:
        if explicit or self.current is None:
            return True
        return SECTION_RANK[code] > SECTION_RANK[self.current.code]

    def _add(
        self,
        text: str,
        kind: BlockKind,
        *,
        cells: tuple[str, ...] = (),
        header: tuple[str, ...] = (),
        to: Section | None = None,
        area: str | None = None,
        row: int | None = None,
    ) -> Block:
        block = Block(text=text, kind=kind, position=self.position, area=area, row=row, cells=cells, header=header)
        self.position += 1
        section = to or self.current
        if section is None:
            self.plan.outside.append(block)
        else:
            section.blocks.append(block)
        return block

    def _add_para(
        self, para: _Para, *, to: Section | None = None, area: str | None = None, row: int | None = None
    ) -> Block:
        words = len(para.text.split())
        where = {"to": to, "area": area, "row": row, "cells": para.cells, "header": para.header}
        if para.kind is not None:
            return self._add(para.text, para.kind, **where)  # type: ignore[arg-type]
        heading = (para.heading_style and words <= 40) or (para.bold and words <= 12)
        if heading and not para.text.endswith((".", ";")):
            return self._add(para.text, "subheading", **where)  # type: ignore[arg-type]
        if para.listed:
            return self._add(para.text, "list_item", **where)  # type: ignore[arg-type]
        return self._add(para.text, "paragraph", **where)  # type: ignore[arg-type]

    def _try_heading(
        self, text: str, *, strong: bool, bare_code_allowed: bool = False, where: str = "paragraph"
    ) -> str | None:
        profiled = self.labels.get(normalise(text))
        if profiled is not None:
            self._open(profiled, text, where)
            return profiled
        found = match_heading(text, strong=strong, bare_code_allowed=bare_code_allowed)
        if found and self._accepts(*found):
            self._open(found[0], text, where)
            return found[0]
        return None

    def read_body(self, container: etree._Element) -> None:
        for element in self._children(container):
            if element.tag == qn("w:p"):
                para = self._para(element)
                if not para.text:
                    continue
                if self._is_template(para.text) and normalise(para.text) not in self.labels:
                    continue
                if self._try_heading(para.text, strong=para.heading_style or para.bold) is None:
                    self._add_para(para)
            else:
                self._read_table(element)

    def _cell_paras(self, tc: etree._Element) -> list[_Para]:
        """The paragraphs of a cell; a nested table contributes one line per row."""
        found: list[_Para] = []
        for element in self._children(tc):
            if element.tag == qn("w:p"):
                para = self._para(element)
                if para.text:
                    found.append(para)
            else:
                rows = 0
                header: tuple[str, ...] = ()
                for tr in element.iter(qn("w:tr")):
                    every = [" ".join(p.text for p in self._cell_paras(c)) for c in tr.findall(qn("w:tc"))]
                    cells = [c for c in every if c]
                    if cells:
                        kind: BlockKind = "table_header" if rows == 0 and _header_like(cells) else "table_row"
                        if kind == "table_header":
                            header = tuple(every)
                        found.append(_Para(" | ".join(cells), False, False, False, kind, tuple(every), header))
                        rows += 1
        return found

    def _read_table(self, tbl: etree._Element) -> None:
        rows: list[list[list[_Para]]] = []
        for tr in tbl.findall(qn("w:tr")):
            rows.append([self._cell_paras(tc) for tc in tr.findall(qn("w:tc"))])
        for index, columns in enumerate(rows):
            codes = [column_code(" ".join(p.text for p in cell), self.labels) for cell in columns]
            named = [c for c in codes if c is not None]
            if len(set(named)) >= 2 and len(named) == len(set(named)):
                self._read_side_by_side(rows[:index], codes, columns, rows[index + 1 :])
                return
        self._read_flat_table(rows)

    def _read_side_by_side(
        self,
        before: list[list[list[_Para]]],
        codes: list[str | None],
        heading_cells: list[list[_Para]],
        after: list[list[list[_Para]]],
    ) -> None:
        """A table with sections side by side (B | F | E): each row one need, its provision, its outcome."""
        first = next(c for c in codes if c is not None)
        texts = [p.text for columns in before for cell in columns for p in cell]
        area = (
            next((a for t in texts if (a := area_of(t)) is not None), None)
            or _SIDE_AREA.get(first)
            or (texts[0][:60] if texts else first)
        )
        sections: dict[str, Section] = {}
        self.plan.side_tables.append([c for c in codes if c is not None])
        for code, cell in zip(codes, heading_cells, strict=True):
            if code is not None:
                heading = " ".join(p.text for p in cell)
                self.plan.labels.append((code, _clean(heading), "column"))
                sections[code] = self.plan.sections.get(code) or Section(code=code, heading=_clean(heading))
                self.plan.sections.setdefault(code, sections[code])
                self.plan.row_sections.add(code)
        leading = sections[first]
        filled = [row for row in after if any(not self._unfilled(p.text) for cell in row for p in cell)]
        strengths = [p for columns in before for cell in columns for p in cell if not self._unfilled(p.text)]
        if filled or any(not _ONLY_FIELD.match(p.text) for p in strengths):
            # an area's strengths (and any words above the columns) belong to its needs
            self._add(area, "subheading", to=leading, area=area)
            for para in (p for columns in before for cell in columns for p in cell):
                if not self._is_template(para.text) and para.text.strip():
                    self._add_para(para, to=leading, area=area)
        number = 0
        for columns in filled:
            if len(columns) != len(codes):
                # a full-width row inside the table: a sub-heading or a note on the need
                for para in (p for cell in columns for p in cell):
                    if not self._is_template(para.text):
                        self._add_para(para, to=leading, area=area)
                continue
            number += 1
            row = NeedRow(area=area, row=number, cells={}, position=self.position)
            for code, cell in zip(codes, columns, strict=True):
                if code is None:
                    continue
                paras = [p for p in cell if p.text.strip() and not self._is_template(p.text)]
                if code in _PROVISION_COLUMNS:
                    paras = _items(paras)
                blocks = [self._add_para(p, to=sections[code], area=area, row=number) for p in paras]
                row.cells[code] = blocks
            self.plan.rows.append(row)
        ranked = max((c for c in codes if c is not None), key=lambda c: SECTION_RANK[c])
        self.current = sections[ranked]

    def _read_flat_table(self, rows: list[list[list[_Para]]]) -> None:
        heading_column = False
        content_rows = 0
        header: tuple[str, ...] = ()
        for columns in rows:
            before_a = self.current is None and bool(columns) and bool(columns[0])
            if before_a and (
                self._is_personal_label(columns[0][0].text)
                or any(_ONLY_FIELD.match(p.text) for cell in columns[1:] for p in cell)
            ):
                # a personal detail the LA fills: "Name: | {{ name }}", "NHS Number | ..."
                every = tuple(" ".join(p.text for p in cell) for cell in columns)
                self._add(" | ".join(t for t in every if t), "field", cells=every)
                continue
            if self.template_text:
                columns = [
                    [p for p in cell if not self._is_template(p.text) or normalise(p.text) in self.labels]
                    for cell in columns
                ]
            cells = [c for c in columns if c]
            if not cells:
                continue
            # A lone "F" is a heading only in a first column, beside a content cell (even an empty one).
            bare = len(columns) > 1
            first = " ".join(p.text for p in cells[0])
            where = "cell" if len(cells) > 1 else "row"
            code = self._try_heading(first, strong=True, bare_code_allowed=bare, where=where)
            if code is None and len(cells[0]) > 1:
                # A first cell holding the heading as its first paragraph and content after it.
                code = self._try_heading(cells[0][0].text, strong=True, bare_code_allowed=bare, where=where)
                if code is not None:
                    for para in cells[0][1:]:
                        self._add_para(para)
            if code is not None:
                heading_column = heading_column or len(cells) > 1
                rest = [p for cell in cells[1:] for p in cell]
                if rest and _is_title_of(code, rest[0].text):
                    rest = rest[1:]
                for para in rest:
                    self._add_para(para)
                content_rows = 0
                continue
            if heading_column or len(cells) == 1:
                for para in (p for cell in cells for p in cell):
                    self._add_para(para)
                content_rows = 0  # a full-width sub-heading row: column headings may follow again
                continue
            every = tuple(" ".join(p.text for p in cell) for cell in columns)
            texts = [" ".join(p.text for p in cell) for cell in cells]
            kind: BlockKind = "table_header" if content_rows == 0 and _header_like(texts) else "table_row"
            if kind == "table_header":
                header = every
            self._add(" | ".join(texts), kind, cells=every, header=header if kind == "table_row" else ())
            content_rows += 1


def open_document(data: bytes) -> Any:
    """The DOCX as python-docx reads it; UnreadableDraft if it is not a readable Word file."""
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx, zipfile, zlib and odd XML trees raise many kinds of error
        raise UnreadableDraft(f"not a readable Word (.docx) document ({type(exc).__name__})") from exc


def read_plan(data: bytes, profile: TemplateProfile | None = None) -> Plan:
    """Parse a DOCX draft into its sections, as `profile` lays them out (None: the built-in reading);
    raise UnreadableDraft if it is not a readable Word file."""
    return read_document(open_document(data), profile)


def read_document(document: Any, profile: TemplateProfile | None = None) -> Plan:
    """Read an opened document into its sections."""
    try:
        return _read(document, profile)
    except Exception as exc:  # odd XML trees python-docx accepted but cannot walk
        raise UnreadableDraft(f"not a readable Word (.docx) document ({type(exc).__name__})") from exc


def document_texts(document: Any) -> list[str]:
    """Every paragraph's text in the body, tables included, in order: what profiles are fitted against."""
    found: list[str] = []
    for p in document.element.body.iter(qn("w:p")):
        text = _paragraph_text(p)
        if text:
            found.append(text)
    return found


def _read(document: Any, profile: TemplateProfile | None) -> Plan:
    reader = _Reader(document, profile)
    reader.read_body(document.element.body)
    # Headers and footers often carry "DRAFT - XX/XX/20XX" or a name; they belong to no section.
    keep = reader.current
    reader.current = None
    seen: set[str] = set()
    for doc_section in document.sections:
        for part in (doc_section.header, doc_section.footer):
            if part.is_linked_to_previous:
                continue
            for element in reader._children(part._element):
                texts = (
                    [reader._para(element).text]
                    if element.tag == qn("w:p")
                    else [p.text for tc in element.iter(qn("w:tc")) for p in reader._cell_paras(tc)]
                )
                for text in texts:
                    if text and text not in seen:
                        seen.add(text)
                        reader._add(text, "paragraph")
    reader.current = keep
    return reader.plan
