"""Write draft plans as real DOCX files with python-docx, in the template styles LAs use."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import docx
from docx.document import Document
from docx.table import _Cell

TITLES: dict[str, str] = {
    "A": "Views, interests and aspirations",
    "B": "Special educational needs",
    "C": "Health needs",
    "D": "Social care needs",
    "E": "Outcomes",
    "F": "Special educational provision",
    "G": "Health provision",
    "H1": "Social care provision under section 2 of the Chronically Sick and Disabled Persons Act 1970",
    "H2": "Other social care provision",
    "I": "Placement",
    "J": "Personal budget",
    "K": "Advice and information",
}

STYLES = ("headings", "bold", "table_column", "heading_rows")


@dataclass(frozen=True)
class Sub:
    """A sub-heading inside a section (an area of need, a group of outcomes)."""

    text: str


@dataclass(frozen=True)
class Row:
    """A table row inside a section (provision tables, outcome tables)."""

    cells: tuple[str, ...]


Content = str | Sub | Row


def heading_text(code: str, style: str, variant: int = 0) -> str:
    title = TITLES[code]
    if style == "headings":
        return [
            f"Section {code}: {title}",
            f"SECTION {code} - {title.upper()}",
            f"Part {code} \u2013 {title}",
        ][variant % 3]
    if style == "bold":
        return [f"{code}. {title.title()}", f"{code}: {title}", f"Section {code} \u2014 {title}"][variant % 3]
    if style == "table_column":
        return [f"Section {code}", code, f"{code}: {title}"][variant % 3]
    return [f"SECTION {code}: {title.upper()}", f"Section {code} \u2013 {title}"][variant % 2]


def _fill_cell(cell: _Cell, items: Sequence[Content]) -> None:
    first = cell.paragraphs[0]
    used_first = False
    rows: list[Row] = []

    def flush() -> None:
        nonlocal rows, used_first
        if rows:
            width = max(len(r.cells) for r in rows)
            table = cell.add_table(rows=0, cols=width)
            for row in rows:
                cells = table.add_row().cells
                for i, text in enumerate(row.cells):
                    cells[i].text = text
            rows = []
            used_first = True

    for item in items:
        if isinstance(item, Row):
            rows.append(item)
            continue
        flush()
        para = first if not used_first else cell.add_paragraph()
        used_first = True
        run = para.add_run(item.text if isinstance(item, Sub) else item)
        if isinstance(item, Sub):
            run.bold = True
    flush()


def _write_flow(document: Document, items: Sequence[Content], style: str) -> None:
    rows: list[Row] = []

    def flush() -> None:
        nonlocal rows
        if rows:
            width = max(len(r.cells) for r in rows)
            table = document.add_table(rows=0, cols=width)
            for row in rows:
                cells = table.add_row().cells
                for i, text in enumerate(row.cells):
                    cells[i].text = text
            rows = []

    for item in items:
        if isinstance(item, Row):
            rows.append(item)
            continue
        flush()
        if isinstance(item, Sub):
            if style == "headings":
                document.add_heading(item.text, level=2)
            else:
                document.add_paragraph().add_run(item.text).bold = True
        elif style == "headings":
            document.add_paragraph(item, style="List Bullet")
        else:
            document.add_paragraph(item)
    flush()


def write_draft(
    sections: Mapping[str, Sequence[Content]],
    style: str = "headings",
    *,
    cover: Sequence[str] = (
        "Education, Health and Care Plan (draft)",
        "Child A - case reference LA-2026-0142",
    ),
    header: str | None = None,
    variant: int = 0,
) -> bytes:
    """A DOCX draft: the given sections in the given order and template style."""
    document = docx.Document()
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    for line in cover:
        document.add_paragraph(line)
    if style == "table_column":
        table = document.add_table(rows=0, cols=2)
        for code, items in sections.items():
            cells = table.add_row().cells
            cells[0].text = heading_text(code, style, variant)
            _fill_cell(cells[1], items)
    elif style == "heading_rows":
        for code, items in sections.items():
            width = max([len(i.cells) for i in items if isinstance(i, Row)] or [1])
            table = document.add_table(rows=1, cols=width)
            merged = table.rows[0].cells[0].merge(table.rows[0].cells[-1]) if width > 1 else table.rows[0].cells[0]
            merged.text = heading_text(code, style, variant)
            for item in items:
                cells = table.add_row().cells
                if isinstance(item, Row):
                    for i, text in enumerate(item.cells):
                        cells[i].text = text
                else:
                    target = cells[0].merge(cells[-1]) if width > 1 else cells[0]
                    target.paragraphs[0].add_run(item.text if isinstance(item, Sub) else item).bold = isinstance(
                        item, Sub
                    )
            document.add_paragraph("")
    else:
        for code, items in sections.items():
            text = heading_text(code, style, variant)
            if style == "headings":
                document.add_heading(text, level=1)
            else:
                document.add_paragraph().add_run(text).bold = True
            _write_flow(document, items, style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
