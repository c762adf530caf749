"""The automated QA checks, each fired by a defect planted in a real DOCX draft, and quiet on good wording."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.qa.checks import Finding, excerpt
from service.qa.plan import SECTION_RANK
from tests.qa.conftest import Sections
from tests.qa.drafting import STYLES, Row, Sub

Check = Callable[..., list[Finding]]


def fired(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check]


@pytest.mark.parametrize("style", STYLES)
def test_clean_draft_passes_in_every_template_style(sections: Sections, check: Check, style: str) -> None:
    assert check(sections, style) == []


@pytest.mark.parametrize("style", ["headings", "table_column"])
def test_vague_provision_in_f_and_therapy_only_in_g(sections: Sections, check: Check, style: str) -> None:
    sections["F"][1:3] = ["Child A will have access to speech and language therapy to develop his language."]
    sections["F"].insert(1, "A teaching assistant will support Child A 20 minutes daily with his language.")
    sections["K"] = ["Appendix 1: Parental advice"]
    sections["G"] = ["Speech and language therapy will be provided by the NHS community team for 6 sessions."]
    findings = check(sections, style)
    vague = fired(findings, "vague_provision")
    assert [(f.section, f.severity) for f in vague] == [("F", "error")]
    assert "access to speech and language therapy" in vague[0].excerpt
    assert vague[0].message == "'access to' does not specify the provision"
    therapy = fired(findings, "therapy_outside_f")
    assert therapy == []  # F still mentions speech and language therapy, vaguely

    sections["F"][1:3] = ["A trained teaching assistant will deliver a language group for 20 minutes daily."]
    findings = check(sections, style)
    therapy = fired(findings, "therapy_outside_f")
    assert [(f.section, f.severity) for f in therapy] == [("G", "error")]
    assert therapy[0].excerpt.startswith("Speech and language therapy will be provided")


def test_good_therapy_wording_raises_nothing(sections: Sections, check: Check) -> None:
    sections["F"][1] = "SALT delivered by a qualified speech and language therapist for 45 minutes weekly."
    sections["G"] = ["The speech and language therapy set out in Section F meets Child A's needs."]
    assert check(sections) == []


def test_occupational_therapy_only_in_g_is_a_warning(sections: Sections, check: Check) -> None:
    sections["G"] = ["An occupational therapist will review Child A's seating and fine motor skills termly."]
    therapy = fired(check(sections), "therapy_outside_f")
    assert [(f.section, f.severity, f.message.split(" appears")[0]) for f in therapy] == [
        ("G", "warning", "occupational therapy")
    ]


def test_therapy_mentioned_as_not_needed_in_g_is_not_a_finding(sections: Sections, check: Check) -> None:
    sections["G"] = ["Child A was discharged from physiotherapy in 2024 and needs no health provision."]
    assert fired(check(sections), "therapy_outside_f") == []


@pytest.mark.parametrize(
    ("item", "phrase"),
    [
        ("Child A will have opportunities for small group work with a TA daily.", "opportunities for"),
        ("Child A would benefit from 30 minutes of daily reading with an adult.", "would benefit from"),
        ("A TA will check in with Child A regularly, for 10 minutes each morning.", "regularly"),
        ("Up to 3 hours a week of 1:1 teaching from a specialist teacher.", "Up to"),
        ("A teacher will provide movement breaks as appropriate, every lesson.", "as appropriate"),
        ("A TA will use visual supports such as a timetable in all lessons.", "such as"),
        ("Daily 15-minute fine motor activities (e.g. threading) led by a TA.", "e.g."),
        ("A teacher will teach 20-minute sessions of phonics, spelling etc. daily.", "etc."),
        ("Catch Up Literacy or equivalent, 3 x 15 minutes a week with a trained TA.", "or equivalent"),
    ],
)
def test_each_flag_phrase_in_f_is_vague_provision(sections: Sections, check: Check, item: str, phrase: str) -> None:
    sections["F"].append(item)
    vague = fired(check(sections), "vague_provision")
    assert len(vague) == 1
    assert vague[0].section == "F"
    assert phrase.lower() in vague[0].excerpt.lower()
    assert phrase.lower() in vague[0].message.lower()


def test_support_is_vague_only_when_unquantified(sections: Sections, check: Check) -> None:
    sections["F"].append("Child A will receive support from a TA with his writing.")
    findings = check(sections)
    assert [f.message for f in fired(findings, "vague_provision")] == [
        "'support' without a quantity does not specify the provision"
    ]
    assert fired(findings, "unquantified_provision") == []  # said once, not twice

    sections["F"][-1] = "Child A will receive support from a TA with his writing for 20 minutes daily."
    assert check(sections) == []


def test_provision_without_frequency_or_deliverer(sections: Sections, check: Check) -> None:
    sections["F"].append("Child A will use a writing slope and a pencil grip.")
    sections["F"].append("Child A will be taught touch typing for 20 minutes twice a week.")
    findings = fired(check(sections), "unquantified_provision")
    assert [(f.severity, f.excerpt[:20], f.message) for f in findings] == [
        ("error", "Child A will use a w", "no frequency, duration or amount, and no one named to deliver it"),
        (
            "warning",
            "Child A will be taug",
            "no one is named to deliver it (who, and at what level of expertise)",
        ),
    ]


def test_a_lead_in_naming_who_and_how_often_covers_its_items(sections: Sections, check: Check) -> None:
    sections["F"] += [
        Sub("Sensory and physical"),
        "A trained TA will deliver the following for 15 minutes each morning:",
        "A sensory circuit before lessons.",
        "Fine motor activities from the occupational therapist's programme.",
    ]
    assert fired(check(sections), "unquantified_provision") == []


def test_provision_table_rows_are_items(sections: Sections, check: Check) -> None:
    sections["F"] = [
        Sub("Communication and interaction"),
        Row(("Provision", "Who", "How often")),
        Row(("Individual speech and language therapy", "Speech and language therapist", "45 minutes weekly")),
        Sub("Cognition and learning"),
        Row(("Phonics teaching in a small group", "Teacher", "daily, 20 minutes")),
        Sub("Social, emotional and mental health"),
        Row(("Emotional literacy sessions", "ELSA", "as needed")),
    ]
    for style in ("headings", "table_column", "heading_rows"):
        findings = check(sections, style)
        assert [(f.check, f.section) for f in findings] == [
            ("vague_provision", "F"),
            ("unquantified_provision", "F"),
        ], style
        assert "as needed" in findings[0].excerpt


@pytest.mark.parametrize(
    ("outcome", "message_start"),
    [
        (
            "Child A will be able to write three sentences using capital letters and full stops.",
            "no time frame",
        ),
        (
            "Child A will feel happier in school.",
            "no time frame (e.g. 'by July 2027', 'by the end of Key Stage 2') and",
        ),
        ("By July 2027, Child A will improve his confidence.", "'improve' is not measurable"),
    ],
)
def test_outcome_without_time_frame_or_measure(
    sections: Sections, check: Check, outcome: str, message_start: str
) -> None:
    sections["E"].append(outcome)
    smart = fired(check(sections), "outcome_not_smart")
    assert len(smart) == 1 and smart[0].section == "E"
    assert smart[0].message.startswith(message_start)
    assert smart[0].severity == ("warning" if message_start.startswith("'") else "error")


@pytest.mark.parametrize(
    "outcome",
    [
        "By the end of Year 6, Child A will read a Year 4 text aloud with 90% accuracy.",
        "Within 12 months Child A will ask an adult for help using his help card without prompting.",
        "By the time he leaves primary school, Child A will travel to school independently.",
        "By his next annual review, Child A will name five emotions and a strategy for each.",
    ],
)
def test_smart_outcomes_raise_nothing(sections: Sections, check: Check, outcome: str) -> None:
    sections["E"].append(outcome)
    assert fired(check(sections), "outcome_not_smart") == []


def test_a_time_frame_in_a_lead_in_covers_the_outcomes_under_it(sections: Sections, check: Check) -> None:
    sections["E"] += [
        Sub("Preparing for adulthood"),
        "By the end of Key Stage 3, Child A will:",
        "make a snack independently following a visual recipe;",
        "use his bus pass to travel two stops with an adult nearby.",
    ]
    assert fired(check(sections), "outcome_not_smart") == []


def test_need_in_b_without_outcome_or_provision_breaks_the_golden_thread(sections: Sections, check: Check) -> None:
    sections["B"] += [
        Sub("Sensory and/or physical"),
        "Child A has hypermobility and tires quickly when writing by hand.",
    ]
    gaps = fired(check(sections), "golden_thread_gap")
    assert [(f.section, f.severity, f.message) for f in gaps] == [
        ("B", "error", "need 'sensory and/or physical' has no provision in F"),
        ("B", "warning", "need 'sensory and/or physical' has no outcome in E"),
    ]
    assert gaps[0].excerpt == "Sensory and/or physical"


def test_need_named_in_prose_is_threaded_too(sections: Sections, check: Check) -> None:
    sections["B"] = [
        "Child A's needs are mainly in communication and interaction and in social, emotional and mental "
        "health; he also has a hearing impairment.",
    ]
    gaps = fired(check(sections), "golden_thread_gap")
    assert {f.message for f in gaps} == {
        "need 'sensory and/or physical' has no provision in F",
        "need 'sensory and/or physical' has no outcome in E",
    }


@pytest.mark.parametrize("code", ["C", "D"])
def test_empty_health_or_social_care_needs_section(sections: Sections, check: Check, code: str) -> None:
    sections[code] = []
    findings = check(sections)
    assert [(f.check, f.section, f.severity) for f in findings] == [("no_needs_statement", code, "error")]
    sections[code] = ["N/A"]
    findings = check(sections)
    assert [(f.check, f.section, f.severity) for f in findings] == [("no_needs_statement", code, "warning")]


@pytest.mark.parametrize("style", ["bold", "heading_rows"])
def test_missing_section_heading_and_empty_section(sections: Sections, check: Check, style: str) -> None:
    del sections["J"]
    sections["H2"] = []
    del sections["I"]
    findings = fired(check(sections, style), "section_missing")
    assert [(f.section, f.severity, f.message) for f in findings] == [
        ("H2", "error", "section H2 has no content"),
        ("I", "warning", "no heading for section I was found"),
        ("J", "error", "no heading for section J was found"),
    ]


def test_empty_placement_section_is_allowed_in_a_draft(sections: Sections, check: Check) -> None:
    sections["I"] = []
    assert check(sections) == []


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Child A attends [insert school name] and is in Year 4.", "[insert school name]"),
        ("Child A's EP assessment (TBC) showed slow processing.", "TBC"),
        ("He was assessed on XX/XX/2025 by the EP.", "XX"),
        ("Lorem ipsum dolor sit amet.", "Lorem ipsum"),
        ("Click or tap here to enter text.", "Click or tap here to enter text"),
    ],
)
def test_placeholder_text_is_found(sections: Sections, check: Check, text: str, shown: str) -> None:
    sections["A"].append(text)
    found = fired(check(sections), "placeholder_text")
    assert [(f.section, f.severity) for f in found] == [("A", "error")]
    assert shown in found[0].excerpt


def test_placeholder_look_alikes_are_not_placeholders(sections: Sections, check: Check) -> None:
    sections["A"].append("He wears XXL school jumpers and loves the film Apollo XIII; his TBCX token is blue.")
    assert fired(check(sections), "placeholder_text") == []


def test_placement_to_be_confirmed_is_only_a_warning(sections: Sections, check: Check) -> None:
    sections["I"] = ["TBC following consultation with schools."]
    found = fired(check(sections), "placeholder_text")
    assert [(f.section, f.severity) for f in found] == [("I", "warning")]


def test_pii_leak_with_the_builtin_fallback_masks_the_identifier(sections: Sections, check: Check) -> None:
    sections["C"] = ["Child A (NHS number 943 476 5919) has no health needs; letters to mum.jones@example.org."]
    leaks = fired(check(sections), "pii_leak")
    assert [(f.section, f.message) for f in leaks] == [
        ("C", "an NHS number appears in the draft"),
        ("C", "an e-mail address appears in the draft"),
    ]
    for leak in leaks:
        assert "943 476 5919" not in leak.excerpt and "mum.jones@example.org" not in leak.excerpt
    assert "943 *** ****" in leaks[0].excerpt


def test_pii_fallback_ignores_ten_digits_that_fail_the_nhs_checksum(sections: Sections, check: Check) -> None:
    sections["C"] = ["Child A has no health needs. Reference 943 476 5918 is the LA case reference."]
    assert fired(check(sections), "pii_leak") == []


@dataclass(frozen=True)
class FakeFinding:
    kind: str
    start: int
    end: int
    confidence: float


def test_pii_leak_uses_an_injected_detector(sections: Sections) -> None:
    from service.qa.checks import run_checks
    from service.qa.template import read_plan
    from tests.qa.conftest import FRONT_SHEET
    from tests.qa.drafting import write_draft

    sections["D"] = ["Mother: Sarah Jones. No social care needs."]
    seen: list[str] = []

    def detect(text: str) -> list[FakeFinding]:
        seen.append(text)
        start = text.find("Sarah Jones")
        return [FakeFinding("person_name", start, start + 11, 0.6)] if start >= 0 else []

    findings = run_checks(read_plan(write_draft(sections)), FRONT_SHEET, detect=detect)
    assert [(f.check, f.section, f.severity, f.message) for f in findings] == [
        ("pii_leak", "D", "warning", "a person's name appears in the draft")
    ]
    assert "Sarah Jones" not in findings[0].excerpt and findings[0].excerpt.startswith("Mother: Sar")
    assert any("Child A" in text for text in seen)  # every block was offered to the detector


def test_missing_front_sheet_is_an_error(sections: Sections, check: Check) -> None:
    findings = check(sections, front_sheet=None)
    assert [(f.check, f.section, f.severity) for f in findings] == [("front_sheet_missing", None, "error")]


def test_findings_come_in_section_then_document_order(sections: Sections, check: Check) -> None:
    sections["F"].append("Regular speech and language therapy.")
    sections["A"].append("He likes TBC.")
    sections["E"].append("Child A will be happier.")
    findings = check(sections, front_sheet=None)
    ranks = [-1 if f.section is None else SECTION_RANK[f.section] for f in findings]
    assert ranks == sorted(ranks)
    assert findings[0].check == "front_sheet_missing"
    assert findings == check(sections, front_sheet=None)


def test_excerpts_are_short_and_trimmed_with_ellipses() -> None:
    text = "word " * 60 + "access to therapy " + "word " * 60
    start = text.index("access to")
    short = excerpt(text, start, start + 9)
    assert len(short) <= 126 and short.startswith("...") and short.endswith("...")
    assert "access to therapy" in short
    assert excerpt("Short text.") == "Short text."


def test_placeholder_in_the_page_header_has_no_section(sections: Sections) -> None:
    from service.qa.checks import run_checks
    from service.qa.template import read_plan
    from tests.qa.conftest import FRONT_SHEET
    from tests.qa.drafting import write_draft

    plan = read_plan(write_draft(sections, "bold", header="DRAFT - issued XX/XX/2026"))
    findings = run_checks(plan, FRONT_SHEET)
    assert [(f.check, f.section, f.excerpt) for f in findings] == [
        ("placeholder_text", None, "DRAFT - issued XX/XX/2026")
    ]


def test_one_combined_section_h_is_a_warning_not_two_missing_sections() -> None:
    import io

    import docx

    from service.qa.checks import run_checks
    from service.qa.template import read_plan
    from tests.qa.conftest import FRONT_SHEET, clean_sections
    from tests.qa.drafting import TITLES

    document = docx.Document()
    for code, items in clean_sections().items():
        if code == "H2":
            continue
        title = "Section H: Social care provision" if code == "H1" else f"Section {code}: {TITLES[code]}"
        document.add_heading(title, level=1)
        for item in items:
            if isinstance(item, str):
                document.add_paragraph(item)
            else:
                document.add_paragraph().add_run(item.text).bold = True
    out = io.BytesIO()
    document.save(out)
    findings = run_checks(read_plan(out.getvalue()), FRONT_SHEET)
    assert [(f.check, f.section, f.severity) for f in findings] == [
        ("section_missing", "H1", "warning"),
        ("section_missing", "H2", "warning"),
    ]


@given(st.integers(min_value=0, max_value=10**9 - 1), st.sampled_from(["A", "C", "F", "K"]))
@settings(max_examples=25, deadline=None)
def test_pii_excerpts_never_repeat_an_nhs_number(nine: int, code: str) -> None:
    from service.qa.checks import run_checks
    from service.qa.plan import Block, Plan, Section
    from tests.qa.conftest import FRONT_SHEET

    digits = f"{nine:09d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
    if check == 10:
        return
    number = digits + str(0 if check == 11 else check)
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    text = "Lots of narrative before the identifier. " * 4 + f"NHS number: {spaced}." + " More text." * 10
    plan = Plan(sections={code: Section(code, f"Section {code}", [Block(text, "paragraph", 0)])})
    leaks = [f for f in run_checks(plan, FRONT_SHEET) if f.check == "pii_leak"]
    assert len(leaks) == 1 and leaks[0].section == code
    assert spaced not in leaks[0].excerpt and number not in leaks[0].excerpt.replace(" ", "")
    assert len(leaks[0].excerpt) <= 130


@pytest.mark.parametrize("style", STYLES)
def test_vague_provision_in_f_with_speech_therapy_only_in_g_raises_both(
    sections: Sections, check: Check, style: str
) -> None:
    sections["F"][1:3] = ["Child A will have regular language groups with a TA for 20 minutes."]
    sections["K"] = ["Appendix 1: Parental advice"]
    sections["G"] = ["Child A will receive speech and language therapy from the NHS team, 6 sessions a year."]
    findings = check(sections, style)
    assert [(f.check, f.section) for f in findings] == [("vague_provision", "F"), ("therapy_outside_f", "G")]
    assert "regular language groups" in findings[0].excerpt
    assert "speech and language therapy" in findings[1].excerpt
