"""Screening whole documents: every kind found on the right page, excerpts masked, order fixed."""

from __future__ import annotations

import pytest

from service.screening.denylist import DenyList, make_denylist
from service.screening.report import identify, mask, screen_document, screen_files
from service.screening.safety import UnsafeDocument
from tests.screening.documents import DocxSpec, make_docx, make_pdf

PLANTED = {
    "nhs_number": "943 476 5919",
    "upn": "B801200005001",
    "ni_number": "JG 10 37 59 A",
    "postcode": "LS6 2QT",
    "phone": "07700 900123",
    "email": "sarah.okafor@example.com",
    "date_of_birth": "14/02/2016",
    "person_name": "Sarah Okafor",
    "address": "27 Cardigan Road",
}
LINES = {
    "nhs_number": "NHS number: 943 476 5919",
    "upn": "UPN: B801200005001",
    "ni_number": "Mother's NI number JG 10 37 59 A",
    "postcode": "Postcode LS6 2QT",
    "phone": "Mobile: 07700 900123",
    "email": "Email sarah.okafor@example.com",
    "date_of_birth": "Date of birth: 14/02/2016",
    "person_name": "Mother: Sarah Okafor",
    "address": "They live at 27 Cardigan Road.",
}
FILLER = "Child A is making progress towards the Key Stage 2 outcomes agreed in Section E."


def _deny() -> DenyList:
    made = make_denylist(["Oakwood Primary"], "beef")
    return DenyList(str(made["salt"]), list(made["hashes"]))  # type: ignore[arg-type]


def test_every_kind_in_a_multi_page_pdf_is_reported_on_its_own_page() -> None:
    kinds = list(LINES)
    pages = [f"Advice page {n + 1}\n{FILLER}\n{LINES[kind]}\n{FILLER}" for n, kind in enumerate(kinds)]
    pages.append(f"Last page\n{FILLER}\nAttends Oakwood Primary.")
    report = screen_document("ep-report.pdf", "pdf", make_pdf(pages, author="Helen Marsh"), _deny())
    assert report.pages == len(kinds) + 1
    got = {(f.kind, f.page) for f in report.findings}
    for number, kind in enumerate(kinds, start=1):
        assert (kind, number) in got, kind
    assert ("denylisted", len(kinds) + 1) in got
    assert ("metadata_person", 1) in got
    stray = {
        (kind, page) for kind, page in got if kind not in ("metadata_person", "person_name", "denylisted")
    }
    assert stray <= {(kind, n) for n, kind in enumerate(kinds, start=1)} | {("postcode", 1)}


def test_excerpts_show_context_but_never_the_identifier_in_full() -> None:
    text = "\n".join(LINES.values())
    report = screen_document("notes.txt", "txt", text.encode(), None)
    assert report.findings
    for finding in report.findings:
        for value in PLANTED.values():
            assert value not in finding.excerpt
    nhs = next(f for f in report.findings if f.kind == "nhs_number")
    assert nhs.excerpt == "NHS number: 943 *** ****"
    assert nhs.confidence == pytest.approx(0.99)


def test_docx_identifiers_in_body_table_header_footer_comment_and_tracked_change_are_found() -> None:
    spec = DocxSpec(
        body=["Parent views."],
        table=[("Pupil", "Kacper Nowak")],
        header="NHS no 943 476 5919",
        footer="Tel: 0113 496 0000",
        comment=("Ring mum on 07700 900456", "Karen Whitfield"),
        inserted=("Email dad at tom.nowak@example.org", "Tom Baxter"),
        after_page_break=["DOB: 3rd March 2015"],
    )
    report = screen_document("views.docx", "docx", make_docx(spec), None)
    got = {(f.kind, f.page) for f in report.findings}
    assert {("person_name", 1), ("nhs_number", 1), ("phone", 1), ("email", 1), ("date_of_birth", 2),
            ("metadata_person", 1)} <= got  # fmt: skip
    phones = [f for f in report.findings if f.kind == "phone"]
    assert len(phones) == 2
    people = [f.excerpt for f in report.findings if f.kind == "metadata_person"]
    assert sorted(people) == ["Comment by: K**** *********", "Tracked change by: T** ******"]


def test_findings_are_ordered_by_page_then_position_and_repeatable() -> None:
    data = make_pdf(["Tel: 07700 900123 and NHS 943 476 5919", "Mother: Ann Lee"])
    first = screen_document("a.pdf", "pdf", data, None)
    again = screen_document("a.pdf", "pdf", data, None)
    assert first == again
    assert [(f.page, f.kind) for f in first.findings] == [(1, "phone"), (1, "nhs_number"), (2, "person_name")]


def test_a_clean_document_gives_a_clean_verdict(tmp_path) -> None:
    path = tmp_path / "clean.pdf"
    path.write_bytes(make_pdf([FILLER, "Section F: 30 minutes weekly, delivered by a Teaching Assistant."]))
    report = screen_files([path], None)
    assert report.verdict == "clean"
    assert report.documents[0].pages == 2 and report.documents[0].findings == []


def test_content_that_contradicts_the_file_name_is_refused() -> None:
    with pytest.raises(UnsafeDocument, match=r"named \.pdf but its content is a Word"):
        identify("report.pdf", make_docx(DocxSpec(body=["x"])))
    assert identify("report", make_pdf(["x"])) == "pdf"
    with pytest.raises(UnsafeDocument, match="not a PDF, Word"):
        identify("image.png", b"\x89PNG\r\n\x1a\n\x00\x00")


def test_mask_keeps_separators_and_shows_at_most_a_third() -> None:
    assert mask("943 476 5919", 3) == "943 *** ****"
    assert mask("Jo", 1) == "**"
    assert mask("Jane Smith", 1) == "J*** *****"


def test_misread_names_count_only_in_pictures_ocr_could_not_vouch_for() -> None:
    from service.screening.report import identifiers

    text = "Notes from home visit . Rhan Wde"
    assert [f.kind for f in identifiers(text, source="ocr", doubtful=True)] == ["person_name"]
    assert identifiers(text, source="ocr") == [] and identifiers(text) == []
