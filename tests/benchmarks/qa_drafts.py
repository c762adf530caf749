"""Seeded synthetic draft plans with planted defects and their labels, for the QA benchmark.

Each draft is built from realistic plan language (needs, outcomes and provision for two to four of the
four broad areas, composed from parts so the wording varies), written as a real DOCX in one of four
template styles, and labelled with the (check, section) pairs a careful reviewer would raise. Defects are
planted on purpose, including hard ones the checks are not expected to catch (a vague phrase outside
DOMAIN.md's list, a phone number the fallback detector does not know, a deliverer named only inside the
name of a programme), and clean drafts carry hard negatives ("access to the curriculum", a time frame
given once in a lead-in, "Monday to Friday" as a frequency).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from faker import Faker

from contracts.qa import FrontSheet
from service.qa.checks import CHECKS
from tests.qa.drafting import STYLES, Content, Row, Sub, write_draft

AREAS = ("ci", "cl", "semh", "sp")
AREA_HEADINGS: dict[str, tuple[str, ...]] = {
    "ci": (
        "Communication and interaction",
        "Communication and Interaction needs",
        "Speech, language and communication",
    ),
    "cl": ("Cognition and learning", "Cognition and Learning", "Learning (cognition and learning)"),
    "semh": ("Social, emotional and mental health", "SEMH", "Social, Emotional and Mental Health needs"),
    "sp": ("Sensory and/or physical", "Sensory and physical needs", "Physical and sensory"),
}
AREA_PROSE: dict[str, str] = {
    "ci": "communication and interaction",
    "cl": "cognition and learning",
    "semh": "social, emotional and mental health",
    "sp": "sensory and/or physical needs",
}
NEEDS: dict[str, tuple[str, ...]] = {
    "ci": (
        "{n} has a diagnosis of autism and finds it difficult to start and maintain interactions with peers.",
        "{n}'s receptive language is significantly below age expectations; {p} often misunderstands "
        "instructions given to the whole class.",
        "{n} speaks in two- to three-word phrases and relies on gesture to make {pos} needs known.",
        "{n} has a developmental language disorder affecting vocabulary and sentence structure.",
    ),
    "cl": (
        "{n} is working well below age-related expectations in reading, writing and maths.",
        "{n} has a specific learning difficulty (dyslexia); {pos} phonological awareness and working memory "
        "are weak.",
        "Assessment by the educational psychologist places {n}'s verbal reasoning in the low range.",
        "{n} finds it hard to retain new learning and needs frequent repetition.",
    ),
    "semh": (
        "{n} experiences high levels of anxiety, particularly at transitions and unstructured times.",
        "{n} can become dysregulated when demands feel too high and may leave the classroom.",
        "{n} has low self-esteem and describes {pos}self as 'rubbish at everything'.",
        "{n} finds friendships hard to sustain and is often alone at lunchtime.",
    ),
    "sp": (
        "{n} has a moderate bilateral hearing loss and wears hearing aids.",
        "{n} has difficulties with fine motor skills; handwriting is slow and effortful.",
        "{n} has cerebral palsy affecting {pos} lower limbs and uses a walking frame.",
        "{n} is over-sensitive to noise and touch, which affects {pos} ability to stay in class.",
    ),
}
OUTCOMES: dict[str, tuple[str, ...]] = {
    "ci": (
        "start a conversation with a familiar peer and keep it going for three turns",
        "use three-word sentences to make requests in class",
        "follow a two-step instruction given to the whole class without an adult repeating it",
        "ask for help using {pos} help card in 4 out of 5 lessons",
    ),
    "cl": (
        "read a book at Oxford Reading Tree level 10 with 95% accuracy",
        "write a paragraph of five sentences using capital letters and full stops",
        "recall number bonds to 20 within 10 seconds",
        "spell 80% of the Year 3 and 4 statutory spellings correctly",
    ),
    "semh": (
        "name three strategies that help {o} feel calm and use one without prompting",
        "stay in class for the whole of a 60-minute lesson on 4 days out of 5",
        "join a lunchtime club with a friend at least twice a week",
        "tell a trusted adult when {p} is worried, using words or a feelings card",
    ),
    "sp": (
        "use {pos} radio aid independently in every lesson",
        "write for 10 minutes without pain using a sloped board and pencil grip",
        "move between lessons safely and independently using the lift",
        "dress and undress for PE within 10 minutes",
    ),
}
VAGUE_OUTCOMES: tuple[str, ...] = (
    "improve {pos} confidence",
    "develop {pos} social skills",
    "feel happier at school",
    "make good progress in reading",
    "be more independent",
    "understand {pos} emotions",
)
# Unmeasurable in fact, but in words the check does not know: the benchmark's hard cases.
HARD_VAGUE_OUTCOMES: tuple[str, ...] = (
    "manage {pos} feelings better",
    "have a positive attitude to learning",
)
TIME_FRAMES_PREFIX: tuple[str, ...] = (
    "By the end of Key Stage 2",
    "By July 2027",
    "By the end of Year 6",
    "Within the next 12 months",
    "By the end of the academic year",
    "By the end of the summer term 2027",
    "By {pos} next annual review",
    "Within two terms",
)
TIME_FRAMES_SUFFIX: tuple[str, ...] = (
    "by the end of Key Stage 3",
    "by July 2028",
    "by the time {p} leaves primary school",
    "within 6 months",
    "by the end of Year 9",
)
# Time frames written in ways the check does not read: clean in truth, hard for the check.
HARD_TIME_FRAMES: tuple[str, ...] = ("Over the course of Year 5", "In two years' time")

WHAT: dict[str, tuple[str, ...]] = {
    "ci": (
        "a Lego-based social skills group",
        "Attention Autism sessions",
        "pre-teaching of topic vocabulary",
        "a narrative programme",
        "a social communication group with two peers",
        "Colourful Semantics sessions",
    ),
    "cl": (
        "precision teaching of high-frequency words",
        "small-group phonics teaching (no more than four pupils)",
        "a structured multisensory literacy programme",
        "a Numicon maths intervention",
        "paired reading",
        "overlearning of key spellings",
    ),
    "semh": (
        "a 1:1 check-in",
        "sessions on naming and managing feelings",
        "a mentoring session",
        "a nurture group",
        "Zones of Regulation teaching",
        "a planned movement and regulation break",
    ),
    "sp": (
        "a sensory circuit",
        "a fine motor skills group",
        "touch-typing practice",
        "checks of {pos} hearing aids and radio aid",
        "mobility training around the school site",
        "handwriting practice on a sloped board",
    ),
}
THERAPY_WHAT: dict[str, tuple[str, ...]] = {
    "salt": (
        "individual speech and language therapy",
        "practice of the speech and language therapist's targets",
    ),
    "ot": (
        "the occupational therapist's handwriting programme",
        "a sensory diet devised by the occupational therapist",
    ),
    "physio": ("the physiotherapist's exercise programme",),
}
THERAPY_AREA = {"salt": "ci", "ot": "sp", "physio": "sp"}
THERAPY_WHO = {
    "salt": "a speech and language therapist",
    "ot": "an occupational therapist",
    "physio": "a physiotherapist",
}
WHO: dict[str, tuple[str, ...]] = {
    "ci": (
        "a trained teaching assistant",
        "the class teacher",
        "an HLTA",
        "a specialist teacher from the Autism Outreach Team",
        "a TA trained by the speech and language therapist",
    ),
    "cl": (
        "a trained TA",
        "a qualified teacher",
        "a Level 3 teaching assistant",
        "a specialist dyslexia teacher",
        "an adult trained in precision teaching",
    ),
    "semh": (
        "a named key adult",
        "a trained ELSA",
        "the school's learning mentor",
        "a TA trained in emotion coaching",
        "the SENDCo",
    ),
    "sp": (
        "a trained TA",
        "a qualified teacher of the deaf",
        "a habilitation specialist",
        "a TA trained by the occupational therapist",
    ),
}
FREQ: tuple[str, ...] = (
    "for 20 minutes daily",
    "three times a week for 30 minutes",
    "for 45 minutes each week",
    "every morning for 10 minutes",
    "in two 15-minute sessions per week",
    "for one hour each half term",
    "weekly, in 40-minute sessions, for 12 weeks",
    "for 10 minutes at the start of each school day",
    "fortnightly for 30 minutes",
    "for 15 minutes, four times weekly",
    "for 6 sessions each term",
    "twice daily for 10 minutes",
)
HARD_FREQ: tuple[str, ...] = ("Monday to Friday, before registration", "on alternate mornings")
VAGUE_FREQ: tuple[tuple[str, bool], ...] = (  # (wording, also unquantified in truth)
    ("regularly", True),
    ("as needed", True),
    ("when required", True),
    ("as appropriate", True),
    ("on a regular basis", True),
    ("up to three times a week", False),
)
HARD_VAGUE_FREQ: tuple[str, ...] = ("frequently", "little and often", "when staff feel it would help")

PSEUDONYMS = ("Child A", "Child K", "Pupil Z", "the young person")


@dataclass
class Draft:
    """A synthetic draft: its sections, how to write it, its front sheet and the findings it should raise."""

    sections: dict[str, list[Content]]
    style: str
    variant: int
    front_sheet: FrontSheet | None
    expected: set[tuple[str, str | None]] = field(default_factory=set)
    planted: list[str] = field(default_factory=list)
    header: str | None = None

    def docx(self) -> bytes:
        return write_draft(self.sections, self.style, variant=self.variant, header=self.header)


def _nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            text = "".join(map(str, digits)) + str(check)
            return f"{text[:3]} {text[3:6]} {text[6:]}"


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.name = rng.choice(PSEUDONYMS)
        he = rng.choice(("he", "she", "they"))
        self.p = he
        self.pos = {"he": "his", "she": "her", "they": "their"}[he]
        self.o = {"he": "him", "she": "her", "they": "them"}[he]
        self.avoid: str | None = None  # a therapy the draft must not name in F

    def fmt(self, text: str) -> str:
        out = text.format(n=self.name, p=self.p, pos=self.pos, o=self.o)
        out = (
            out.replace("they has", "they have")
            .replace("they is", "they are")
            .replace("theirself", "themself")
        )
        return out.replace("hisself", "himself")

    def fill(self, text: str) -> str:
        out = self.fmt(text)
        return out[0].upper() + out[1:] if out else out

    def who(self, area: str) -> str:
        return self.rng.choice([w for w in WHO[area] if not (self.avoid and self.avoid in w)])

    def provision(
        self, area: str, *, what: str | None = None, who: str | None = "", freq: str | None = ""
    ) -> str:
        rng = self.rng
        what = self.fmt(what if what is not None else rng.choice(WHAT[area]))
        who = self.who(area) if who == "" else who
        freq = rng.choice(FREQ) if freq == "" else freq
        if who is None and freq is None:
            return self.fill(f"{{n}} will have {what}.")
        if who is None:
            return self.fill(rng.choice((f"{{n}} will receive {what} {freq}.", f"{what} {freq}.")))
        if freq is None:
            return self.fill(rng.choice((f"{who} will deliver {what}.", f"{what}, delivered by {who}.")))
        return self.fill(
            rng.choice(
                (
                    f"{who} will deliver {what} {freq}.",
                    f"{what}, delivered by {who}, {freq}.",
                    f"{{n}} will receive {what} from {who} {freq}.",
                )
            )
        )

    def outcome(self, area: str) -> str:
        rng = self.rng
        body = rng.choice(OUTCOMES[area])
        if rng.random() < 0.5:
            return self.fill(f"{rng.choice(TIME_FRAMES_PREFIX)}, {{n}} will {body}.")
        return self.fill(f"{{n}} will {body} {rng.choice(TIME_FRAMES_SUFFIX)}.")


def build_draft(rng: random.Random, defects: list[str]) -> Draft:
    """A draft with the given defects planted (names of checks, possibly repeated)."""
    b = _Builder(rng)
    areas = sorted(rng.sample(AREAS, rng.choice((2, 3, 3, 4))), key=AREAS.index)
    unused = [a for a in AREAS if a not in areas]
    # A therapy to be found outside F must be absent from F from the start, deliverers included.
    excluded = rng.choice(("salt", "salt", "ot", "physio")) if "therapy_outside_f" in defects else None
    b.avoid = {"salt": "speech", "ot": "occupational", "physio": "physio", None: None}[excluded]
    therapies = {
        t
        for t in ("salt", "ot", "physio")
        if THERAPY_AREA[t] in areas and t != excluded and rng.random() < 0.6
    }
    prose_b = rng.random() < 0.25
    f_table = rng.random() < 0.3
    e_lead_in = rng.random() < 0.25
    expected: set[tuple[str, str | None]] = set()
    planted: list[str] = []

    sections: dict[str, list[Content]] = {
        "A": [
            b.fill(
                rng.choice(
                    (
                        "{n} is a friendly, curious learner who loves animals, football and drawing.",
                        "{n} enjoys music and computer games and is proud of {pos} swimming badges.",
                        "{n} is described by staff as kind and funny; {p} likes Lego and dinosaurs.",
                    )
                )
            ),
            b.fill(
                rng.choice(
                    ("{n} says: 'I want to be a vet when I grow up.'", "{n} would like to work with cars.")
                )
            ),
            b.fill(
                "{pos} parents would like {o} to be happy, to have friends and to be as independent "
                "as possible."
            ),
        ],
        "B": [],
        "C": [
            b.fill(
                rng.choice(
                    (
                        "{n} has no health needs related to {pos} special educational needs.",
                        "There are no identified health needs.",
                        "{n} is fit and well; no health needs have been identified.",
                    )
                )
            )
        ],
        "D": [
            b.fill(
                rng.choice(
                    ("{n} has no identified social care needs.", "No social care needs have been identified.")
                )
            )
        ],
        "E": [],
        "F": [],
        "G": [
            rng.choice(
                (
                    "There is no health provision.",
                    "No health provision is required.",
                    "The community paediatrician will review sleep and diet every 6 months.",
                )
            )
        ],
        "H1": ["No provision is made under section 2 of the Chronically Sick and Disabled Persons Act 1970."],
        "H2": [
            rng.choice(
                ("No other social care provision is required.", "None required: no social care needs.")
            )
        ],
        "I": [
            rng.choice(("To be named in the final plan.", "The placement will be named in the final plan."))
        ],
        "J": [rng.choice(("No personal budget has been requested.", "A personal budget was not requested."))],
        "K": [
            "Appendix 1: Parent and child views",
            "Appendix 2: Advice from the school (SENDCo)",
            "Appendix 3: Educational psychology advice",
            "Appendix 4: Health advice (community paediatrician)",
        ],
    }
    if prose_b:
        names = [AREA_PROSE[a] for a in areas]
        sections["B"].append(b.fill(f"{{n}}'s primary needs are in {', '.join(names[:-1])} and {names[-1]}."))
        for area in areas:
            sections["B"].append(b.fill(rng.choice(NEEDS[area])))
    else:
        for area in areas:
            sections["B"].append(Sub(rng.choice(AREA_HEADINGS[area])))
            sections["B"] += [b.fill(t) for t in rng.sample(NEEDS[area], 2)]

    for area in areas:
        sections["E"].append(Sub(AREA_HEADINGS[area][0]))
        if e_lead_in:
            sections["E"].append(b.fill(f"{rng.choice(TIME_FRAMES_PREFIX)}, {{n}} will:"))
            sections["E"] += [b.fill(t) + "." for t in rng.sample(OUTCOMES[area], 2)]
        else:
            sections["E"].append(b.outcome(area))
    if rng.random() < 0.2:
        sections["E"].insert(0, "These outcomes were agreed with the family at the planning meeting.")

    if rng.random() < 0.3:
        sections["F"].append(b.fill("The following provision will be put in place to meet {n}'s needs:"))
    for area in areas:
        sections["F"].append(Sub(AREA_HEADINGS[area][0]))
        items: list[Content] = []
        for therapy in sorted(therapies):
            if THERAPY_AREA[therapy] == area:
                what = rng.choice(THERAPY_WHAT[therapy])
                items.append(
                    Row((what, THERAPY_WHO[therapy], rng.choice(FREQ)))
                    if f_table
                    else b.provision(area, what=what, who=THERAPY_WHO[therapy])
                )
        for _ in range(rng.choice((1, 2))):
            if f_table:
                items.append(
                    Row(
                        (
                            b.fill(rng.choice(WHAT[area])),
                            b.fill(b.who(area)),
                            rng.choice(FREQ).removeprefix("for "),
                        )
                    )
                )
            else:
                items.append(b.provision(area))
        if f_table:
            items.insert(0, Row(("Provision", "Who", "How often")))
        sections["F"] += items
    for therapy in sorted(therapies):
        if rng.random() < 0.3:
            label = {
                "salt": "speech and language therapy",
                "ot": "occupational therapy",
                "physio": "physiotherapy",
            }
            sections["G"].append(f"The {label[therapy]} set out in Section F meets the health advice.")

    # Hard negatives in clean wording: the right answer is no finding.
    if rng.random() < 0.15:
        sections["F"].append(
            b.fill("A TA will support {n} in class for 20 hours a week, to support access to the curriculum.")
        )
    if rng.random() < 0.08:
        sections["F"].append(b.provision(areas[0], freq=rng.choice(HARD_FREQ)))
    if rng.random() < 0.08:
        sections["E"].append(
            b.fill(f"{rng.choice(HARD_TIME_FRAMES)}, {{n}} will {rng.choice(OUTCOMES[areas[0]])}.")
        )
    if rng.random() < 0.1:
        sections["F"].append(b.fill("All staff working with {n} will be made aware of this plan."))
    if rng.random() < 0.1:
        sections["K"].append("Bundle reference LA-2026-0142; reading age recorded as 7y 4m.")

    front: FrontSheet | None = FrontSheet(
        queries=[], missing_advice=[], notes="Drafted from the full bundle."
    )
    header: str | None = None
    removed: set[str] = set()

    def plant(check: str) -> None:
        nonlocal front, header
        planted.append(check)
        if check == "front_sheet_missing":
            front = None
            expected.add((check, None))
        elif check == "section_missing":
            code = rng.choice(
                [c for c in ("A", "B", "E", "F", "G", "H1", "H2", "J", "K") if c not in removed]
            )
            removed.add(code)
            if rng.random() < 0.5:
                del sections[code]
            else:
                sections[code] = []
            expected.add((check, code))
        elif check == "no_needs_statement":
            code = rng.choice(("C", "D"))
            removed.add(code)  # whatever was planted there goes with it
            sections[code] = [] if rng.random() < 0.6 else [rng.choice(("N/A", "None", "-", "n/a"))]
            expected.add((check, code))
        elif check == "placeholder_text":
            kind = rng.randrange(8)
            if kind == 0:
                sections["A"].append(b.fill("[Insert {n}'s views from the My Views form]"))
                expected.add((check, "A"))
            elif kind == 1:
                sections["B"].append(b.fill("Cognitive assessment results: TBC."))
                expected.add((check, "B"))
            elif kind == 2:
                area = areas[-1]
                sections["F"].append(b.provision(area, freq="for XX minutes weekly"))
                expected.add((check, "F"))
            elif kind == 3:
                sections["K"].append("Appendix 5: Occupational therapy report dated xx/xx/2025")
                expected.add((check, "K"))
            elif kind == 4:
                sections["A"].append("Lorem ipsum dolor sit amet, consectetur adipiscing elit.")
                expected.add((check, "A"))
            elif kind == 5:
                sections["J"] = ["Click or tap here to enter text."]
                expected.add((check, "J"))
            elif kind == 6:
                header = "DRAFT EHC plan - issued XX/XX/2026"
                expected.add((check, None))
            else:
                # Hard: placeholders in forms the check does not know.
                sections["B"].append(rng.choice(("**TO BE COMPLETED BY WRITER**", "[Awaiting EP advice]")))
                expected.add((check, "B"))
        elif check == "vague_provision":
            area = rng.choice(areas)
            kind = rng.randrange(7)
            if kind == 0:
                what = rng.choice(
                    (
                        "access to a quiet space",
                        "opportunities for small-group work",
                        "opportunities to practise turn-taking",
                    )
                )
                sections["F"].append(b.provision(area, what=what))
            elif kind == 1:
                wording, unquantified = rng.choice(VAGUE_FREQ)
                sections["F"].append(b.provision(area, freq=wording))
                if unquantified:
                    expected.add(("unquantified_provision", "F"))
            elif kind == 2:
                sections["F"].append(
                    b.fill(
                        f"Visual supports such as a visual timetable, used by {b.who(area)} in every lesson."
                    )
                )
            elif kind == 3:
                sections["F"].append(
                    b.fill(f"{{n}} would benefit from {rng.choice(WHAT[area])} {rng.choice(FREQ)}.")
                )
                expected.add(("unquantified_provision", "F"))  # no one is named
            elif kind == 4:
                sections["F"].append(b.fill(f"{b.who(area)} will provide support with {AREA_PROSE[area]}."))
            elif kind == 5:
                sections["F"].append(b.fill("A Level 3 TA, or equivalent, for 15 hours a week in class."))
            else:
                # Hard: vague in meaning, absent from the flag list; also unquantified in truth.
                sections["F"].append(b.provision(area, freq=rng.choice(HARD_VAGUE_FREQ)))
                expected.add(("unquantified_provision", "F"))
            expected.add((check, "F"))
        elif check == "unquantified_provision":
            area = rng.choice(areas)
            kind = rng.randrange(5)
            if kind == 0:
                sections["F"].append(b.provision(area, freq=None))
            elif kind == 1:
                sections["F"].append(b.provision(area, who=None))
            elif kind == 2:
                sections["F"].append(
                    b.fill(
                        rng.choice(
                            (
                                "{n} will use a writing slope and pencil grip.",
                                "{n} will be taught in a small group for maths.",
                                "Movement breaks between activities.",
                            )
                        )
                    )
                )
            elif kind == 3:
                sections["F"].append(b.fill(f"{b.who(area)} will advise staff on strategies."))
            else:
                # Hard: the deliverer appears only inside the programme's name.
                therapy = rng.choice([t for t in ("salt", "ot") if t != excluded])
                sections["F"].append(
                    b.provision(THERAPY_AREA[therapy], what=THERAPY_WHAT[therapy][-1], who=None)
                )
                if THERAPY_AREA[therapy] in unused:
                    unused.remove(THERAPY_AREA[therapy])  # F now provides for it: no gap to plant there
            expected.add((check, "F"))
        elif check == "therapy_outside_f":
            therapy = excluded or "salt"
            code = rng.choice(("G", "G", "G", "H2"))
            text = {
                "salt": (
                    "Speech and language therapy will be provided by the NHS service: a block of 6 "
                    "sessions a year.",
                    "SALT: the community speech and language therapy team will see {n} 6 times a term.",
                    "{n} does not currently see a speech and language therapist; the NHS team will "
                    "offer 6 sessions.",
                ),
                "ot": ("An occupational therapist will see {n} in clinic twice a year.",),
                "physio": (
                    "Physiotherapy: a home programme reviewed by the community physiotherapist every "
                    "6 months.",
                ),
            }[therapy]
            sections[code].append(b.fill(rng.choice(text)))
            expected.add((check, code))
        elif check == "outcome_not_smart":
            area = rng.choice(areas)
            kind = rng.randrange(4)
            if e_lead_in:  # out from under the last lead-in's time frame
                sections["E"].append(Sub("Further outcomes"))
            if kind == 0:
                sections["E"].append(b.fill(f"{{n}} will {rng.choice(OUTCOMES[area])}."))
            elif kind == 1:
                sections["E"].append(b.fill(f"{{n}} will {rng.choice(VAGUE_OUTCOMES)}."))
            elif kind == 2:
                sections["E"].append(
                    b.fill(f"{rng.choice(TIME_FRAMES_PREFIX)}, {{n}} will {rng.choice(VAGUE_OUTCOMES)}.")
                )
            else:
                sections["E"].append(
                    b.fill(f"{rng.choice(TIME_FRAMES_PREFIX)}, {{n}} will {rng.choice(HARD_VAGUE_OUTCOMES)}.")
                )
            expected.add((check, "E"))
        elif check == "golden_thread_gap":
            if not unused:
                planted.pop()
                return
            area = unused.pop()
            need = b.fill(rng.choice(NEEDS[area]))
            if prose_b:
                sections["B"].append(b.fill(f"{{n}} also has {AREA_PROSE[area]}: ") + need)
            else:
                sections["B"] += [Sub(rng.choice(AREA_HEADINGS[area])), need]
            gap = rng.randrange(3)
            if gap == 1:
                sections["E"] += [Sub(AREA_HEADINGS[area][0]), b.outcome(area)]
            elif gap == 2:
                sections["F"] += [Sub(AREA_HEADINGS[area][0]), b.provision(area)]
            expected.add((check, "B"))
        elif check == "pii_leak":
            kind = rng.randrange(7)
            code = rng.choice(("A", "B", "C", "K"))
            fake = Faker("en_GB")
            fake.seed_instance(rng.randrange(2**32))
            born = fake.date_of_birth(minimum_age=5, maximum_age=17)
            text = (
                rng.choice(("{{n}}'s NHS number is {0}.", "NHS No: {0}")).format(_nhs_number(rng)),
                rng.choice(("Please send correspondence to {0}.", "Parent's e-mail: {0}")).format(
                    fake.email()
                ),
                "{{n}} lives with mum at {}.".format(fake.address().replace("\n", ", ")),
                rng.choice(("Contact mum on {0} after 3pm.", "Tel: {0}")).format(fake.phone_number()),
                rng.choice(("Date of birth: {0:%d/%m/%Y}.", "{{n}} was born on {0:%-d %B %Y}.")).format(born),
                rng.choice(("Mother: {0} (parental responsibility).", "Dear {0},")).format(fake.name()),
                "UPN: B801200005001.",
            )[kind]
            sections[code].append(b.fill(text))
            expected.add((check, code))

    # Emptying or removing a section comes last, so nothing planted later refills it.
    for check in sorted(defects, key=lambda c: c in ("section_missing", "no_needs_statement")):
        plant(check)
    # A removed section takes with it anything else planted there.
    expected = {
        (c, s)
        for c, s in expected
        if s is None or s not in removed or c in ("section_missing", "no_needs_statement")
    }
    if "F" in removed:
        sections["G"] = [c for c in sections["G"] if not (isinstance(c, str) and "set out in Section F" in c)]
        expected = {(c, s) for c, s in expected if c not in ("vague_provision", "unquantified_provision")}
    if "E" in removed:
        expected.discard(("outcome_not_smart", "E"))
    if "B" in removed:
        expected.discard(("golden_thread_gap", "B"))
    style = rng.choice(STYLES)
    return Draft(sections, style, rng.randrange(3), front, expected, planted, header)


# The checks these drafts plant defects of: the original ten (the validators' checks and advice traceability
# have their own drafts), so the seeded set, and its figures, stay what they were.
CHECK_NAMES = CHECKS[: CHECKS.index("front_sheet_missing") + 1]


def planted_defects(rng: random.Random, index: int) -> list[str]:
    """The defects the index-th draft of a set carries: none for about a third, else one or two of CHECK_NAMES."""
    roll = rng.random()
    defects: list[str] = []
    if roll >= 0.35:
        defects.append(CHECK_NAMES[index % len(CHECK_NAMES)])
    if roll >= 0.8:
        defects.append(rng.choice(CHECK_NAMES))
    return defects


def generate(count: int, seed: int) -> list[Draft]:
    """`count` drafts: about a third clean, the rest with one or two planted defects of any check."""
    rng = random.Random(seed)
    return [build_draft(rng, planted_defects(rng, index)) for index in range(count)]
