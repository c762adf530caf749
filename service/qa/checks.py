"""Automated quality checks on a draft plan: the findings a QA reviewer would otherwise have to spot by eye.

| check | severity | fires when |
| --- | --- | --- |
| section_missing | error | a section of A-K (H1, H2 apart) has no heading or no content |
| section_missing | warning | no heading for I (I may be empty); one combined "Section H" for H1+H2 |
| placeholder_text | error | "TBC", "[insert ...]", "XX", "Lorem ipsum", "Click or tap here to enter text" |
| placeholder_text | warning | the same in section I, where "to be confirmed" is normal in a draft |
| vague_provision | error | a flag phrase of DOMAIN.md in an item of F; "support", "input", |
|   |   | "interventions" only when the item has no frequency, duration or amount |
| unquantified_provision | error | an item of F with no frequency, duration or amount |
| unquantified_provision | warning | an item of F naming no one to deliver it |
| therapy_outside_f | error | speech and language therapy in G, H1 or H2 and nowhere in F (CoP 9.74) |
| therapy_outside_f | warning | occupational therapy or physiotherapy likewise (decided case by case) |
| outcome_not_smart | error | an outcome in E with no time frame |
| outcome_not_smart | warning | an outcome in E whose only verbs are vague ("improve", "feel"...) |
| golden_thread_gap | error | an area of need in B with no provision in F |
| golden_thread_gap | warning | an area of need in B with no outcome in E |
| no_needs_statement | error | C or D has a heading but no content |
| no_needs_statement | warning | C or D says only "N/A", "None", "-" instead of a statement |
| pii_leak | error | an identifier found with confidence >= 0.8 (warning below) |
| front_sheet_missing | error | no front sheet came with the draft |
| drafting_tool_text | error | a drafting tool's words ("As an AI language model", "information not provided in |
|   |   | the source documents"), or "[Child's name]" where the template has a name field |
| need_in_two_areas | warning | the same need (six words or more) written under two areas of need |
| named_medicine | warning | a named medicine (methylphenidate, melatonin...): provision, not prescriptions |

Side-by-side tables (B | F | E, read through a template profile): golden_thread_gap checks each need
against the provision and outcome in its own row, and findings on a row carry its area of need and row; a
provision table's filled "how often" / "how long" / "by whom" cells count as its amount and deliverer.
Personal details the LA fills ("field" blocks, or marked as held by the LA) are never checked for
placeholders or identifiers.

Why these severities: an error is something a tribunal or the LA's QA framework rejects outright; a
warning is either a matter of judgement (OT and physiotherapy may sit in G; "who" is often given by a
column or a lead-in) or a guess the wording cannot settle. A sub-heading, a lead-in ending in ":" or a
table's heading row governs the items under it, so "By July 2027, Child A will:" times the outcomes listed
after it, and "A trained TA will deliver the following for 15 minutes daily:" quantifies its items.
Negated therapy mentions ("was discharged from physiotherapy") are ignored. Excerpts of pii_leak mask every
identifier the detector found in the block.

The checks read wording, so they are heuristics: tests/benchmarks/bench_qa.py measures how far.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from contracts.qa import CheckName, FrontSheet
from service.qa.advice import AdviceDocument, AdviceSentence, Trace, trace
from service.qa.plan import AREA_NAMES, SECTION_CODES, SECTION_RANK, Block, Plan, Section
from service.screening.detectors import scan_text
from service.screening.report import mask

Detect = Callable[[str], Sequence[Any]]

CHECKS: tuple[str, ...] = get_args(CheckName)
EXCERPT_WIDTH = 120
# an identifier in an excerpt keeps at most its first three letters or digits ("943 *** ****")
MASK_REVEAL = 3
# an advice sentence quoted as a source
ADVICE_EXCERPT = 140


@dataclass(frozen=True)
class Finding:
    """One QA finding: which check, how serious, where, a short excerpt and what is wrong."""

    check: str
    severity: str
    section: str | None
    excerpt: str
    message: str
    area: str | None = None
    row: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class ProvisionSource:
    """The advice an item of provision came from: its document, page and the sentence, identifiers masked."""

    document: str
    document_id: str | None
    page: int
    excerpt: str


@dataclass(frozen=True)
class Provision:
    """An item of provision in F or G, where it stands, and its source (None: no advice carries it)."""

    section: str
    area: str | None
    row: int | None
    text: str
    source: ProvisionSource | None


@dataclass(frozen=True)
class QaResult:
    """What the checks give a reviewer: the findings, and each item of provision with the advice behind it."""

    findings: list[Finding]
    provision: list[Provision]


# -- text helpers ---------------------------------------------------------------------------------


def excerpt(text: str, start: int = 0, end: int | None = None, width: int = EXCERPT_WIDTH) -> str:
    """A window of at most ~`width` characters around text[start:end], trimmed at words with "..."."""
    end = len(text) if end is None else end
    if len(text) <= width:
        return text
    span = max(0, end - start)
    if span >= width:
        lo, hi = start, start + width
    else:
        slack = (width - span) // 2
        lo = max(0, start - slack)
        hi = min(len(text), end + slack)
        if lo == 0:
            hi = min(len(text), width)
        elif hi == len(text):
            lo = max(0, len(text) - width)
    if lo > 0:
        space = text.find(" ", lo, start) if start > lo else -1
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    return ("..." if lo > 0 else "") + text[lo:hi].strip() + ("..." if hi < len(text) else "")


def masked(text: str, detect: Detect) -> str:
    """The text with every identifier the detector finds in it masked (at most MASK_REVEAL characters kept)."""
    return _mask_hits(text, detect(text))


def _mask_hits(text: str, hits: Iterable[Any]) -> str:
    chars = list(text)
    for hit in hits:
        if 0 <= int(hit.start) < int(hit.end) <= len(text):
            chars[hit.start : hit.end] = list(mask(text[hit.start : hit.end], MASK_REVEAL))
    return "".join(chars)


def _sentence_around(text: str, start: int) -> str:
    lo = max(text.rfind(".", 0, start), text.rfind(";", 0, start)) + 1
    ends = [i for i in (text.find(".", start), text.find(";", start)) if i != -1]
    return text[lo : min(ends) if ends else len(text)]


# -- placeholders ---------------------------------------------------------------------------------

_PLACEHOLDERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bTB[CAD]\b", re.I), "'{m}' is a placeholder: the text is still to be written"),
    (
        re.compile(
            r"(?<!\{)[\[<{](?!\{)\s*(?:insert|enter|add|type|name|child'?s name|first name|surname|date|dob|"
            r"school|setting|x{2,})\b[^\]>}]{0,60}[\]>}]?",
            re.I,
        ),
        "template prompt '{m}' left in",
    ),
    (re.compile(r"(?<![A-Za-z0-9])(?:X{2,}|x{2,})(?![A-Za-z0-9])"), "'{m}' stands for a value not filled in"),
    (re.compile(r"\blorem ipsum\b", re.I), "dummy text 'Lorem ipsum' left in"),
    (
        re.compile(r"\bclick (?:or tap )?here to enter (?:text|a date)", re.I),
        "an empty Word form field is left in",
    ),
    (re.compile(r"\?{3,}"), "'???' marks text still to be written"),
    (re.compile(r"\{\{[^{}]{0,80}\}\}"), "template field '{m}' left unfilled"),
    (re.compile(r"\bINSERT\b"), "template prompt 'INSERT' left in"),
)

# -- Section F: specified and quantified ----------------------------------------------------------

_NUM = (
    r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty(?:-five)?|forty five|sixty|ninety|a|an|half an?|a half)"
)
_UNIT = r"(?:minutes?|mins?|hours?|hrs?|h|weeks?|terms?|half[- ]terms?|sessions?|days?|lessons?|visits?|blocks?)"
_QUANTITY = re.compile(
    r"\b(?:daily|weekly|fortnightly|monthly|termly|half[- ]termly|annually|yearly|twice|once|thrice)\b"
    r"|\b(?:every|each|per)\s+(?:\w+\s+){0,2}?(?:day|morning|afternoon|week|fortnight|term|half[- "
    r"]term|lesson|"
    r"session|break(?:time)?|lunch(?:time)?|playtime|month|year|school day|transition|visit|subject)s?\b"
    r"|\b\w+\s+times\s+(?:a|an|per|each|every)\b"
    r"|\b(?:a|per)\s+(?:day|week|fortnight|month|term|half[- ]term|year)\b"
    rf"|\b{_NUM}[\s-]*{_UNIT}\b"
    r"|\b\d+\s*x\s*\d+"
    r"|\bthroughout (?:the|each|every|his|her|their) (?:school )?(?:day|week|curriculum|lessons?)\b"
    r"|\b(?:in|across|during) (?:all|every|each) (?:lessons?|subjects?|activities|sessions)\b"
    r"|\b(?:at all times|full[- ]time|all day|whole[- ]day|throughout the day)\b"
    r"|\b(?:during|at) (?:all )?(?:unstructured times|break(?:time)?s?|lunch(?:time)?s?|playtimes?)\b"
    r"|£\s?\d",
    re.I,
)
_WHO = re.compile(
    r"\b(?:teachers?|tutors?|assistants?|SENCOs?|SENDCos?|therapists?|physiotherapists?|psychologists?|"
    r"specialists?|advisers?|advisors?|key ?workers?|key adults?|keyworkers?|mentors?|staff|adults?|"
    r"practitioners?|counsellors?|nurses?|instructors?|lecturers?|coach(?:es)?|support workers?|clinicians?|"
    r"professionals?|interveners?|communicators?|signers?|audiologists?|officers?|team|service|"
    r"delivered by|led by|provided by|run by|carried out by|overseen by|supervised by|under the "
    r"direction of)\b",
    re.I,
)
_WHO_ACRONYM = re.compile(
    r"\b(?:TAs?|LSAs?|HLTAs?|SNAs?|EPs?|OTs?|SaLTs?|SALTs?|SLTs?|ELSAs?|ToDs?|QTVIs?|QTHIs?|QToDs?|QTMSIs?|"
    r"CSWs?|SEN[CD]Os?|SENDCOs?)\b"
)
_FLAG_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\baccess to\b(?!\s+(?:the\s+)?(?:whole\s+|full\s+|wider\s+)?curriculum)", re.I),
        "'access to' does not specify the provision",
    ),
    (re.compile(r"\bopportunit(?:y|ies) (?:for|to)\b", re.I), "'{m}' does not specify the provision"),
    (re.compile(r"\b(?:would|will|may|could|might) benefit from\b", re.I), "'{m}' is advice, not provision"),
    (re.compile(r"\bregular(?:ly)?\b", re.I), "'{m}' does not say how often"),
    (re.compile(r"\bup to\b(?![\s-]+date)", re.I), "'up to' sets a ceiling, not an amount"),
    (
        re.compile(r"\bas (?:appropriate|required|needed|necessary|advised)\b|\bas and when\b", re.I),
        "'{m}' leaves the amount to discretion",
    ),
    (
        re.compile(r"\b(?:where|when|if) (?:possible|needed|required|appropriate)\b", re.I),
        "'{m}' is conditional",
    ),
    (re.compile(r"\bsuch as\b", re.I), "'such as' gives examples, not the provision"),
    (re.compile(r"\be\.\s?g\.?|\beg\.?(?=\s|,)", re.I), "'e.g.' gives examples, not the provision"),
    (re.compile(r"\betc\b\.?", re.I), "'etc.' leaves the provision open"),
    (re.compile(r"\bor equivalent\b", re.I), "'or equivalent' does not specify the provision"),
)
_GENERIC = re.compile(r"\b(?:support|input|interventions?)\b", re.I)
_LEAD_IN = re.compile(r"(?:following|set out below|as follows|listed below)", re.I)

# -- therapies ------------------------------------------------------------------------------------

_THERAPIES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "speech and language therapy",
        re.compile(
            r"speech,? (?:and|&) language therap|speech therap|\b(?:SaLT|SALT|SLT)s?\b|\bspeech and "
            r"language\b",
            re.I,
        ),
        "error",
    ),
    ("occupational therapy", re.compile(r"occupational therap|\bOTs?\b"), "warning"),
    ("physiotherapy", re.compile(r"physiotherap|\bphysio\b", re.I), "warning"),
)
_NEGATED = re.compile(r"\b(?:no|not|none|nor|discharged|declined|never|without)\b|n't\b|\bno longer\b", re.I)

# -- Section E: SMART outcomes --------------------------------------------------------------------

_MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"
)
_TIME_FRAME = re.compile(
    rf"\b(?:by|before|until|in|from|end of|during|within)\s+(?:the\s+)?(?:(?:end|start|beginning"
    rf"|middle) of\s+)?"
    rf"(?:the\s+)?{_MONTHS}\b"
    r"|\b20[2-5]\d\b"
    r"|\b(?:by|before|at|towards) (?:the )?(?:end|start|beginning|close) of\b"
    r"|\bwithin (?:the )?(?:next |first )?(?:\d+|one|two|three|four|five|six|nine|ten|twelve"
    r"|eighteen|a|an)?\s*"
    r"(?:\w+\s)?(?:days?|weeks?|months?|terms?|half[- ]terms?|years?)\b"
    r"|\bby (?:the time|age|the age of|year \d|y\d{1,2}\b|key stage|ks\s?\d|his |her |their |the next|next)"
    r"|\b(?:at|by) (?:the |his |her |their )?(?:next |first |second )?(?:annual )?review\b"
    r"|\b(?:in|over) (?:the )?(?:next|following|coming) (?:\d+ |\w+ )?(?:weeks?|months?|terms?|years?|"
    r"academic year|school year)\b"
    r"|\b(?:end|start) of (?:key stage|ks\s?\d|year \d|the (?:academic|school) year|term|the term|primary|"
    r"secondary|reception|nursery|this phase)\b"
    r"|\bbefore (?:he|she|they|child \w+|[A-Z]\w+) (?:leaves?|moves?|transfers?|starts?)\b"
    r"|\b(?:on|at|by) transition\b|\bby (?:summer|autumn|spring|christmas|easter)\b"
    r"|\b(?:long|medium|short)[- ]term\b",
    re.I,
)
_TIME_FRAME_NUMBERS = re.compile(r"\b(?:year|key stage|ks|y|phase|stage)\s?\d+\b|\b\d{4}\b", re.I)
_VAGUE_OUTCOME = re.compile(
    r"\b(?:improve[sd]?|develop(?:s|ed)?|enjoy|feel|be (?:happier|happy|more|less|better)|understand|"
    r"continue to|make (?:good |expected |further )?progress|be supported|have support|receive support|"
    r"be helped|work towards|gain (?:confidence|skills)|increase (?:his|her|their) (?:confidence"
    r"|self-esteem)|"
    r"be confident|become (?:more|less)|engage (?:more|better)|be aware)\b",
    re.I,
)
_MEASURE = re.compile(
    r"\d|%|\bper ?cent\b|\bindependently\b|\bwithout (?:adult |an adult's |any )?(?:support|prompts?|"
    r"prompting|help|reminders?|assistance)\b|\bconsistently\b|\bout of\b|\bat least\b|\baccurately\b|"
    r"\bunaided\b|\bwith (?:one|no|minimal|a single) (?:verbal |visual )?(?:prompts?|reminders?|help)\b|"
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|fifty|hundred) (?:\w+ ){0,2}"
    r"(?:words?|sentences?|steps?|minutes?|times|occasions|sessions|strategies|peers|friends|sounds|"
    r"letters|numbers|days|weeks|lessons|questions|items)\b",
    re.I,
)
_OUTCOME_LIKE = re.compile(r"\bwill\b|\bto be able to\b|\bI (?:want|would like|will|can)\b|^to\b|\bcan\b", re.I)
_OUTCOME_META = re.compile(
    r"\b(?:these|the|all|my|his|her|their) outcomes\b|\boutcomes? (?:will be|are|were|have been)\b|"
    r"\breviewed at\b|\bagreed (?:with|at)\b",
    re.I,
)

# -- golden thread --------------------------------------------------------------------------------

_AREA_NAMES = AREA_NAMES
_AREA_MATCH: dict[str, re.Pattern[str]] = {
    "communication and interaction": re.compile(
        r"\b(?:communicat|interaction|speech|language|vocabulary|social skills|listening|attention autism|"
        r"\blego\b|conversation|turn[- ]taking|expressive|receptive|makaton|\bPECS\b|signing|\bSa?LT\b|"
        r"instructions|social stor|narrative|word[- ]finding|autis)",
        re.I,
    ),
    "cognition and learning": re.compile(
        r"\b(?:cognition|cognitive|literacy|reading|phonics|spelling|writ(?:ing|e)|maths|mathemat|numeracy|number|"
        r"memory|precision teaching|comprehension|processing|overlearning|dyslexi|learning difficult)",
        re.I,
    ),
    "social, emotional and mental health": re.compile(
        r"\b(?:emotion|mental health|anxi|regulat|calm|feelings|wellbeing|well-being|self-esteem|confiden|"
        r"friendship|\bELSA\b|mentor|nurture|behaviour|worr|zones of|\bCAMHS\b|counsel|safe space|"
        r"social,? emotional|\bSEMH\b|check-in)",
        re.I,
    ),
    "sensory and/or physical": re.compile(
        r"\b(?:sensory|physical|motor|hearing|vision|visual|deaf|radio aid|handwriting|typing|physio|"
        r"occupational therap|\bOT\b|mobility|balance|co-?ordination|toilet|pencil grip|writing slope|"
        r"fatigue|seating|movement break)",
        re.I,
    ),
}
_HEADED_NEED = re.compile(
    r"needs?\b|difficult|independen|self-care|adulthood|life skills|medical|physical|sensory|communication|"
    r"learning|emotional|behaviour",
    re.I,
)
_STOP = frozenset(
    [
        "and",
        "the",
        "of",
        "for",
        "with",
        "need",
        "needs",
        "his",
        "her",
        "their",
        "area",
        "areas",
        "difficulties",
        "difficulty",
        "skills",
        "skill",
        "to",
        "in",
        "or",
        "a",
        "an",
        "on",
        "at",
        "child",
        "young",
        "person",
    ]
)

# -- no needs statement ---------------------------------------------------------------------------

_BARE_NONE = re.compile(r"^\s*(?:n/?a|none|nil|not applicable|-+|\u2013|\u2014|no|nothing)\s*\.?\s*$", re.I)


# -- identifiers (found by the screening detectors) -----------------------------------------------

_KIND_LABEL = {
    "nhs_number": "an NHS number",
    "upn": "a unique pupil number",
    "ni_number": "a National Insurance number",
    "postcode": "a postcode",
    "phone": "a phone number",
    "email": "an e-mail address",
    "date_of_birth": "a date of birth",
    "person_name": "a person's name",
    "address": "an address",
}


# -- the checks -----------------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.items: list[tuple[tuple[int, int, int, int], Finding]] = []

    def add(
        self,
        check: str,
        severity: str,
        section: str | None,
        position: int,
        text: str,
        message: str,
        block: Block | None = None,
        source: str | None = None,
    ) -> None:
        rank = -1 if section is None else SECTION_RANK[section]
        area, row = (block.area, block.row) if block is not None else (None, None)
        finding = Finding(check, severity, section, text, message, area, row, source)
        # Ties keep the order the checks raised them in, which is itself fixed.
        self.items.append(((rank, position, CHECKS.index(check), len(self.items)), finding))

    def findings(self) -> list[Finding]:
        seen: set[Finding] = set()
        ordered: list[Finding] = []
        for _, finding in sorted(self.items, key=lambda item: item[0]):
            if finding not in seen:
                seen.add(finding)
                ordered.append(finding)
        return ordered


def _report_code(section: Section) -> str | None:
    code = section.code
    return None if code == "H" else code


def _all_blocks(plan: Plan) -> Iterable[tuple[str | None, Block]]:
    for block in plan.outside:
        yield None, block
    for section in plan.sections.values():
        for block in section.blocks:
            yield _report_code(section), block


def _check_sections(plan: Plan, out: _Collector) -> None:
    combined_h = plan.section("H")
    for code in SECTION_CODES:
        section = plan.section(code)
        if section is None:
            if code in ("H1", "H2") and combined_h is not None and combined_h.content:
                out.add(
                    "section_missing",
                    "warning",
                    code,
                    -1,
                    excerpt(combined_h.heading),
                    f"one combined section H is given; the plan should set out H1 and H2 separately ({code} missing)",
                )
                continue
            severity = "warning" if code == "I" else "error"
            out.add("section_missing", severity, code, -1, "", f"no heading for section {code} was found")
            continue
        if code == "I" or section.content:
            continue
        if code in ("C", "D"):
            continue  # an empty C or D is reported by no_needs_statement
        if code in plan.row_sections and _provision_follows_no_need(plan, code):
            continue
        out.add("section_missing", "error", code, -1, excerpt(section.heading), f"section {code} has no content")


# A personal detail the writer leaves for the LA: "held by the LA", "LA to complete".
_HELD_BY_LA = re.compile(
    r"\b(?:held|kept|recorded|completed|filled(?: in)?|added|inserted|provided) by (?:the )?(?:LA|local authority|"
    r"council|caseworker|case officer)\b|\b(?:LA|local authority|caseworker) to (?:complete|add|insert|fill)",
    re.I,
)


def _checked_blocks(plan: Plan) -> Iterable[tuple[str | None, Block]]:
    """Blocks the writer wrote: not the LA's own personal-detail fields, nor fields marked as held by it."""
    for code, block in _all_blocks(plan):
        if block.kind == "field" or (code is None and _HELD_BY_LA.search(block.text)):
            continue
        yield code, block


_NO_NEEDS = re.compile(
    r"\bno\b[^.]{0,60}\bneeds?\b|\bnot? (?:have|identified|known|required)|\bnone\b|^\s*n/?a\b|"
    r"\bno (?:identified|known|current|additional)\b",
    re.I,
)
_NEED_OF = {"G": "C", "H1": "D", "H2": "D"}


def _provision_follows_no_need(plan: Plan, code: str) -> bool:
    """In side-by-side tables a provision column (G, H1, H2) stays empty when its needs column says there
    are none, or when the other social care column holds the provision."""
    need = plan.section(_NEED_OF.get(code, ""))
    if need is None:
        return False
    other = plan.section({"H1": "H2", "H2": "H1"}.get(code, ""))
    if other is not None and other.content:
        return True
    content = need.content
    return not content or all(
        _NO_NEEDS.search(b.text) or _BARE_NONE.match(b.text) for b in content if b.kind != "subheading"
    )


def _check_placeholders(plan: Plan, out: _Collector) -> None:
    extra = tuple((re.compile(p), "template field '{m}' left unfilled") for p in plan.placeholders)
    for code, block in _checked_blocks(plan):
        for pattern, message in _PLACEHOLDERS + extra:
            found = pattern.search(block.text)
            if found:
                severity = "warning" if code == "I" else "error"
                text = excerpt(block.text, found.start(), found.end())
                out.add(
                    "placeholder_text",
                    severity,
                    code,
                    block.position,
                    text,
                    message.format(m=found.group(0)),
                    block,
                )


def _context_blocks(section: Section) -> Iterable[tuple[Block, str]]:
    """Items of a section with the text of the sub-heading, lead-in and table heading that govern them."""
    heading_context = ""
    lead_in = ""
    table_head = ""
    cell: tuple[str | None, int | None] = (None, None)
    for block in section.blocks:
        text = block.text.strip()
        if block.row is not None and (block.area, block.row) != cell:
            # a side-by-side table's cell is its own item: a lead-in in one row does not govern the next
            cell = (block.area, block.row)
            lead_in = table_head = ""
        if block.kind == "subheading":
            heading_context, lead_in, table_head = text, "", ""
            continue
        if block.kind == "table_header":
            table_head = text
            continue
        if text.endswith(":") or (_LEAD_IN.search(text) and len(text.split()) <= 30 and block.kind != "table_row"):
            lead_in = text
            continue
        if len(text.split()) < 3:
            continue
        yield block, " ".join(part for part in (heading_context, lead_in, table_head) if part)


# Columns of a provision table ("What | By whom | How often | For how long"): a filled cell under one of these
# headings gives the amount or the deliverer even when the item's own words do not.
_AMOUNT_COLUMN = re.compile(
    r"how often|frequency|how long|duration|amount|how much|\bhours?\b|sessions?|timetable|\bwhen\b|ratio",
    re.I,
)
_WHO_COLUMN = re.compile(r"\bwho\b|by whom|delivered by|deliver|staff|responsib|provider|led by", re.I)


def _column_filled(block: Block, heading: re.Pattern[str]) -> bool:
    if not block.header or len(block.header) != len(block.cells):
        return False
    return any(
        heading.search(head)
        and cell.strip()
        and not _BARE_NONE.match(cell)
        and not any(flag.search(cell) for flag, _ in _FLAG_PHRASES)  # "as needed" is no amount
        for head, cell in zip(block.header, block.cells, strict=True)
    )


def _where(block: Block) -> str:
    """' (communication and interaction, row 2)' for an item of a side-by-side table, else ''."""
    if block.area is None:
        return ""
    return f" ({block.area}, row {block.row})" if block.row is not None else f" ({block.area})"


def _has_who(text: str) -> bool:
    return bool(_WHO.search(text) or _WHO_ACRONYM.search(text))


def _check_provision(plan: Plan, out: _Collector) -> None:
    section = plan.section("F")
    if section is None:
        return
    for block, context in _context_blocks(section):
        text = block.text
        quantified = bool(_QUANTITY.search(text) or _QUANTITY.search(context) or _column_filled(block, _AMOUNT_COLUMN))
        flagged: set[str] = set()
        for pattern, message in _FLAG_PHRASES:
            for found in pattern.finditer(text):
                phrase = found.group(0).lower()
                if phrase in flagged:
                    continue
                flagged.add(phrase)
                out.add(
                    "vague_provision",
                    "error",
                    "F",
                    block.position,
                    excerpt(text, found.start(), found.end()),
                    message.format(m=found.group(0)) + _where(block),
                    block,
                )
        generic = _GENERIC.search(text)
        if generic and not quantified:
            out.add(
                "vague_provision",
                "error",
                "F",
                block.position,
                excerpt(text, generic.start(), generic.end()),
                f"'{generic.group(0)}' without a quantity does not specify the provision" + _where(block),
                block,
            )
        who = _has_who(text) or _has_who(context) or _column_filled(block, _WHO_COLUMN)
        where = _where(block)
        if not quantified and not generic and not who:
            message = "no frequency, duration or amount, and no one named to deliver it" + where
            out.add("unquantified_provision", "error", "F", block.position, excerpt(text), message, block)
        elif not quantified and not generic:
            message = "no frequency, duration or amount is given" + where
            out.add("unquantified_provision", "error", "F", block.position, excerpt(text), message, block)
        elif not who:
            message = "no one is named to deliver it (who, and at what level of expertise)" + where
            out.add("unquantified_provision", "warning", "F", block.position, excerpt(text), message, block)


def _mentions(pattern: re.Pattern[str], blocks: Iterable[Block]) -> tuple[Block, re.Match[str]] | None:
    for block in blocks:
        for found in pattern.finditer(block.text):
            if not _NEGATED.search(_sentence_around(block.text, found.start())):
                return block, found
    return None


def _check_therapies(plan: Plan, out: _Collector) -> None:
    provision = plan.blocks("F")
    for therapy, pattern, severity in _THERAPIES:
        if any(pattern.search(b.text) for b in provision):
            continue
        for code in ("G", "H1", "H2", "H"):
            section = plan.section(code)
            if section is None:
                continue
            hit = _mentions(pattern, section.blocks)
            if hit is None:
                continue
            block, found = hit
            out.add(
                "therapy_outside_f",
                severity,
                _report_code(section),
                block.position,
                excerpt(block.text, found.start(), found.end()),
                f"{therapy} appears in section {code} with no matching provision in section F",
            )


def _check_outcomes(plan: Plan, out: _Collector) -> None:
    section = plan.section("E")
    if section is None:
        return
    for block, context in _context_blocks(section):
        text = block.text
        if not _OUTCOME_LIKE.search(text) or _OUTCOME_META.search(text):
            continue
        timed = bool(_TIME_FRAME.search(text) or _TIME_FRAME.search(context))
        vague = _VAGUE_OUTCOME.search(text)
        # A date's digits ("by July 2027", "Year 6") say when, not how much.
        untimed = _TIME_FRAME_NUMBERS.sub(" ", _TIME_FRAME.sub(" ", text))
        measurable = not vague or bool(_MEASURE.search(untimed))
        if not timed:
            message = "no time frame (e.g. 'by July 2027', 'by the end of Key Stage 2')"
            if not measurable:
                message += " and nothing measurable"
            out.add("outcome_not_smart", "error", "E", block.position, excerpt(text), message + _where(block), block)
        elif not measurable and vague:
            out.add(
                "outcome_not_smart",
                "warning",
                "E",
                block.position,
                excerpt(text, vague.start(), vague.end()),
                f"'{vague.group(0)}' is not measurable: say what will be seen, how often or how well" + _where(block),
                block,
            )


def _needs_in_b(section: Section) -> list[tuple[str, Block, re.Pattern[str]]]:
    """(need, the block naming it, what to look for in E and F) for each area of need in B."""
    needs: list[tuple[str, Block, re.Pattern[str]]] = []
    named: set[str] = set()
    headings = [b for b in section.blocks if b.kind == "subheading"]
    for block in headings:
        areas = [area for area, pattern in _AREA_NAMES.items() if pattern.search(block.text)]
        for area in areas:
            if area not in named:
                named.add(area)
                needs.append((area, block, _AREA_MATCH[area]))
        if not areas and _HEADED_NEED.search(block.text):
            words = [w for w in re.findall(r"[a-z][a-z-]{3,}", block.text.lower()) if w not in _STOP]
            if words:
                pattern = re.compile("|".join(re.escape(w[:-1] if w.endswith("s") else w) for w in words), re.I)
                needs.append((block.text, block, pattern))
    if not headings:
        for block in section.blocks:
            for area, pattern in _AREA_NAMES.items():
                if area not in named and pattern.search(block.text):
                    named.add(area)
                    needs.append((area, block, _AREA_MATCH[area]))
    return needs


def _check_golden_thread_rows(plan: Plan, out: _Collector) -> None:
    """Each need in a B | F | E row against its own provision and outcome (a section left wholly empty is
    section_missing's finding, not a gap in every row)."""
    provision = any(b.kind != "subheading" for b in plan.blocks("F"))
    outcomes = any(b.kind != "subheading" for b in plan.blocks("E"))
    for row in plan.rows:
        needs = row.cells.get("B")
        if not needs:
            continue
        need = needs[0]
        where = f"{row.area}, row {row.row}"
        if provision and "F" in row.cells and not row.cells["F"]:
            out.add(
                "golden_thread_gap",
                "error",
                "B",
                need.position,
                excerpt(need.text),
                f"the need in {where} has no provision beside it in F",
                need,
            )
        if outcomes and "E" in row.cells and not row.cells["E"]:
            out.add(
                "golden_thread_gap",
                "warning",
                "B",
                need.position,
                excerpt(need.text),
                f"the need in {where} has no outcome beside it in E",
                need,
            )


def _check_golden_thread(plan: Plan, out: _Collector) -> None:
    if "B" in plan.row_sections:
        _check_golden_thread_rows(plan, out)
        return
    needs_section = plan.section("B")
    if needs_section is None:
        return
    # Column headings ("Provision | Who") say nothing about which need is met.
    outcomes = [b for b in plan.blocks("E") if b.kind != "table_header"]
    provision = [b for b in plan.blocks("F") if b.kind != "table_header"]
    for need, block, pattern in _needs_in_b(needs_section):
        where = excerpt(block.text)
        if provision and not any(pattern.search(b.text) for b in provision):
            out.add(
                "golden_thread_gap",
                "error",
                "B",
                block.position,
                where,
                f"need '{need}' has no provision in F",
            )
        if outcomes and not any(pattern.search(b.text) for b in outcomes):
            out.add(
                "golden_thread_gap",
                "warning",
                "B",
                block.position,
                where,
                f"need '{need}' has no outcome in E",
            )


def _check_no_needs(plan: Plan, out: _Collector) -> None:
    for code, kind in (("C", "health"), ("D", "social care")):
        section = plan.section(code)
        if section is None:
            continue
        content = section.content
        if not content:
            out.add(
                "no_needs_statement",
                "error",
                code,
                -1,
                excerpt(section.heading),
                f"section {code} is empty: say explicitly if there are no {kind} needs",
            )
        elif all(_BARE_NONE.match(b.text) for b in content):
            out.add(
                "no_needs_statement",
                "warning",
                code,
                content[0].position,
                excerpt(content[0].text),
                f"'{content[0].text.strip()}' is not a statement: say explicitly that there are no {kind} needs",
            )


def _check_identifiers(plan: Plan, detect: Detect, out: _Collector) -> None:
    for code, block in _checked_blocks(plan):
        hits = [h for h in detect(block.text) if 0 <= int(h.start) < int(h.end) <= len(block.text)]
        if not hits:
            continue
        safe = _mask_hits(block.text, hits)
        for hit in hits:
            kind = str(hit.kind)
            confidence = float(getattr(hit, "confidence", 1.0))
            out.add(
                "pii_leak",
                "error" if confidence >= 0.8 else "warning",
                code,
                block.position,
                excerpt(safe, hit.start, hit.end),
                f"{_KIND_LABEL.get(kind, kind)} appears in the draft",
            )


# -- what the field's validators look for ----------------------------------------------------------

_DRAFTING_TOOL = re.compile(
    r"\bas an ai(?: language model| assistant)?\b|\bi(?: am|'m) (?:an ai|a language model)\b|"
    r"\b(?:information|details?|this) (?:was |were |is |are )?not (?:provided|given|available|included|"
    r"specified|stated) in the (?:source |provided |supplied )?(?:documents?|advice|reports?|bundle|information)|"
    r"\bbased on the (?:provided|supplied|available) (?:documents|information)\b|"
    r"\bas of my (?:last )?(?:knowledge|training)\b|\bI (?:cannot|can't|am unable to) (?:provide|access|"
    r"determine|verify)\b|\bhere is (?:a|the) (?:draft|revised|suggested)\b|\bcertainly[,!] here\b",
    re.I,
)
_NAME_PROMPT = re.compile(
    r"[\[<]\s*(?:child'?s|young person'?s|cyp'?s?|pupil'?s|student'?s)?\s*(?:first |full )?name\s*[\]>]", re.I
)
# Medicines that turn up in children's plans: the plan specifies provision, the prescription is the
# clinician's, so naming one is a warning (it ties the plan to a prescription that will change).
_MEDICINES = re.compile(
    r"\b(?:methylphenidate|ritalin|concerta|equasym|medikinet|xaggitin|delmosart|elvanse|lisdexamfetamine|"
    r"dexamfetamine|atomoxetine|strattera|guanfacine|intuniv|melatonin|circadin|slenyto|sertraline|fluoxetine|"
    r"citalopram|risperidone|aripiprazole|quetiapine|sodium valproate|epilim|levetiracetam|keppra|lamotrigine|"
    r"carbamazepine|tegretol|ethosuximide|topiramate|clobazam|midazolam|buccolam|diazepam|salbutamol|ventolin|"
    r"beclometasone|clenil|insulin|glucagon|adrenaline auto-?injector|epipen|jext|baclofen|botulinum|botox|"
    r"macrogol|movicol|laxido|hydrocortisone|omeprazole|gaviscon|cetirizine|paracetamol|ibuprofen|calpol)\b",
    re.I,
)


def _check_drafting_tool_text(plan: Plan, out: _Collector) -> None:
    for code, block in _checked_blocks(plan):
        found = _DRAFTING_TOOL.search(block.text)
        if found:
            out.add(
                "drafting_tool_text",
                "error",
                code,
                block.position,
                excerpt(block.text, found.start(), found.end()),
                f"'{found.group(0)}' is a drafting tool's text, not the plan's",
                block,
            )
        named = _NAME_PROMPT.search(block.text) if plan.name_field else None
        if named:
            out.add(
                "drafting_tool_text",
                "error",
                code,
                block.position,
                excerpt(block.text, named.start(), named.end()),
                f"'{named.group(0)}' left in: the template has a name field, so write the name the plan uses",
                block,
            )


def _check_medicines(plan: Plan, out: _Collector) -> None:
    for code, block in _checked_blocks(plan):
        found = _MEDICINES.search(block.text)
        if found:
            out.add(
                "named_medicine",
                "warning",
                code,
                block.position,
                excerpt(block.text, found.start(), found.end()),
                f"'{found.group(0)}' is a named medicine: a plan sets out provision, not prescriptions",
                block,
            )


def _need_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def _check_need_in_two_areas(plan: Plan, out: _Collector) -> None:
    """The same need written under two areas of need (a copy-and-paste a validator spots at once)."""
    seen: dict[str, str] = {}
    area = None
    for block in plan.blocks("B"):
        if block.area is None and block.kind == "subheading":
            area = next((a for a, p in AREA_NAMES.items() if p.search(block.text)), area)
        where = block.area or area
        key = _need_key(block.text)
        if where is None or block.kind == "subheading" or len(key.split()) < 6:
            continue
        first = seen.setdefault(key, where)
        if first != where:
            out.add(
                "need_in_two_areas",
                "warning",
                "B",
                block.position,
                excerpt(block.text),
                f"the same need is written under {first} and under {where}",
                block,
            )


def _cite(sentence: AdviceSentence, detect: Detect) -> str:
    """'<document>, page N: <excerpt>', the excerpt's identifiers masked: advice is about a named child."""
    return f"{sentence.document}, page {sentence.page}: {excerpt(masked(sentence.text, detect), width=ADVICE_EXCERPT)}"


def _check_advice(traces: Sequence[Trace], missing: Sequence[AdviceSentence], detect: Detect, out: _Collector) -> None:
    for item in traces:
        block = item.block
        if item.source is None:
            out.add(
                "provision_not_in_advice",
                "warning",
                item.section,
                block.position,
                excerpt(block.text),
                "no advice in the bundle mentions this provision" + _where(block),
                block,
            )
        elif item.unsupported:
            given = ", ".join(f"'{u}'" for u in item.unsupported)
            out.add(
                "provision_not_in_advice",
                "warning",
                item.section,
                block.position,
                excerpt(block.text),
                f"{given} is in no advice this provision came from" + _where(block),
                block,
                _cite(item.source, detect),
            )
    for sentence in missing:
        out.add(
            "advice_not_in_plan",
            "warning",
            "F",
            10**9,
            excerpt(masked(sentence.text, detect)),
            f"a recommendation in {sentence.document} (page {sentence.page}) is carried by no provision",
            None,
            _cite(sentence, detect),
        )


def _provision(item: Trace, detect: Detect) -> Provision:
    source = item.source
    return Provision(
        item.section,
        item.block.area,
        item.block.row,
        masked(item.block.text, detect),
        None
        if source is None
        else ProvisionSource(
            source.document, source.document_id, source.page, excerpt(masked(source.text, detect), width=ADVICE_EXCERPT)
        ),
    )


def run_checks(
    plan: Plan,
    front_sheet: FrontSheet | None,
    detect: Detect | None = None,
    advice: Sequence[AdviceDocument] | None = None,
) -> list[Finding]:
    """Every automated check on a draft, in a stable order: by section (A-K, unsectioned first), then
    by position in the document, then by check. `detect` finds identifiers in a text (objects with kind,
    start, end, confidence); by default the screening detectors' `scan_text`. `advice`: the bundle's advice,
    to trace each item of provision to (None: not traced)."""
    return check_plan(plan, front_sheet, detect, advice).findings


def check_plan(
    plan: Plan,
    front_sheet: FrontSheet | None,
    detect: Detect | None = None,
    advice: Sequence[AdviceDocument] | None = None,
) -> QaResult:
    """`run_checks`, and each item of provision in F and G with the advice it came from (its source is None
    when no advice carries it, or when no advice was given). Excerpts mask the identifiers `detect` finds."""
    detect = detect or scan_text
    traces, missing = trace(plan, advice or [])
    out = _Collector()
    _check_sections(plan, out)
    _check_placeholders(plan, out)
    _check_provision(plan, out)
    _check_therapies(plan, out)
    _check_outcomes(plan, out)
    _check_golden_thread(plan, out)
    _check_no_needs(plan, out)
    _check_identifiers(plan, detect, out)
    _check_drafting_tool_text(plan, out)
    _check_need_in_two_areas(plan, out)
    _check_medicines(plan, out)
    if advice is not None:
        _check_advice(traces, missing, detect, out)
    if front_sheet is None:
        out.add(
            "front_sheet_missing",
            "error",
            None,
            -1,
            "",
            "no front sheet: the writer's queries, missing advice and notes for the LA must come with the draft",
        )
    return QaResult(out.findings(), [_provision(item, detect) for item in traces])
