"""The draft plan as QA sees it: sections A to K, each a run of text blocks in document order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

# Order matters: headings that carry only a bare letter or a title are trusted only in this order.
SECTION_CODES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K")

# "H" is a combined social-care provision section some templates use instead of H1 and H2.
SECTION_RANK: dict[str, int] = {
    **{code: rank for rank, code in enumerate(SECTION_CODES)},
    "H": SECTION_CODES.index("H1"),
}

# "field": a personal detail the LA fills (name, date of birth, contacts); never checked for placeholders
# or identifiers, since the LA writes them there on purpose.
BlockKind = Literal["paragraph", "list_item", "table_row", "table_header", "subheading", "field"]


@dataclass(frozen=True)
class Block:
    """A paragraph, list item, table row or sub-heading; `position` is its index in the whole document.

    Blocks read from a table where sections stand side by side (B | F | E) carry the area of need and the
    row (counting from 1 within that area's table); `cells` keeps a table row's cells, `header` the cells of
    the column headings that govern it.
    """

    text: str
    kind: BlockKind
    position: int
    area: str | None = None
    row: int | None = None
    cells: tuple[str, ...] = ()
    header: tuple[str, ...] = ()


@dataclass
class NeedRow:
    """One row of a side-by-side table: a need and what meets it, by section code ("B", "F", "E"...)."""

    area: str
    row: int
    cells: dict[str, list[Block]]
    position: int


@dataclass
class Section:
    """A section of the plan: its code ("F", "H1"...), the heading as written, and its blocks."""

    code: str
    heading: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def content(self) -> list[Block]:
        """Blocks that say something, not just sub-headings."""
        return [b for b in self.blocks if b.kind != "subheading" and b.text.strip()]


@dataclass
class Plan:
    """Sections found in the draft (keyed by code) and text outside any section (cover, headers, footers)."""

    sections: dict[str, Section] = field(default_factory=dict)
    outside: list[Block] = field(default_factory=list)
    # Rows of side-by-side tables (B|F|E, C|G|E, D|H1|H2|E), when the template has them.
    rows: list[NeedRow] = field(default_factory=list)
    # Sections whose content was read from side-by-side tables.
    row_sections: set[str] = field(default_factory=set)
    # Every section label met, in order: (code, label as written, "paragraph" | "cell" | "column").
    labels: list[tuple[str, str, str]] = field(default_factory=list)
    # The column codes of each side-by-side table met.
    side_tables: list[list[str]] = field(default_factory=list)
    # The template's own "not done yet" fields (regular expressions), from its profile.
    placeholders: list[str] = field(default_factory=list)
    # Whether the template has a field for the child's name (so "[Child's name]" in the text is a leftover).
    name_field: bool = False

    def section(self, code: str) -> Section | None:
        return self.sections.get(code)

    def blocks(self, code: str) -> list[Block]:
        found = self.sections.get(code)
        return list(found.blocks) if found else []


# The four broad areas of need (SEND Code of Practice 6.28-6.35) as plans name them.
AREA_NAMES: dict[str, re.Pattern[str]] = {
    "communication and interaction": re.compile(
        r"communication (?:and|&) interaction|\bC\s?&\s?I\b|speech,? language (?:and|&) communication|"
        r"social communication|\bSLCN\b|autis|\bAS[CD]\b",
        re.I,
    ),
    "cognition and learning": re.compile(
        r"cognition (?:and|&) learning|\bC\s?&\s?L\b|learning difficult|dyslexi|dyscalculi|literacy|numeracy",
        re.I,
    ),
    "social, emotional and mental health": re.compile(
        r"social,? emotional,? (?:and|&) mental health|\bSEMH\b|emotional (?:wellbeing|well-being"
        r"|regulation)|"
        r"mental health|anxiety",
        re.I,
    ),
    "sensory and/or physical": re.compile(
        r"sensory (?:and/or|and|or|&|/) ?physical|physical (?:and|&|and/or) sensory|hearing impair|"
        r"visual impair|\bdeaf|physical disabilit|motor skills|sensory processing|\bMSI\b|\bHI\b|\bVI\b|"
        r"physical (?:needs|development)",
        re.I,
    ),
}


def area_of(text: str) -> str | None:
    """The broad area of need a title names ("Communication and interaction" ...), else None."""
    for area, pattern in AREA_NAMES.items():
        if pattern.search(text):
            return area
    return None
