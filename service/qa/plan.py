"""The draft plan as QA sees it: sections A to K, each a run of text blocks in document order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Order matters: headings that carry only a bare letter or a title are trusted only in this order.
SECTION_CODES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K")

# "H" is a combined social-care provision section some templates use instead of H1 and H2.
SECTION_RANK: dict[str, int] = {
    **{code: rank for rank, code in enumerate(SECTION_CODES)},
    "H": SECTION_CODES.index("H1"),
}

BlockKind = Literal["paragraph", "list_item", "table_row", "table_header", "subheading"]


@dataclass(frozen=True)
class Block:
    """A paragraph, list item, table row or sub-heading; `position` is its index in the whole document."""

    text: str
    kind: BlockKind
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

    def section(self, code: str) -> Section | None:
        return self.sections.get(code)

    def blocks(self, code: str) -> list[Block]:
        found = self.sections.get(code)
        return list(found.blocks) if found else []
