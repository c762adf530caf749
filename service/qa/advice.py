"""Advice traceability: each item of provision in F and G against the advice the plan was written from.

The bundle's advice is a list of documents, each a list of pages of text. A **recommendation** is an advice
sentence that prescribes provision: it recommends, advises or says what the child should, will need or must
have, and names a deliverer or an amount. For each item of provision the best-matching advice sentence (by
shared content words) is its **source** (document and page). Findings, both warnings:

* `provision_not_in_advice`: no advice sentence shares enough content with the item, or the item gives a
  frequency, duration, ratio or professional that the advice it came from does not (the LA cannot defend
  what no professional recommended);
* `advice_not_in_plan`: a recommendation no item of provision in F, G, H1 or H2 carries.

Deterministic: the same plan and advice always give the same findings. tests/benchmarks/bench_qa.py measures
it on bundles with recommendations moved, dropped and invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.qa.plan import Block, Plan

# A share of the item's content words the advice sentence must also hold, to be its source.
MIN_OVERLAP = 0.5


@dataclass(frozen=True)
class AdviceDocument:
    """One document of advice in the bundle: its name, the text of each page and, for a stored document, its id."""

    name: str
    pages: Sequence[str]
    id: str | None = None


@dataclass(frozen=True)
class AdviceSentence:
    document: str
    page: int
    text: str
    words: frozenset[str]
    amounts: frozenset[str]
    roles: frozenset[str]
    recommends: bool
    document_id: str | None = None


@dataclass(frozen=True)
class Trace:
    """An item of provision and the advice it came from (None: no advice found)."""

    section: str
    block: Block
    source: AdviceSentence | None
    unsupported: tuple[str, ...]  # amounts or roles in the item that its source does not give


_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(\"'])|\n+")
_RECOMMENDS = re.compile(
    r"\b(?:recommend(?:s|ed|ation)?|advise[sd]?|suggests?|should|will need|needs? to (?:have|receive|be)|"
    r"requires?|must|would benefit from|is to (?:have|receive)|it is important that)\b",
    re.I,
)
_NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "forty-five": "45",
    "sixty": "60",
    "ninety": "90",
    "once": "1",
    "twice": "2",
    "half": "0.5",
}
_PERIODS = {
    "daily": "day",
    "day": "day",
    "days": "day",
    "morning": "day",
    "mornings": "day",
    "weekly": "week",
    "week": "week",
    "weeks": "week",
    "fortnightly": "fortnight",
    "fortnight": "fortnight",
    "monthly": "month",
    "month": "month",
    "termly": "term",
    "term": "term",
    "terms": "term",
    "annually": "year",
    "yearly": "year",
}
# Deliverers, in the forms advice and plans write them.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("speech and language therapist", re.compile(r"speech (?:and|&) language therap|\bSa?LTs?\b|speech therap", re.I)),
    ("occupational therapist", re.compile(r"occupational therap|\bOTs?\b")),
    ("physiotherapist", re.compile(r"physiotherap|\bphysio\b", re.I)),
    ("educational psychologist", re.compile(r"educational psycholog|\bEPs?\b")),
    ("teacher of the deaf", re.compile(r"teachers? of the deaf|\bQ?ToDs?\b", re.I)),
    ("ELSA", re.compile(r"\bELSAs?\b|emotional literacy support assistant", re.I)),
    (
        "teaching assistant",
        re.compile(r"teaching assistants?|\b(?:HL)?TAs?\b|\bLSAs?\b|learning support assistant", re.I),
    ),
    ("teacher", re.compile(r"(?<!assistant )\bteachers?\b(?! of the deaf)|\bSEN[CD]Os?\b|SENDCo", re.I)),
    ("mentor", re.compile(r"\bmentors?\b|key (?:adult|worker)", re.I)),
)
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "at",
        "with",
        "by",
        "from",
        "his",
        "her",
        "their",
        "them",
        "him",
        "he",
        "she",
        "they",
        "will",
        "would",
        "should",
        "could",
        "be",
        "is",
        "are",
        "was",
        "were",
        "been",
        "being",
        "have",
        "has",
        "had",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "as",
        "or",
        "each",
        "every",
        "per",
        "into",
        "than",
        "then",
        "there",
        "which",
        "who",
        "whom",
        "what",
        "when",
        "where",
        "how",
        "also",
        "all",
        "any",
        "some",
        "such",
        "other",
        "more",
        "most",
        "very",
        "can",
        "may",
        "must",
        "child",
        "young",
        "person",
        "pupil",
        "class",
        "school",
        "staff",
        "week",
        "weeks",
        "day",
        "days",
        "daily",
        "weekly",
        "minutes",
        "minute",
        "hours",
        "hour",
        "session",
        "sessions",
        "times",
        "time",
        "term",
        "terms",
        "month",
        "months",
        "year",
        "years",
        "recommend",
        "recommends",
        "recommended",
        "recommendation",
        "advise",
        "advised",
        "suggest",
        "suggests",
        "need",
        "needs",
        "require",
        "requires",
        "receive",
        "receives",
        "deliver",
        "delivered",
        "delivers",
        "provide",
        "provided",
        "provides",
        "support",
        "supported",
        "using",
        "use",
        "used",
        "including",
        "include",
        "trained",
        "qualified",
        "adult",
        "adults",
        "named",
        "should",
        "benefit",
        "access",
    ]
)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> frozenset[str]:
    words = re.findall(r"[a-z][a-z'-]{2,}", text.lower())
    return frozenset(_stem(w) for w in words if w not in _STOP and len(w) > 3)


def amounts(text: str) -> frozenset[str]:
    """The numbers and periods an item gives ("3", "30", "week"): what says how much and how often."""
    lowered = text.lower().replace("-", " ")
    found: set[str] = set()
    for token in re.findall(r"\d+(?:\.\d+)?|[a-z]+", lowered):
        if token.isdigit() or re.fullmatch(r"\d+\.\d+", token):
            found.add(str(float(token)).removesuffix(".0"))
        elif token in _NUMBER_WORDS:
            found.add(_NUMBER_WORDS[token])
        elif token in _PERIODS:
            found.add(_PERIODS[token])
    if re.search(r"\b1\s*:\s*1\b|one[- ]to[- ]one", lowered):
        found.add("1:1")
    return frozenset(found)


def roles(text: str) -> frozenset[str]:
    return frozenset(name for name, pattern in _ROLES if pattern.search(text))


def sentences(documents: Iterable[AdviceDocument]) -> list[AdviceSentence]:
    found: list[AdviceSentence] = []
    for document in documents:
        for number, page in enumerate(document.pages, start=1):
            for raw in _SENTENCE.split(page):
                text = " ".join(raw.split())
                if len(text.split()) < 4:
                    continue
                who, how_much = roles(text), amounts(text)
                found.append(
                    AdviceSentence(
                        document=document.name,
                        page=number,
                        text=text,
                        words=content_words(text),
                        amounts=how_much,
                        roles=who,
                        recommends=bool(_RECOMMENDS.search(text)) and bool(who or how_much),
                        document_id=document.id,
                    )
                )
    return found


def _overlap(item: frozenset[str], advice: frozenset[str]) -> float:
    return len(item & advice) / len(item) if item else 0.0


# Items traced to their advice; social care provision (H1, H2) may also carry a recommendation.
TRACED_SECTIONS = ("F", "G")
PROVISION_SECTIONS = ("F", "G", "H1", "H2")
_NO_PROVISION = re.compile(r"^\s*(?:there is |there are )?(?:no|none|nil|not applicable|n/a)\b|\bnot required\b", re.I)


def provision_items(plan: Plan, sections: Sequence[str] = PROVISION_SECTIONS) -> list[tuple[str, Block]]:
    """Items of provision: not sub-headings or column headings, nor "No provision is required"."""
    items: list[tuple[str, Block]] = []
    for code in sections:
        for block in plan.blocks(code):
            if block.kind in ("subheading", "table_header") or len(block.text.split()) < 4:
                continue
            if _NO_PROVISION.search(block.text):
                continue
            if content_words(block.text):
                items.append((code, block))
    return items


def trace(plan: Plan, documents: Sequence[AdviceDocument]) -> tuple[list[Trace], list[AdviceSentence]]:
    """Each item of provision with its source, and the recommendations no item carries."""
    advice = sentences(documents)
    traces: list[Trace] = []
    carried: set[int] = set()
    for code, block in provision_items(plan, TRACED_SECTIONS):
        words = content_words(block.text)
        if code != "F" and not (roles(block.text) or amounts(block.text)):
            continue  # "No health provision is required": nothing to trace in G or H
        scored = sorted(((_overlap(words, s.words), -index) for index, s in enumerate(advice)), reverse=True)
        best = advice[-scored[0][1]] if scored and scored[0][0] >= MIN_OVERLAP else None
        unsupported: list[str] = []
        if best is not None:
            carried.add(advice.index(best))
            # the amounts and deliverers the source (or the sentences beside it on its page) gives
            near = [s for s in advice if s.document == best.document and s.page == best.page]
            given_amounts = frozenset().union(*(s.amounts for s in near))
            given_roles = frozenset().union(*(s.roles for s in near))
            unsupported += sorted(amounts(block.text) - given_amounts)
            unsupported += sorted(roles(block.text) - given_roles)
        traces.append(Trace(code, block, best, tuple(unsupported)))
    # A recommendation is carried when some item's words hold most of its content words too.
    items = [content_words(b.text) for _, b in provision_items(plan)]
    missing = [
        s
        for index, s in enumerate(advice)
        if s.recommends and index not in carried and not any(_overlap(s.words, words) >= MIN_OVERLAP for words in items)
    ]
    return traces, missing
