"""Hostile and broken documents are refused before they are unpacked, with a reason an officer can act on."""

from __future__ import annotations

import contextlib
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.screening.extract import document_people, extract_pages
from service.screening.safety import ArchiveLimits, UnsafeDocument, check_docx_archive, check_pdf
from tests.screening.documents import DocxSpec, make_docx, make_pdf

DOCX = make_docx(DocxSpec(body=["Child A enjoys music."], header="Advice", comment=("Check this", "Ann Lee")))
PDF = make_pdf(["Page one", "Page two", "Page three"])


def _docx_plus(name: str, content: bytes = b"<x/>", *, info: zipfile.ZipInfo | None = None) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(DOCX)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        out.writestr(info or zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def reason(call: object, *args: object) -> str:
    with pytest.raises(UnsafeDocument) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.reason


def test_an_ordinary_docx_passes_and_a_pdf_reports_its_page_count(tmp_path) -> None:
    check_docx_archive(DOCX)
    assert check_pdf(PDF) == 3
    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)
    assert check_pdf(path) == 3


def test_zip_bomb_is_refused_from_its_directory_before_unpacking() -> None:
    bomb = _docx_plus("word/media/image1.bin", bytes(8 * 1024 * 1024))
    assert "zip bomb" in reason(check_docx_archive, bomb)


def test_too_many_parts_and_too_much_unpacked_data_are_refused() -> None:
    many = DOCX
    for index in range(30):
        many = (
            _docx_plus(f"word/media/p{index}.xml") if index == 0 else _add(many, f"word/media/p{index}.xml")
        )
    assert "internal parts" in reason(check_docx_archive, many, ArchiveLimits(max_entries=20))
    assert "unpacks to" in reason(
        check_docx_archive, DOCX, ArchiveLimits(max_total_uncompressed=1024, ratio_floor=10**9)
    )


def _add(data: bytes, name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        out.writestr(name, b"<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/evil", "/etc/passwd", "word/../../x.xml", "C:\\x\\evil.xml"]
)
def test_paths_that_climb_out_or_are_absolute_are_refused(name: str) -> None:
    assert "unsafe file path" in reason(check_docx_archive, _docx_plus(name))


def test_symlink_entries_are_refused() -> None:
    info = zipfile.ZipInfo("word/media/link")
    info.create_system = 3
    info.external_attr = (0o120777) << 16
    assert "link" in reason(check_docx_archive, _docx_plus("", b"/etc/passwd", info=info))


def test_encrypted_office_file_and_encrypted_zip_entries_are_refused_as_password_protected() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048)
    assert "password-protected" in reason(check_docx_archive, ole)
    assert "password-protected" in reason(check_docx_archive, _mark_encrypted(_docx_plus("word/secret.xml")))


def _mark_encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' flag of word/secret.xml in its local and central headers (zipfile will not)."""
    mutable = bytearray(data)
    name = b"word/secret.xml"
    for signature, flag_offset, name_offset in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_offset : start + name_offset + len(name)] == name:
                mutable[start + flag_offset] |= 0x1
            start += 4
    return bytes(mutable)


def test_truncated_docx_and_zip_without_word_parts_are_refused() -> None:
    assert "not a readable Word" in reason(check_docx_archive, DOCX[: len(DOCX) // 2])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "not a readable Word" in reason(check_docx_archive, buffer.getvalue())


def test_password_protected_pdf_is_refused_with_an_actionable_reason() -> None:
    locked = make_pdf(["Secret advice"], user_password="letmein")
    assert reason(check_pdf, locked) == "The PDF is password-protected; please send it without a password."


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_pdf_is_refused(cut: float) -> None:
    assert "damaged or incomplete" in reason(check_pdf, PDF[: int(len(PDF) * cut)])


def test_not_a_pdf_and_missing_file_are_refused(tmp_path) -> None:
    assert "not a PDF" in reason(check_pdf, b"hello")
    assert "could not be opened" in reason(check_pdf, tmp_path / "absent.pdf")


def test_extraction_of_a_damaged_docx_part_reports_unsafe_document() -> None:
    broken = _replace(DOCX, "word/document.xml", b"<w:document><w:body><w:p>")
    check_docx_archive(broken)
    assert "damaged" in reason(extract_pages, "docx", broken)


def test_entity_expansion_in_docx_xml_is_not_performed() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
        b"<w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    pages = extract_pages("docx", _replace(DOCX, "word/document.xml", laughs))
    assert "AAAAAAAAAA" not in pages[0]


def _replace(data: bytes, name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as out:
        for item in source.infolist():
            out.writestr(item, content if item.filename == name else source.read(item.filename))
    return buffer.getvalue()


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    mutable = bytearray(data)
    for position, value in edits:
        mutable[position % len(mutable)] = value
    return bytes(mutable)


edits = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10**6), st.integers(0, 255)), min_size=1, max_size=8
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits, st.booleans())
def test_corrupted_documents_raise_only_unsafe_document(changes: list[tuple[int, int]], pdf: bool) -> None:
    data = _mutate(PDF if pdf else DOCX, changes)
    kind = "pdf" if pdf else "docx"
    try:
        if pdf:
            check_pdf(data)
        else:
            check_docx_archive(data)
        extract_pages(kind, data)
        document_people(kind, data)
    except UnsafeDocument as exc:
        assert exc.reason.endswith(".")


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_raise_only_unsafe_document(data: bytes) -> None:
    for check in (check_docx_archive, check_pdf):
        with contextlib.suppress(UnsafeDocument):
            check(data)


def _lie_about_size(data: bytes, name: bytes, declared: int) -> bytes:
    """Rewrite the uncompressed size that the local and central headers declare for one entry."""
    mutable = bytearray(data)
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_offset : start + name_offset + len(name)] == name:
                mutable[start + size_offset : start + size_offset + 4] = declared.to_bytes(4, "little")
            start += 4
    return bytes(mutable)


def test_an_entry_that_understates_its_size_is_never_inflated_beyond_it() -> None:
    payload = b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'/>"
    padded = payload + b" " * (8 * 1024 * 1024)
    liar = _lie_about_size(_replace(DOCX, "word/document.xml", padded), b"word/document.xml", 2000)
    check_docx_archive(liar)  # the directory looks harmless...
    # ...and reading stops at the declared size, so the lie surfaces as a damaged file, not 8 MB of XML.
    assert "damaged" in reason(extract_pages, "docx", liar)
