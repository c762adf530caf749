"""Seeded bundles of advice and the drafts written from them, with recommendations moved, dropped and invented.

Each bundle holds two to four advice documents (an educational psychologist's report, speech and language
therapy advice, the school's SENCo advice, occupational therapy advice) of several pages: background on the
child's needs and, on some page, recommendations phrased as professionals write them ("I recommend that...",
"Recommendation: ...", "3 x 30 minutes per week"). The draft's section F carries each recommendation in a
plan writer's words. Then: a recommendation is **moved** (to another document or page: no finding is right),
**dropped** (left out of the plan: `advice_not_in_plan`), or provision is **invented** (an item no advice
gives, or an amount changed from the advice's: `provision_not_in_advice`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from service.qa.advice import amounts
from tests.benchmarks.qa_drafts import AREA_HEADINGS, AREAS, FREQ, NEEDS, WHAT, WHO, _Builder
from tests.qa.conftest import clean_sections
from tests.qa.drafting import Sub, write_draft

DOCUMENTS = {
    "ci": "Speech and language therapy advice",
    "cl": "Educational psychology report",
    "semh": "Educational psychology report",
    "sp": "Occupational therapy advice",
}
SCHOOL = "SENCo advice from school"
# Professionals write amounts their own way: same numbers and periods, other words.
FREQ_IN_ADVICE: dict[str, tuple[str, ...]] = {
    "for 20 minutes daily": ("20 minutes every day", "daily, for 20 minutes"),
    "three times a week for 30 minutes": ("3 x 30 minutes per week", "three 30-minute sessions a week"),
    "for 45 minutes each week": ("45 minutes weekly", "one 45-minute session each week"),
    "every morning for 10 minutes": ("10 minutes each morning",),
    "in two 15-minute sessions per week": ("2 x 15 minutes weekly", "twice a week for 15 minutes"),
    "fortnightly for 30 minutes": ("30 minutes every fortnight",),
    "twice daily for 10 minutes": ("10 minutes twice a day",),
}
BACKGROUND = (
    "{n} was seen in school over two mornings and in a meeting with {pos} parents.",
    "Standardised assessment was carried out in a quiet room near {pos} classroom.",
    "{n} engaged well with the assessment tasks and was keen to please.",
    "Staff describe {n} as a kind pupil who is well liked by adults.",
    "{pos} attendance is good and {p} arrives at school on time.",
)
RECOMMEND = (
    "I recommend that {n} receives {what} {freq}, delivered by {who}.",
    "{n} should have {what} {freq} with {who}.",
    "Recommendation: {what}, {freq}, by {who}.",
    "It is recommended that {who} provides {what} {freq}.",
    "{n} will need {what} {freq}; this should be delivered by {who}.",
)


@dataclass
class Bundle:
    """Advice documents, the draft, and what the traceability checks should report."""

    advice: list[tuple[str, list[str]]]
    draft: bytes
    invented: list[str] = field(default_factory=list)  # items of F no advice gives (their text)
    dropped: list[str] = field(default_factory=list)  # recommendations the plan leaves out (their text)
    moved: int = 0
    changes: list[str] = field(default_factory=list)


def build(rng: random.Random) -> Bundle:
    b = _Builder(rng)
    areas = sorted(rng.sample(AREAS, rng.choice((2, 3))), key=AREAS.index)
    recommendations: list[tuple[str, str, str, str]] = []  # (area, what, who, freq)
    for area in areas:
        for what in rng.sample(WHAT[area], rng.choice((1, 2, 2, 3))):
            freq = rng.choice([f for f in FREQ if f in FREQ_IN_ADVICE])
            recommendations.append((area, what, b.who(area), freq))
    # the advice: each recommendation in its professional's document, or the school's
    documents: dict[str, list[list[str]]] = {}

    def page_of(name: str) -> list[list[str]]:
        if name not in documents:
            pages = [[b.fill(s) for s in rng.sample(BACKGROUND, 2)] for _ in range(rng.choice((2, 3, 4)))]
            documents[name] = pages
        return documents[name]

    for area in areas:
        page_of(DOCUMENTS[area])[0].append(b.fill(rng.choice(NEEDS[area])))
    recommendation_text: list[str] = []
    for area, what, who, freq in recommendations:
        name = DOCUMENTS[area] if rng.random() < 0.75 else SCHOOL
        pages = page_of(name)
        text = b.fill(
            rng.choice(RECOMMEND).format(
                n="{n}", what=what, who=who, freq=rng.choice(FREQ_IN_ADVICE[freq]), pos="{pos}", p="{p}"
            )
        )
        rng.choice(pages).append(text)
        recommendation_text.append(text)
    bundle = Bundle(advice=[], draft=b"")
    # each item of F as written, with the recommendation it carries (None: invented)
    items: dict[str, list[tuple[str, int | None]]] = {area: [] for area in areas}
    for index, (area, what, who, freq) in enumerate(recommendations):
        items[area].append((b.provision(area, what=what, who=who, freq=freq), index))
    # the changes a careless or a careful writer makes
    for _ in range(rng.choice((0, 1, 1, 2))):
        change = rng.choice(("moved", "dropped", "invented", "invented_amount"))
        if change == "moved":
            # the recommendation sits on another page of another document: still the same advice
            name, pages = rng.choice(list(documents.items()))
            other = rng.choice(list(documents))
            source = [line for page in pages for line in page if line in recommendation_text]
            if not source:
                continue
            text = rng.choice(source)
            for page in pages:
                if text in page:
                    page.remove(text)
            rng.choice(page_of(other if other != name else SCHOOL)).append(text)
            bundle.moved += 1
        elif change == "dropped":
            carried = [(area, item) for area in areas for item in items[area] if item[1] is not None]
            if len(carried) <= 1:
                continue
            area, item = rng.choice(carried)
            items[area].remove(item)
            bundle.dropped.append(recommendation_text[item[1]])  # type: ignore[index]
        elif change == "invented":
            area = rng.choice(areas)
            recommended = {r[1] for r in recommendations}
            fresh = [w for other in AREAS for w in WHAT[other] if w not in recommended and other != area]
            text = b.provision(area, what=rng.choice(fresh), who=rng.choice(WHO[area]), freq=rng.choice(FREQ))
            items[area].append((text, None))
            bundle.invented.append(text)
        else:
            carried = [(area, i) for area in areas for i, item in enumerate(items[area]) if item[1] is not None]
            if not carried:
                continue
            area, index = rng.choice(carried)
            rec = recommendations[items[area][index][1]]  # type: ignore[index]
            # another amount: none of the advice's numbers or periods
            unused = [f for f in FREQ if not (amounts(f) & amounts(rec[3]))]
            if not unused:
                continue
            text = b.provision(area, what=rec[1], who=rec[2], freq=rng.choice(unused))
            items[area][index] = (text, None)
            bundle.invented.append(text)
        bundle.changes.append(change)
    sections = clean_sections()
    sections["F"] = []
    for area in areas:
        sections["F"].append(Sub(AREA_HEADINGS[area][0]))
        sections["F"] += [text for text, _ in items[area]]
    sections["G"] = ["No health care provision is required."]
    bundle.draft = write_draft(sections, rng.choice(("headings", "bold", "table_column")))
    bundle.advice = [(name, [" ".join(page) for page in pages]) for name, pages in documents.items()]
    return bundle


def generate(count: int, seed: int) -> list[Bundle]:
    rng = random.Random(seed)
    return [build(rng) for _ in range(count)]
