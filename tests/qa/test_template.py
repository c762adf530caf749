"""Reading LA draft templates: headings as paragraphs or as table cells, in all their spellings."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from service.qa.plan import SECTION_CODES
from service.qa.template import UnreadableDraft, match_heading, read_plan
from tests.qa.conftest import Sections, clean_sections
from tests.qa.drafting import STYLES, Row, Sub, write_draft


@pytest.mark.parametrize("variant", [0, 1, 2])
@pytest.mark.parametrize("style", STYLES)
def test_every_section_is_read_in_every_template_style(style: str, variant: int) -> None:
    plan = read_plan(write_draft(clean_sections(), style, variant=variant))
    assert list(plan.sections) == list(SECTION_CODES)
    provision = [b.text for b in plan.blocks("F") if b.kind != "subheading"]
    assert provision[0].startswith("A speech and language therapist will deliver")
    assert len(provision) == 5
    assert [b.text for b in plan.blocks("B") if b.kind == "subheading"] == [
        "Communication and interaction",
        "Cognition and learning",
        "Social, emotional and mental health",
    ]
    assert [b.text for b in plan.outside][:1] == ["Education, Health and Care Plan (draft)"]


def test_blocks_keep_document_order() -> None:
    plan = read_plan(write_draft(clean_sections(), "table_column"))
    positions = [b.position for code in SECTION_CODES for b in plan.blocks(code)]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Section F: Special educational provision", "F"),
        ("F. Special Educational Provision", "F"),
        ("SECTION F \u2013 SPECIAL EDUCATIONAL PROVISION", "F"),
        ("section f", "F"),
        ("Part F - Provision", "F"),
        (
            "Section H1 \u2013 Social care provision under section 2 of the Chronically Sick and "
            "Disabled Persons "
            "Act 1970",
            "H1",
        ),
        ("Section H 2: Other social care provision", "H2"),
        ("H2 \u2014 Other social care provision", "H2"),
        ("(C) Health needs", "C"),
        ("1. Section A: All about me", "A"),
        ("4.2 Section E \u2014 Outcomes", "E"),
        ("E: Outcomes", "E"),
        ("Section K\uff1a Advice and information", "K"),
    ],
)
def test_heading_spellings_are_recognised(text: str, code: str) -> None:
    assert match_heading(text, strong=False) == (
        code,
        text.lower().lstrip("1234. ").startswith(("section", "part")),
    )


@pytest.mark.parametrize(
    "text",
    [
        "Section F of the previous plan set out weekly speech and language therapy which has now ended.",
        "F1. Speech and language therapy",
        "A. Smith, specialist teacher, visited on two occasions.",
        "E-safety will be taught in small groups.",
        "Child A will have a visual timetable.",
    ],
)
def test_prose_and_sub_numbering_are_not_headings(text: str) -> None:
    assert match_heading(text, strong=False) is None


def test_title_only_heading_styles_are_read_in_order() -> None:
    document = docx.Document()
    for title, body in [
        ("About me", "I like trains."),
        ("Special educational needs", "Child A has difficulties with reading."),
        ("Health needs", "No health needs."),
        ("Special educational provision", "A teacher will deliver 20 minutes of reading daily."),
    ]:
        document.add_heading(title, level=1)
        document.add_paragraph(body)
    out = io.BytesIO()
    document.save(out)
    plan = read_plan(out.getvalue())
    assert list(plan.sections) == ["A", "B", "C", "F"]
    assert plan.blocks("F")[0].text.startswith("A teacher will deliver")


def test_appendix_letters_in_section_k_do_not_reopen_earlier_sections() -> None:
    sections: Sections = clean_sections()
    sections["K"] = [Row(("A", "Parental advice, March 2026")), Row(("B", "Educational psychology advice"))]
    for style in STYLES:
        plan = read_plan(write_draft(sections, style))
        k_text = " ".join(b.text for b in plan.blocks("K"))
        assert "Parental advice" in k_text and "Educational psychology advice" in k_text, style
        assert "Parental advice" not in " ".join(b.text for b in plan.blocks("A")), style


def test_heading_row_table_followed_by_provision_rows() -> None:
    sections: Sections = {
        "F": [
            Row(("Provision", "Who", "How often")),
            Row(
                (
                    "Individual speech and language therapy",
                    "Speech and language therapist",
                    "45 minutes weekly",
                )
            ),
            Row(("Precision teaching of high-frequency words", "Trained TA", "10 minutes daily")),
        ]
    }
    plan = read_plan(write_draft(sections, "heading_rows"))
    kinds = [(b.kind, b.text) for b in plan.blocks("F")]
    assert kinds[0] == ("table_header", "Provision | Who | How often")
    assert kinds[1][0] == "table_row" and "45 minutes weekly" in kinds[1][1]


def test_first_column_heading_with_content_in_second_column() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "Section B"
    table.cell(0, 1).text = "Special educational needs"
    table.cell(1, 0).text = ""
    table.cell(1, 1).text = "Child A has a hearing impairment."
    table.cell(2, 0).text = "F"
    table.cell(2, 1).text = "A qualified teacher of the deaf will visit for one hour each half term."
    out = io.BytesIO()
    document.save(out)
    plan = read_plan(out.getvalue())
    assert [b.text for b in plan.blocks("B")] == ["Child A has a hearing impairment."]
    assert [b.text for b in plan.blocks("F")] == [
        "A qualified teacher of the deaf will visit for one hour each half term."
    ]


def test_header_text_is_read_outside_sections() -> None:
    plan = read_plan(write_draft(clean_sections(), "bold", header="DRAFT plan - issued XX/XX/2026"))
    assert "DRAFT plan - issued XX/XX/2026" in [b.text for b in plan.outside]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7 not a word document",
        b"PK\x03\x04 truncated zip",
    ],
)
def test_non_docx_bytes_are_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableDraft):
        read_plan(data)


def test_a_zip_that_is_not_a_word_document_is_unreadable() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(UnreadableDraft):
        read_plan(out.getvalue())


def test_sub_heading_is_kept_as_a_sub_heading() -> None:
    plan = read_plan(write_draft({"E": [Sub("Preparing for adulthood"), "By July 2030, X will travel."]}, "bold"))
    assert [b.kind for b in plan.blocks("E")] == ["subheading", "paragraph"]
