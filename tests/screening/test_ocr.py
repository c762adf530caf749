"""OCR in screening: scanned pages and pictures are read, what they say is found, what cannot be read is reported."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from service.screening import ocr
from service.screening.ocr import OcrLine, layout_text, normalise, read_picture
from service.screening.report import OcrOptions, screen_document, verdict_of
from tests.benchmarks.ocr_corpus import signature_block, text_pdf_with_picture
from tests.screening.documents import make_pdf
from tests.screening.scans import (
    OLIVER,
    docx_pictures,
    scanned_pdf,
    scrawl,
    snapshot,
    typed,
    with_fallback_picture,
)


def kinds(report: Any, source: str | None = "ocr") -> set[tuple[int, str]]:
    return {(f.page, f.kind) for f in report.findings if source is None or f.source == source}


def test_the_engine_loads_its_models_from_the_installed_package_without_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("OCR tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    ocr._engine.cache_clear()
    try:
        result = read_picture(typed(["NHS number 943 476 5919"]), deadline=time.monotonic() + 60)
    finally:
        ocr._engine.cache_clear()
    assert "943 476 5919" in result.text and result.unreadable is None


def test_the_issues_scanned_page_is_not_clean() -> None:
    """The one-page PDF of a scanned line that used to pass as clean."""
    pdf = scanned_pdf([typed([OLIVER, "Assessment was carried out over two sessions."], full_page=True)])
    report = screen_document("scan.pdf", "pdf", pdf, None)
    assert verdict_of([report]).verdict == "pii_found"
    assert {(1, "nhs_number"), (1, "postcode"), (1, "address"), (1, "person_name")} <= kinds(report)
    nhs = next(f for f in report.findings if f.kind == "nhs_number")
    assert nhs.source == "ocr" and nhs.picture is None and "943" in nhs.excerpt and "5919" not in nhs.excerpt


def test_a_clean_scan_stays_clean() -> None:
    pdf = scanned_pdf([typed(["Child A enjoys Lego and swimming.", "Reading accuracy is at the 9th percentile.",
                              "Review held 3/3/2024; next review due March 2026."], full_page=True)])
    report = screen_document("clean.pdf", "pdf", pdf, None)
    assert report.findings == []


def test_pictures_in_a_docx_are_read_wherever_they_are_placed() -> None:
    """Body (page 2, after a page break), header, and a picture only an mc:Fallback refers to."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    body = typed(["Mum's mobile 07700 900123 after 3pm."])
    header = typed(["Postcode LS6 2QT"], size_pt=14)
    base = docx_pictures(["Advice for Child A"], [], header)
    document = Document(__import__("io").BytesIO(base))
    document.paragraphs[0].add_run().add_break(WD_BREAK.PAGE)
    stream = __import__("io").BytesIO()
    body.convert("RGB").save(stream, format="JPEG")
    stream.seek(0)
    document.add_picture(stream)
    out = __import__("io").BytesIO()
    document.save(out)
    data = with_fallback_picture(out.getvalue(), typed(["NHS number 943 476 5919"]))
    report = screen_document("pasted.docx", "docx", data, None)
    found = {(f.page, f.kind, f.picture) for f in report.findings}
    assert any(page == 2 and kind == "phone" and picture.startswith("word/media/") for page, kind, picture in found)
    assert any(page == 1 and kind == "postcode" for page, kind, _ in found)
    assert (1, "nhs_number", "word/media/fallback1.png") in found
    assert all(f.source == "ocr" for f in report.findings)


def test_a_picture_on_a_typed_pdf_page_is_read_too() -> None:
    import random

    picture, labels = signature_block(random.Random(5))
    typed_lines = ["Advice for Child A", "Cognition is a relative strength.",
                   "Working memory is below the average range for the age group.",
                   "The school should continue the small-group phonics intervention."]
    pdf = text_pdf_with_picture(typed_lines, picture, 260)
    report = screen_document("signed.pdf", "pdf", pdf, None)
    names = [f for f in report.findings if f.kind == "person_name"]
    assert names and names[0].source == "ocr" and names[0].picture == "picture 1"
    assert labels[0].value.split()[1] not in names[0].excerpt


def test_unreadable_pictures_are_findings_never_a_pass() -> None:
    data = docx_pictures(["Advice for Child A"], [scrawl(), snapshot()])
    report = screen_document("notes.docx", "docx", data, None)
    unreadable = [f for f in report.findings if f.kind == "unreadable_content"]
    assert len(unreadable) == 2, report.findings
    assert {f.picture for f in unreadable} == {"word/media/image1.jpg", "word/media/image2.jpg"}
    assert any("handwriting" in f.excerpt for f in unreadable) and any("photograph" in f.excerpt for f in unreadable)
    assert verdict_of([report]).verdict == "pii_found"


def test_a_drawing_ocr_cannot_open_is_unreadable(tmp_path: Any) -> None:
    data = with_fallback_picture(docx_pictures(["Child A"], []), typed(["x"]))
    data = data.replace(b"media/fallback1.png", b"media/fallback1.emf")
    report = screen_document("a.docx", "docx", data, None)
    assert [(f.kind, f.picture) for f in report.findings] == [("unreadable_content", "word/media/fallback1.emf")]


def test_ocr_past_its_deadline_reports_the_page_unreadable() -> None:
    pdf = scanned_pdf([typed(["Child A enjoys Lego."], full_page=True)] * 2)
    report = screen_document("slow.pdf", "pdf", pdf, None, OcrOptions(deadline=time.monotonic() - 1))
    assert [(f.page, f.kind) for f in report.findings] == [(1, "unreadable_content"), (2, "unreadable_content")]
    assert "time limit" in report.findings[0].excerpt


def test_a_text_pdf_is_not_rendered() -> None:
    """No pictures, no OCR: the text layer says what the page shows."""
    calls: list[object] = []

    def reader(*args: object, **kwargs: object) -> None:
        calls.append(args)

    pdf = make_pdf(["Working memory is below average.", "Page two."])
    assert screen_document("t.pdf", "pdf", pdf, None, OcrOptions(reader=reader)).findings == []  # type: ignore[arg-type]
    assert calls == []


def test_a_scanned_page_with_a_text_layer_reports_each_identifier_once() -> None:
    """A scanner's searchable PDF: invisible text over the page image. The text finding stands; OCR adds nothing."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    image = typed(["NHS number 943 476 5919"], full_page=True)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    data = io.BytesIO()
    image.save(data, format="PNG")
    data.seek(0)
    canvas.drawImage(ImageReader(data), 0, 0, width=A4[0], height=A4[1])
    text = canvas.beginText(40, 780)
    text.setTextRenderMode(3)
    text.textLine("NHS number 943 476 5919")
    canvas.drawText(text)
    canvas.showPage()
    canvas.save()
    report = screen_document("searchable.pdf", "pdf", buffer.getvalue(), None)
    assert [(f.kind, f.source) for f in report.findings] == [("nhs_number", "text")]


# --- What OCR gives, made fit for the detectors (no engine needed) ------------------------------------------


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("Child:Oliver Bennett,NHSnumber9434765919,14 LarchClose,BasingstokeRG214AB",
         "Child: Oliver Bennett, NHS number 9434765919, 14 Larch Close, Basingstoke RG214AB"),
        ("NHS no 943 476 59l9", "NHS no 943 476 5919"),
        ("NHS number 451170 5941.", "NHS number 451 170 5941."),
        ("Mobile O77OO 9OO123", "Mobile 07700 900123"),
        ("DOB:O3/07/2O14", "DOB: 03/07/2014"),
        ("Parent email: oliver. bennett12@example.co.uk", "Parent email: oliver.bennett12@example.co.uk"),
        ("Postcode PElY 2JT", "Postcode PE1Y 2JT"),
        ("Otley 0X4 1LP", "Otley OX4 1LP"),
        ("RG21 OAB", "RG21 0AB"),
        ("0liver enjoys", "Oliver enjoys"),
        ("NHS No. 0233188762are on file", "NHS No. 0233188762 are on file"),
        ("Lives near NNg 2NF", "Lives near NN9 2NF"),  # handwriting's 9 read as g
        ("Leeds LSq 2AB", "Leeds LS9 2AB"),
        ("Please ca11 07599 477642", "Please call 07599 477642"),  # a short word's l read as 1
        ("She wi11 attend", "She will attend"),
        ("Sibling: lsla (14)", "Sibling: Isla (14)"),  # a name's capital I read as l
        ("Ciaran 0'Brien", "Ciaran O'Brien"),
        ("Lives near LN11 1 WD", "Lives near LN11 1WD"),  # the inward code split
        ("Lives near CVi5 2ER", "Lives near CV15 2ER"),
        ("near NE4R. 8LS", "near NE4R 8LS"),
    ],
)
def test_normalising_restores_what_a_reader_sees(read: str, meant: str) -> None:
    assert normalise(read) == meant


@pytest.mark.parametrize("kept", ["SO16 0AB", "OL1 1AA", "AB123456D", "B12345678901A", "McDonald and MacLeod",
                                  "0113 496 0123", "1,000,000", "Key Stage 2", "iPad",
                                  "the A1 road", "x1 and B11", "Ab1", "lorry", "lefore"])
def test_normalising_leaves_what_is_already_right(kept: str) -> None:
    assert normalise(kept) == kept


def line(text: str, x0: float, y0: float, x1: float, y1: float) -> OcrLine:
    return OcrLine(text, 0.99, (x0, y0, x1, y1))


def test_two_columns_are_read_one_after_the_other() -> None:
    lines = [line("Title across the page", 100, 50, 1500, 90)]
    for row in range(6):
        y = 150 + row * 50
        lines.append(line(f"left column line {row} of prose text", 100, y, 780, y + 35))
        lines.append(line(f"right column line {row} of prose text", 860, y, 1540, y + 35))
    text = layout_text(lines).splitlines()
    assert text[0] == "Title across the page"
    assert text[1:7] == [f"left column line {n} of prose text" for n in range(6)]
    assert text[7:] == [f"right column line {n} of prose text" for n in range(6)]


def test_a_table_row_keeps_its_label_and_value_together() -> None:
    rows = [("Child's name", "Oliver Bennett"), ("NHS number", "943 476 5919"), ("Date of birth", "03/07/2014")]
    lines = []
    for index, (label, value) in enumerate(rows * 3):
        y = 100 + index * 60
        lines += [line(label, 100, y, 360, y + 35), line(value, 600, y, 900, y + 35)]
    text = layout_text(lines)
    assert text.startswith("Child's name\nOliver Bennett\nNHS number\n943 476 5919\n")


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_page_scanned_sideways_or_upside_down_is_turned_and_read(turn: int) -> None:
    page = typed([OLIVER, "Assessment was carried out over two sessions in school.",
                  "Her reading accuracy is well below what is expected for her age.",
                  "She enjoys drawing, swimming and playing with her younger brother."], full_page=True)
    result = read_picture(page.rotate(turn, expand=True), deadline=time.monotonic() + 120)
    assert result.turned == turn  # PIL turns anticlockwise; the reader turns it back as many degrees clockwise
    assert "943 476 5919" in result.text and result.unreadable is None
    # a page turned half round is read twice: the limit is the time a loaded test machine may need, not the product's
    report = screen_document("turned.pdf", "pdf", scanned_pdf([page.rotate(turn, expand=True)]), None,
                             OcrOptions(page_seconds=120))
    assert {(1, "nhs_number"), (1, "postcode"), (1, "person_name")} <= kinds(report)


def test_a_skewed_page_upside_down_is_turned_too() -> None:
    # skewed, a long line's upright box takes in the lines beside it: the test read of it turned must use its corners
    lines = [OLIVER] + ["Assessment was carried out over two sessions in a quiet room with the teacher present."] * 12
    page = typed(lines, full_page=True).rotate(2.5, expand=True, fillcolor=255).rotate(180, expand=True)
    result = read_picture(page, deadline=time.monotonic() + 120)
    assert result.turned == 180 and result.unreadable is None and "943 476 5919" in result.text


def test_an_upright_page_is_not_turned() -> None:
    result = read_picture(typed(["Child A enjoys Lego and swimming.", "Reading is a relative strength for her."],
                                full_page=True), deadline=time.monotonic() + 60)
    assert result.turned == 0 and "Lego" in result.text


def test_ordinary_words_read_as_no_word_make_a_picture_doubtful() -> None:
    def line(text: str) -> OcrLine:
        return OcrLine(text, 0.97, (0, 0, 100, 10))

    misread = [line("Mum woried abut sleep and"), line("mornings befere schod"), line("Lives near W D8 8JH")]
    assert ocr._misspelt(misread)
    read_well = [line("Mum worried about sleep and"), line("mornings before school"), line("Lives near Leeds")]
    assert not ocr._misspelt(read_well)
    # capitalised words are names and places, often in no dictionary: they do not count
    assert not ocr._misspelt([line("Seen by Ms Okonkwo at Ashby Fields with Kayden and Dr Achterberg")])


def test_a_labelled_nhs_number_misread_by_one_digit_is_still_found_in_ocr_text_only() -> None:
    from service.screening.report import _page_findings

    text = "Notes from home visit\nNHS no 604 876 1758\nMum worried about sleep"
    assert [f.kind for f in _page_findings(text, 1, None, source="ocr")] == ["nhs_number"]
    assert _page_findings(text, 1, None, source="text") == []  # typed, a failing check digit is no NHS number
    assert _page_findings("Switchboard 604 876 1758", 1, None, source="ocr") == []  # no label, no finding


def test_a_letter_photographed_on_a_desk_is_read_and_not_taken_for_a_photograph() -> None:
    """A GP letter photographed with a phone: perspective, light falling off, a shadow, a desk around it."""
    import random

    from tests.benchmarks.ocr_corpus import letter_page, photographed

    rng = random.Random(11)
    letter = letter_page(rng, 200, "dejavu-sans")
    result = read_picture(photographed(rng, letter.image), deadline=time.monotonic() + 60)
    assert result.unreadable is None, result.unreadable
    nhs = next(label.value for label in letter.labels if label.kind == "nhs_number")
    postcode = next(label.value for label in letter.labels if label.kind == "postcode")
    assert nhs in result.text and postcode in result.text
