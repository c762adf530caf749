"""Seeded drafts written on the DfE draft national template, clean and with planted defects, for the QA benchmark.

Each draft is the blank template from ../shared/templates/ filled in with python-docx the way different
writers fill it: one need a row or several, provision as one sentence, as "what / who / how often" lines or
as short bullets; unused rows deleted, emptied or left with their {{ fields }}; unused areas' tables left
as they are or deleted; personal details left as the LA's fields, marked as held by the LA, or filled by
the LA. Plan wording comes from the same pools as qa_drafts.py; defects are planted in the cells a writer
would get wrong, and labelled with the (check, section) pairs a careful reviewer would raise.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.table import Table, _Cell
from faker import Faker

from contracts.qa import FrontSheet
from tests.benchmarks.qa_drafts import (
    AREAS,
    FREQ,
    NEEDS,
    OUTCOMES,
    THERAPY_AREA,
    THERAPY_WHAT,
    THERAPY_WHO,
    VAGUE_FREQ,
    VAGUE_OUTCOMES,
    WHAT,
    _Builder,
    _nhs_number,
    planted_defects,
)

TEMPLATE = Path(__file__).resolve().parents[3] / "shared" / "templates" / "dfe-change-programme-ehcp-template.docx"
# The template's tables in order: personal details, services, A1, A2, four areas, C|G|E, D|H1|H2|E, I, J, K, sign-off.
AREA_TABLE = {"ci": 4, "cl": 5, "semh": 6, "sp": 7}
STRENGTHS = {
    "ci": "{n} is keen to communicate with familiar adults and uses gesture and pictures well.",
    "cl": "{n} has a good visual memory and enjoys practical, hands-on learning.",
    "semh": "{n} is kind and caring towards younger children and responds well to praise.",
    "sp": "{n} is determined and will keep trying with physical tasks.",
}
WRITERS = ("sentence", "labelled", "bullets", "terse")


@dataclass
class NationalDraft:
    """A draft on the national template: its bytes, front sheet and the findings it should raise."""

    data: bytes
    front_sheet: FrontSheet | None
    expected: set[tuple[str, str | None]] = field(default_factory=set)
    planted: list[str] = field(default_factory=list)
    style: str = "dfe-national"


def available() -> bool:
    return TEMPLATE.exists()


def _set(cell: _Cell, paragraphs: list[str]) -> None:
    """Replace a cell's text with these paragraphs, keeping the first paragraph's formatting."""
    first = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for run in first.runs[1:]:
        run._element.getparent().remove(run._element)
    if first.runs:
        first.runs[0].text = paragraphs[0] if paragraphs else ""
    elif paragraphs:
        first.add_run(paragraphs[0])
    for text in paragraphs[1:]:
        cell.add_paragraph(text)


def _delete_row(table: Table, index: int) -> None:
    row = table.rows[index]._tr
    row.getparent().remove(row)


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.b = _Builder(rng)
        self.style = rng.choice(WRITERS)

    def provision(
        self, area: str, *, what: str | None = None, who: str | None = "", freq: str | None = ""
    ) -> list[str]:
        """One item of provision as this writer sets it out in a cell."""
        b, rng = self.b, self.rng
        what = b.fmt(what if what is not None else rng.choice(WHAT[area]))
        who = b.who(area) if who == "" else who
        freq = rng.choice(FREQ) if freq == "" else freq
        if self.style == "labelled" and who is not None and freq is not None:
            return [
                b.fill(f"What: {what}."),
                b.fill(f"Who: {who}."),
                b.fill(f"How often: {freq.removeprefix('for ')}."),
            ]
        if self.style == "bullets" and who is not None and freq is not None:
            return [b.fill(f"{what} {freq}"), b.fill(f"delivered by {who}")]
        if self.style == "terse" and who is not None and freq is not None:
            return [b.fill(f"{what}, {who}, {freq.removeprefix('for ')}.")]
        return [b.provision(area, what=what, who=who, freq=freq)]

    def outcome(self, area: str) -> list[str]:
        return [self.b.outcome(area)]


def build(rng: random.Random, defects: list[str]) -> NationalDraft:
    """One draft on the national template with these defects planted."""
    document = docx.Document(str(TEMPLATE))
    w = _Writer(rng)
    b = w.b
    tables = document.tables
    expected: set[tuple[str, str | None]] = set()
    planted: list[str] = []
    areas = sorted(rng.sample(AREAS, rng.choice((1, 2, 2, 3, 4))), key=AREAS.index)
    excluded = rng.choice(("salt", "ot")) if "therapy_outside_f" in defects else None
    b.avoid = {"salt": "speech", "ot": "occupational", None: None}[excluded]
    fake = Faker("en_GB")
    fake.seed_instance(rng.randrange(1 << 30))

    # Personal details: the LA's fields.
    personal = rng.choice(("leave", "held", "blank", "filled"))
    for table in tables[:2]:
        for row in table.rows:
            for cell in row.cells:
                if "{{" not in cell.text:
                    continue
                if personal == "held":
                    _set(cell, ["Held by the LA"])
                elif personal == "blank":
                    _set(cell, [])
                elif personal == "filled":
                    key = cell.text
                    value = (
                        fake.name()
                        if "name" in key
                        else fake.date_of_birth(minimum_age=5, maximum_age=16).strftime("%d/%m/%Y")
                        if "birth" in key
                        else _nhs_number(rng)
                        if "nhs" in key
                        else fake.email()
                        if "email" in key
                        else fake.phone_number()
                        if "telephone" in key
                        else fake.address().replace("\n", ", ")
                        if "address" in key
                        else rng.choice(("No", "Yes", "English", "White British", "Female", "Male"))
                    )
                    _set(cell, [value])

    # A1 history, A2 views.
    _set(
        tables[2].rows[1].cells[1],
        [
            b.fill(
                rng.choice(
                    (
                        "{n} lives with {pos} mother and two younger sisters and attends a mainstream primary school.",
                        "{n} was referred to the speech and language service at the age of three.",
                        "{n} joined {pos} current school in Year 2 after a move from another county.",
                    )
                )
            ),
            b.fill(
                rng.choice(
                    (
                        "Concerns about {pos} learning were first raised in Reception.",
                        "{pos} family describe a happy child who finds school tiring.",
                        "",
                    )
                )
            ),
        ],
    )
    a2 = tables[3]
    _set(
        a2.rows[3].cells[0],
        [
            b.fill("{n} says: 'I like drawing and my dog. I don't like loud rooms.'"),
            b.fill("{pos} parents would like {o} to make friends and feel safe at school."),
        ],
    )
    _set(
        a2.rows[5].cells[0], [b.fill(rng.choice(("Football, Minecraft and animals.", "{n} loves swimming and Lego.")))]
    )
    _set(a2.rows[7].cells[0], [b.fill("{n} is funny, kind and good at remembering facts.")])
    _set(a2.rows[9].cells[0], [b.fill(rng.choice(("{n} wants to be a vet.", "{n} would like to work with cars.")))])

    # B | F | E, one table per area.
    unused_rows = rng.choice(("delete", "clear", "leave"))
    unused_areas = rng.choice(("leave", "delete", "clear"))
    therapies = {t for t in ("salt", "ot") if THERAPY_AREA[t] in areas and t != excluded and rng.random() < 0.5}
    rows_of: dict[str, list[tuple[_Cell, _Cell, _Cell]]] = {}
    for area, index in AREA_TABLE.items():
        table = tables[index]
        if area not in areas:
            if unused_areas == "clear":
                for row in table.rows[4:]:
                    for cell in row.cells:
                        _set(cell, [])
                _set(table.rows[2].cells[0], [])
            continue
        _set(table.rows[2].cells[0], [b.fill(STRENGTHS[area])])
        count = rng.choice((1, 2, 2, 3, 4))
        needs = rng.sample(NEEDS[area], min(count, len(NEEDS[area])))
        outcomes = rng.sample(OUTCOMES[area], len(needs))
        filled: list[tuple[_Cell, _Cell, _Cell]] = []
        for number, (need, body) in enumerate(zip(needs, outcomes, strict=True)):
            cells = table.rows[4 + number].cells
            _set(cells[0], [b.fill(need)])
            items = w.provision(area)
            for therapy in sorted(therapies):
                if THERAPY_AREA[therapy] == area and number == 0:
                    items += w.provision(area, what=rng.choice(THERAPY_WHAT[therapy]), who=THERAPY_WHO[therapy])
            _set(cells[1], items)
            outcome = b.fill(
                rng.choice(
                    (
                        f"By July 2027, {{n}} will {body}.",
                        f"{{n}} will {body} by the end of the academic year.",
                        f"By {b.pos} next annual review, {{n}} will {body}.",
                        f"Within 12 months {{n}} will {body}.",
                    )
                )
            )
            _set(cells[2], [outcome])
            filled.append((cells[0], cells[1], cells[2]))
        rows_of[area] = filled
        spare = list(range(4 + len(needs), 14))
        if unused_rows == "delete":
            for index_ in reversed(spare):
                _delete_row(table, index_)
        elif unused_rows == "clear":
            for index_ in spare:
                for cell in table.rows[index_].cells:
                    _set(cell, [])
    if unused_areas == "delete":
        for area in AREAS:
            if area not in areas:
                element = tables[AREA_TABLE[area]]._tbl
                element.getparent().remove(element)

    # C | G | E and D | H1 | H2 | E (tables found again: some may have been deleted above).
    tables = document.tables
    health = next(t for t in tables if len(t.rows) > 2 and t.rows[2].cells[0].text.startswith("C "))
    social = next(t for t in tables if len(t.rows) > 2 and t.rows[2].cells[0].text.startswith("D "))
    for table in (health, social):
        _set(table.rows[1].cells[0], [])
        for row in table.rows[4:]:
            for cell in row.cells:
                _set(cell, [] if unused_rows != "leave" else [cell.text])
    health_row = health.rows[3].cells
    if rng.random() < 0.3:
        _set(health_row[0], [b.fill("{n} has epilepsy, which is well controlled; seizures are rare at school.")])
        _set(health_row[1], ["The epilepsy nurse will train school staff in the care plan once a year."])
        _set(health_row[2], [b.fill("By July 2027, {n} will tell an adult when {p} feels an aura coming on.")])
    else:
        _set(
            health_row[0],
            [
                b.fill(
                    rng.choice(
                        (
                            "{n} has no health care needs relating to {pos} special educational needs.",
                            "No health care needs have been identified.",
                        )
                    )
                )
            ],
        )
        _set(health_row[1], rng.choice(([], ["None required."], ["No health care provision is required."])))
        _set(health_row[2], [])
    social_row = social.rows[3].cells
    _set(
        social_row[0],
        [
            b.fill(
                rng.choice(
                    (
                        "{n} has no identified social care needs.",
                        "No social care needs have been identified.",
                    )
                )
            )
        ],
    )
    _set(social_row[1], rng.choice(([], ["None."], ["No provision under section 2 of the CSDPA 1970."])))
    _set(social_row[2], rng.choice(([], ["No other social care provision is required."])))
    _set(social_row[3], [])

    # I, J, K.
    tables = document.tables
    placement = next(t for t in tables if t.rows[0].cells[0].text.strip() == "Name")
    _set(placement.rows[0].cells[1], [rng.choice(("To be named in the final plan.", "Oakfield Primary School"))])
    _set(placement.rows[1].cells[1], [rng.choice(("Mainstream primary", "To be confirmed in the final plan"))])
    budget = next(t for t in tables if t.rows[0].cells[0].text.strip() == "Details")
    _set(
        budget.rows[0].cells[1],
        [
            rng.choice(
                (
                    "No personal budget has been requested.",
                    "The family have not asked for a personal budget.",
                )
            )
        ],
    )
    advice = next(t for t in tables if t.rows[0].cells[0].text.startswith("Advice and information"))
    for index, (what, who) in enumerate(
        (
            ("Parent and child views", "Parents"),
            ("Educational advice", "SENDCo, current school"),
            ("Educational psychologist", "Educational Psychology Service"),
            ("Medical advice", "Community paediatrician"),
        )
    ):
        cells = advice.rows[1 + index].cells
        if index < 3:
            _set(cells[0], [what])
        _set(cells[1], [f"{rng.randint(1, 28)} {rng.choice(('March', 'April', 'May'))} 2026"])
        _set(cells[2], [who])
        _set(cells[3], ["Yes"])

    front: FrontSheet | None = FrontSheet(queries=[], missing_advice=[], notes="Drafted from the full bundle.")
    first_area = areas[0]
    first_row = rows_of[first_area][0]

    for check in defects:
        planted.append(check)
        if check == "front_sheet_missing":
            front = None
            expected.add((check, None))
        elif check == "section_missing":
            code = rng.choice(("A", "E", "F", "J", "K"))
            if code == "A":
                _set(tables[2].rows[1].cells[1], [])
                for index in (3, 5, 7, 9):
                    _set(tables[3].rows[index].cells[0], [])
            elif code in ("E", "F"):
                column = {"F": 1, "E": 2}[code]
                for filled in rows_of.values():
                    for cells in filled:
                        _set(cells[column], [])
                if code == "E":
                    for cell in (health_row[2], social_row[3]):
                        _set(cell, [])
            elif code == "J":
                _set(budget.rows[0].cells[1], [])
            else:
                for row in advice.rows[1:5]:
                    for cell in row.cells:
                        _set(cell, [])
            expected.add((check, code))
        elif check == "no_needs_statement":
            cell, code = rng.choice(((health_row[0], "C"), (social_row[0], "D")))
            _set(cell, rng.choice(([], ["N/A"], ["None"], ["-"])))
            if code == "C":
                _set(health_row[1], [])
                _set(health_row[2], [])
            expected.add((check, code))
        elif check == "placeholder_text":
            kind = rng.randrange(5)
            if kind == 0:
                _set(first_row[2], ["{{ " + first_area.replace("ci", "communication_interaction") + "_outcome_1 }}"])
                expected.add((check, "E"))
            elif kind == 1:
                cell = rows_of[areas[-1]][-1][0]
                _set(cell, [cell.text, "Cognitive assessment results: TBC."])
                expected.add((check, "B"))
            elif kind == 2:
                _set(first_row[1], w.provision(first_area, freq="for XX minutes weekly"))
                expected.add((check, "F"))
            elif kind == 3:
                _set(tables[3].rows[5].cells[0], [b.fill("[Insert {n}'s interests from the My Views form]")])
                expected.add((check, "A"))
            else:
                _set(budget.rows[0].cells[1], ["Click or tap here to enter text."])
                expected.add((check, "J"))
        elif check == "vague_provision":
            area = rng.choice(areas)
            cells = rng.choice(rows_of[area])
            kind = rng.randrange(4)
            if kind == 0:
                items = w.provision(
                    area, what=rng.choice(("access to a quiet space", "opportunities for small-group work"))
                )
            elif kind == 1:
                wording, unquantified = rng.choice(VAGUE_FREQ)
                items = [b.provision(area, freq=wording)]
                if unquantified:
                    expected.add(("unquantified_provision", "F"))
            elif kind == 2:
                items = [b.fill(f"Visual supports such as a visual timetable, used by {b.who(area)} in every lesson.")]
            else:
                items = [b.fill(f"{{n}} would benefit from {rng.choice(WHAT[area])} {rng.choice(FREQ)}.")]
                expected.add(("unquantified_provision", "F"))
            _set(cells[1], items)
            expected.add((check, "F"))
        elif check == "unquantified_provision":
            area = rng.choice(areas)
            cells = rng.choice(rows_of[area])
            kind = rng.randrange(3)
            if kind == 0:
                items = [b.provision(area, freq=None)]
            elif kind == 1:
                items = [
                    b.fill(
                        rng.choice(
                            ("{n} will use a writing slope and pencil grip.", "Movement breaks between activities.")
                        )
                    )
                ]
            else:
                items = [b.fill(f"{b.who(area)} will advise staff on strategies.")]
            _set(cells[1], items)
            expected.add((check, "F"))
        elif check == "therapy_outside_f":
            text = {
                "salt": "The community speech and language therapy team will see {n} 6 times a term.",
                "ot": "An occupational therapist will see {n} in clinic twice a year.",
                None: "The community speech and language therapy team will see {n} 6 times a term.",
            }[excluded]
            provided = any(
                "speech" in c[1].text.lower() or "salt" in c[1].text.lower() for f in rows_of.values() for c in f
            )
            if excluded is None and provided:
                continue  # the draft already provides SALT in F: nothing is outside F
            _set(health_row[1], [b.fill(text)])
            if not health_row[0].text.strip() or "no " in health_row[0].text.lower():
                _set(
                    health_row[0],
                    [b.fill("{n} has a speech sound disorder under the NHS speech and language therapy service.")],
                )
            expected.add((check, "G"))
        elif check == "outcome_not_smart":
            area = rng.choice(areas)
            cells = rng.choice(rows_of[area])
            _set(cells[2], [b.fill(f"{{n}} will {rng.choice(VAGUE_OUTCOMES)}.")])
            expected.add((check, "E"))
        elif check == "golden_thread_gap":
            area = rng.choice(areas)
            filled = rows_of[area]
            cells = rng.choice(filled)
            if (
                len([c for c in filled if c[1].text.strip()])
                + sum(1 for a in areas if a != area for c in rows_of[a] if c[1].text.strip())
                <= 1
            ):
                continue  # emptying the only provision would make F missing, not a gap
            _set(cells[1], [])
            expected.add((check, "B"))
        elif check == "pii_leak":
            kind = rng.randrange(3)
            if kind == 0:
                cell = tables[2].rows[1].cells[1]
                _set(cell, [cell.text, f"NHS number {_nhs_number(rng)}."])
                expected.add((check, "A"))
            elif kind == 1:
                cell = first_row[0]
                _set(cell, [cell.text + f" {b.name}'s mother can be reached on 07700 900{rng.randint(100, 999)}."])
                expected.add((check, "B"))
            else:
                cell = tables[3].rows[3].cells[0]
                _set(cell, [cell.text, f"Contact: {fake.email()}"])
                expected.add((check, "A"))
    out = io.BytesIO()
    document.save(out)
    return NationalDraft(out.getvalue(), front, expected, planted)


def generate(count: int, seed: int) -> list[NationalDraft]:
    """`count` drafts: about a third clean, the rest with one or two planted defects of the original checks."""
    rng = random.Random(seed)
    return [build(rng, planted_defects(rng, index)) for index in range(count)]
