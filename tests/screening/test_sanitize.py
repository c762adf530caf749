"""Writers get a copy with no author anywhere: properties, comments and tracked changes gone, text kept."""

from __future__ import annotations

import io

from pypdf import PdfReader

from service.screening.extract import document_people, extract_pages
from service.screening.safety import check_docx_archive
from service.screening.sanitize import strip_metadata
from tests.screening.documents import DocxSpec, all_xml, make_docx, make_pdf

PEOPLE = ("Paul Dunn", "Amy Cole", "Karen Whitfield", "Tom Baxter", "Ruth Ellis")
SPEC = DocxSpec(
    body=["Child A enjoys music and football."],
    header="Advice for Child A",
    comment=("Please check this paragraph", "Karen Whitfield"),
    inserted=("She now reads fluently.", "Tom Baxter"),
    deleted=("Old wording to drop.", "Ruth Ellis"),
    footnote="See appendix K.",
    author="Paul Dunn",
    last_modified_by="Amy Cole",
)


def test_stripped_docx_names_no_author_anywhere_in_its_xml() -> None:
    original = make_docx(SPEC)
    assert all(name in all_xml(original) for name in PEOPLE)
    stripped = strip_metadata("docx", original)
    xml = all_xml(stripped)
    for name in PEOPLE:
        assert name not in xml
    assert "w:author" not in xml and "w:rsid" not in xml
    assert document_people("docx", stripped) == []


def test_stripped_docx_keeps_the_text_with_tracked_changes_accepted() -> None:
    stripped = strip_metadata("docx", make_docx(SPEC))
    check_docx_archive(stripped)
    text = extract_pages("docx", stripped)[0]
    assert "Child A enjoys music and football." in text
    assert "She now reads fluently." in text
    assert "Old wording to drop." not in text
    assert "Please check this paragraph" not in text
    assert "See appendix K." in text and "Advice for Child A" in text


def test_stripped_docx_still_opens_in_python_docx() -> None:
    from docx import Document

    document = Document(io.BytesIO(strip_metadata("docx", make_docx(SPEC))))
    assert document.core_properties.author == ""
    assert any("Child A enjoys" in p.text for p in document.paragraphs)


def test_stripped_pdf_has_no_information_dictionary_or_xmp_and_keeps_its_pages() -> None:
    original = make_pdf(["Page one text", "Page two text"], author="Helen Marsh")
    assert b"Helen Marsh" in original
    stripped = strip_metadata("pdf", original)
    reader = PdfReader(io.BytesIO(stripped))
    assert reader.metadata is None
    assert "/Metadata" not in reader.trailer["/Root"]
    assert b"Helen Marsh" not in stripped
    assert document_people("pdf", stripped) == []
    assert [p.strip() for p in extract_pages("pdf", stripped)] == ["Page one text", "Page two text"]


def test_text_files_pass_through_unchanged() -> None:
    assert strip_metadata("txt", b"notes") == b"notes"
