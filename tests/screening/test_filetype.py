"""File types are judged by content; a name only has to agree with it."""

from __future__ import annotations

import io
import zipfile

from service.screening.filetype import MEDIA_TYPES, detect_type, extension_agrees
from tests.screening.documents import DocxSpec, make_docx, make_pdf


def test_pdf_docx_and_text_are_recognised_by_their_bytes() -> None:
    assert detect_type(make_pdf(["Page one"])) == "pdf"
    assert detect_type(make_docx(DocxSpec(body=["Hello"]))) == "docx"
    assert detect_type("Plain notes about Child A\f— page two".encode()) == "txt"
    assert set(MEDIA_TYPES) == {"pdf", "docx", "txt"}


def test_docx_is_recognised_from_only_its_first_bytes() -> None:
    data = make_docx(DocxSpec(body=["Hello"]))
    assert detect_type(data[:4096]) == "docx"


def test_a_zip_without_word_parts_is_not_a_docx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert detect_type(buffer.getvalue()) is None


def test_binary_legacy_and_control_character_files_are_unknown() -> None:
    assert detect_type(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)) is None
    assert detect_type(b"MZ\x90\x00\x03\x00\x00\x00") is None
    assert detect_type(b"text with a NUL\x00 inside") is None
    assert detect_type(b"\xff\xfe not utf-8") is None
    assert detect_type(b"") is None


def test_text_mentioning_a_pdf_header_later_is_still_text() -> None:
    assert detect_type(b"Notes: the file began %PDF-1.7 when it was saved") == "txt"


def test_extension_must_agree_with_the_content() -> None:
    assert extension_agrees("EP Report.PDF", "pdf")
    assert extension_agrees("views.docx", "docx")
    assert extension_agrees("notes.txt", "txt")
    assert not extension_agrees("report.pdf", "docx")
    assert not extension_agrees("report.doc", "docx")
