"""Template profiles: how an LA's plan template lays a plan out, learned from its blank copy and chosen per draft.

A profile (`contracts.qa.TemplateProfile`, plain JSON a coordinator can correct) names each section's labels
as the template writes them, the tables where sections stand side by side (B | F | E, one need a row), the
personal details the LA fills, the template's own "not done" fields and its own words (guidance, labels),
which the reader never takes for the writer's content.

Shipped profiles live in `service/qa/profiles/*.json`: `sections-a-k` (the built-in reading: headings as
paragraphs or table cells, the layouts the engine has always read) and `dfe-national` (the Department for
Education's draft national template, learned from the blank copy and checked by hand).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contracts.qa import TemplateProfile
from service.qa.plan import SECTION_RANK, Plan
from service.qa.template import UnreadableDraft, document_texts, normalise, open_document, read_document

PROFILE_DIR = Path(__file__).with_name("profiles")
BUILT_IN = "sections-a-k"
# A profile fits a draft when at least this share of its labels is found in the draft's text.
MIN_FIT = 0.6

_FIELD = re.compile(r"\{\{[^{}]*\}\}")
_ONLY_FIELDS = re.compile(r"^(?:\s*\{\{[^{}]*\}\}\s*)+$")


class ProfileInvalid(Exception):
    """A profile file that is not valid JSON or does not have a profile's shape."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_profile(raw: Any) -> TemplateProfile:
    """A profile from its decoded JSON; ProfileInvalid names the field at fault."""
    try:
        return TemplateProfile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(top level)'}: {error['msg']}" for error in exc.errors()
        )
        raise ProfileInvalid(problems) from exc


@cache
def shipped_profiles() -> dict[str, TemplateProfile]:
    """The profiles that ship with Planwright, by name."""
    found: dict[str, TemplateProfile] = {}
    for path in sorted(PROFILE_DIR.glob("*.json")):
        profile = parse_profile(json.loads(path.read_text(encoding="utf-8")))
        found[profile.name] = profile
    return found


def profile_labels(profile: TemplateProfile) -> set[str]:
    """What a draft on this template shows whatever the writer wrote: its section labels. (Personal-detail
    fields are left out: a writer's copy may drop the LA's details table and still be on the template.)"""
    labels = {normalise(label) for labels in profile.labels.values() for label in labels}
    return {label for label in labels if label}


def fit(profile: TemplateProfile, texts: list[str]) -> float | None:
    """The share of the profile's labels found in the draft's text (None: a profile with no labels)."""
    labels = profile_labels(profile)
    if not labels:
        return None
    seen = {normalise(t) for t in texts}
    return round(sum(label in seen for label in labels) / len(labels), 3)


@dataclass(frozen=True)
class Chosen:
    """The profile a draft was read with, and why."""

    profile: TemplateProfile | None
    name: str
    chosen: str  # "named" | "detected"
    fit: float | None


def choose(document: Any, named: TemplateProfile | None, candidates: list[TemplateProfile]) -> Chosen:
    """The named profile, else the candidate whose labels the draft shows most (at least MIN_FIT of them),
    else the built-in reading."""
    texts = document_texts(document)
    if named is not None:
        return Chosen(None if named.name == BUILT_IN else named, named.name, "named", fit(named, texts))
    best: tuple[float, TemplateProfile] | None = None
    for candidate in candidates:
        score = fit(candidate, texts)
        if score is not None and score >= MIN_FIT and (best is None or score > best[0]):
            best = (score, candidate)
    if best is None:
        return Chosen(None, BUILT_IN, "detected", None)
    return Chosen(best[1], best[1].name, "detected", best[0])


def read_with(data: bytes, named: TemplateProfile | None = None) -> tuple[Plan, Chosen]:
    """Read a draft with the named profile, or the best-fitting shipped one."""
    document = open_document(data)
    try:
        chosen = choose(document, named, list(shipped_profiles().values()))
    except Exception as exc:  # python-docx opened it, but its body is not a document body
        raise UnreadableDraft(f"not a readable Word (.docx) document ({type(exc).__name__})") from exc
    return read_document(document, chosen.profile), chosen


# -- learning a profile from a blank template -----------------------------------------------------


def learn(data: bytes, name: str, title: str = "") -> TemplateProfile:
    """Read an LA's blank template and write its profile: the section labels found, the side-by-side
    tables, the personal-detail fields, the template's own fields and words.

    Sections the reading cannot place are simply absent from `labels`: the coordinator adds them by hand."""
    document = open_document(data)
    plan = read_document(document, None)
    try:
        texts = document_texts(document)
    except Exception as exc:  # python-docx opened it, but its body is not a document body
        raise UnreadableDraft(f"not a readable Word (.docx) document ({type(exc).__name__})") from exc
    labels: dict[str, list[str]] = {}
    wheres: list[str] = []
    for code, label, where in plan.labels:
        code = "H1" if code == "H" else code
        if label not in labels.setdefault(code, []):
            labels[code].append(label)
        wheres.append(where)
    personal: list[str] = []
    for block in plan.outside:
        # before section A, a row holding an LA field (or an empty cell) beside a label: personal details
        if block.kind not in ("field", "table_row", "table_header") or not block.cells:
            continue
        if block.kind != "field" and not any(_FIELD.search(c) or not c.strip() for c in block.cells):
            continue
        for cell in block.cells:
            text = cell.strip()
            if text and not _FIELD.search(text) and _is_label(text) and text not in personal:
                personal.append(text)
    template_text: list[str] = []
    seen: set[str] = set()
    for text in texts:
        key = normalise(text)
        if key and key not in seen and not _ONLY_FIELDS.match(text):
            seen.add(key)
            template_text.append(text)
    placeholders = [r"\{\{[^{}]*\}\}"] if any(_FIELD.search(t) for t in texts) else []
    return TemplateProfile.model_validate(
        {
            "name": name,
            "title": title,
            "layout": _layout(plan, wheres),
            "labels": {code: labels[code] for code in sorted(labels, key=lambda c: SECTION_RANK[c])},
            "row_tables": plan.side_tables,
            "personal_fields": personal,
            "placeholders": placeholders,
            "template_text": template_text,
        }
    )


def _is_label(text: str) -> bool:
    """A field's label, not a value a blank template already holds: short, no digits."""
    return len(text.split()) <= 14 and not re.search(r"\d{3}", text)


def _layout(plan: Plan, wheres: list[str]) -> str:
    if plan.side_tables:
        return "side-by-side"
    if not wheres:
        return "headings"
    cells = sum(w in ("cell", "row") for w in wheres)
    if cells * 2 >= len(wheres):
        return "left-column" if sum(w == "cell" for w in wheres) * 2 >= cells else "table"
    if sum(bool(re.match(r"^\s*\d", label)) for _, label, _ in plan.labels) * 2 >= len(plan.labels):
        return "numbered"
    return "headings"


def missing_sections(profile: TemplateProfile) -> list[str]:
    """Sections A-K (H1 and H2 apart) the profile has no label for: what a coordinator should correct."""
    from service.qa.plan import SECTION_CODES

    have = set(profile.labels)
    return [code for code in SECTION_CODES if code not in have]
