"""Text comes out of every part of a document, on the right page; people come out of its metadata."""

from __future__ import annotations

from service.screening.extract import PersonRef, document_people, extract_pages
from tests.screening.documents import DocxSpec, make_docx, make_pdf

SPEC = DocxSpec(
    body=["Body paragraph about Child A."],
    table=[("Setting", "Oakwood Primary")],
    nested_cell_text="Nested cell text",
    header="Header text",
    footer="Footer text",
    comment=("Comment text", "Karen Whitfield"),
    inserted=("inserted sentence", "Tom Baxter"),
    deleted=("deleted sentence", "Ruth Ellis"),
    footnote="Footnote text",
    text_box="Text box words",
    after_page_break=["After the break"],
    author="Paul Dunn",
    last_modified_by="Amy Cole",
)


def test_every_docx_part_is_read_and_a_page_break_starts_page_two() -> None:
    pages = extract_pages("docx", make_docx(SPEC))
    assert len(pages) == 2
    for text in (
        "Body paragraph",
        "Oakwood Primary",
        "Nested cell text",
        "Header text",
        "Footer text",
        "Comment text",
        "inserted sentence",
        "deleted sentence",
        "Footnote text",
        "Text box words",
    ):
        assert text in pages[0], text
    assert pages[1].strip() == "After the break"


def test_a_docx_without_page_breaks_is_one_page() -> None:
    assert len(extract_pages("docx", make_docx(DocxSpec(body=["One", "Two", "Three"])))) == 1


def test_pdf_text_is_returned_page_by_page() -> None:
    pages = extract_pages("pdf", make_pdf(["First page words", "Second page words", "Third"]))
    assert [p.strip() for p in pages] == ["First page words", "Second page words", "Third"]


def test_text_files_split_into_pages_at_form_feeds() -> None:
    assert extract_pages("txt", "\ufeffone\ftwo\fthree".encode()) == ["one", "two", "three"]


def test_people_in_docx_properties_comments_and_tracked_changes_are_listed() -> None:
    people = set(document_people("docx", make_docx(SPEC)))
    assert people == {
        PersonRef("Paul Dunn", "author"),
        PersonRef("Amy Cole", "last_modified_by"),
        PersonRef("Karen Whitfield", "comment_author"),
        PersonRef("Tom Baxter", "tracked_change_author"),
        PersonRef("Ruth Ellis", "tracked_change_author"),
    }


def test_tool_names_and_teams_in_author_fields_are_not_people() -> None:
    spec = DocxSpec(
        body=["x"], author="python-docx", last_modified_by="SEN Team", comment=("c", "Microsoft Office User")
    )
    assert document_people("docx", make_docx(spec)) == []


def test_pdf_author_and_xmp_creator_are_listed() -> None:
    people = set(document_people("pdf", make_pdf(["x"], author="Helen Marsh")))
    assert people == {PersonRef("Helen Marsh", "author"), PersonRef("Helen Marsh", "xmp_creator")}
    assert document_people("pdf", make_pdf(["x"])) == []


def test_word_rendered_page_marks_set_the_pages_when_present() -> None:
    from docx import Document
    from docx.oxml import parse_xml

    from tests.screening.documents import W_NS

    document = Document()
    document.add_paragraph("Page one text")
    for text in ("Page two text", "Page three text"):
        paragraph = document.add_paragraph()
        paragraph._p.append(
            parse_xml(f'<w:r xmlns:w="{W_NS}"><w:lastRenderedPageBreak/><w:t>{text}</w:t></w:r>')
        )
    import io

    buffer = io.BytesIO()
    document.save(buffer)
    pages = extract_pages("docx", buffer.getvalue())
    assert [p.strip() for p in pages] == ["Page one text", "Page two text", "Page three text"]
