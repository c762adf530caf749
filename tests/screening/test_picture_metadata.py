"""The writer's copy: pictures keep their pixels and lose their metadata, or are blanked where screening found
something in them; the package thumbnail goes."""

from __future__ import annotations

import io
import zipfile

from PIL import Image, ImageChops
from PIL.PngImagePlugin import PngInfo

from service.screening.picture_metadata import blank, strip_jpeg, strip_png, without_metadata
from service.screening.sanitize import strip_metadata, withheld_pictures
from tests.screening.scans import docx_pictures, scanned_pdf, typed

SECRET = "Oliver Bennett"


def jpeg_with_everything() -> bytes:
    """A JPEG as a phone makes it: EXIF (artist, camera serial, GPS), XMP, a comment and an EXIF thumbnail."""
    image = Image.new("RGB", (320, 200), (200, 120, 40))
    exif = Image.Exif()
    exif[0x013B] = SECRET  # Artist
    exif[0xA431] = "CAM-SERIAL-0042"  # BodySerialNumber
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{SECRET}</dc:creator></x:xmpmeta>'.encode()
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=SECRET.encode(), xmp=xmp)
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Author", SECRET)
    info.add_itxt("Description", f"Photo of {SECRET}")
    out = io.BytesIO()
    Image.new("RGB", (50, 40), (10, 200, 10)).save(out, format="PNG", pnginfo=info, exif=b"Exif\x00\x00" + b"II*\x00")
    return out.getvalue()


def test_a_jpeg_loses_exif_xmp_gps_comments_and_keeps_its_pixels() -> None:
    data = jpeg_with_everything()
    assert SECRET.encode() in data and b"CAM-SERIAL" in data
    clean = strip_jpeg(data)
    assert SECRET.encode() not in clean and b"CAM-SERIAL" not in clean and b"Exif" not in clean
    assert b"http://ns.adobe.com/xap" not in clean and b"xmpmeta" not in clean
    before, after = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(clean))
    assert not after.getexif() and "comment" not in after.info
    assert ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox() is None  # same pixels


def test_a_png_loses_its_text_and_exif_chunks() -> None:
    data = png_with_text()
    clean = strip_png(data)
    assert SECRET.encode() not in clean and b"eXIf" not in clean and b"tEXt" not in clean
    assert Image.open(io.BytesIO(clean)).size == (50, 40)


def test_other_formats_are_saved_again_from_their_pixels() -> None:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(out, format="TIFF", tiffinfo={315: SECRET})  # Artist tag
    clean = without_metadata(out.getvalue())
    assert SECRET.encode() not in clean and Image.open(io.BytesIO(clean)).size == (30, 20)


def test_a_blanked_picture_is_white_and_the_same_size() -> None:
    blanked = Image.open(io.BytesIO(blank(jpeg_with_everything())))
    assert blanked.size == (320, 200) and blanked.format == "JPEG"
    assert blanked.convert("L").getextrema()[0] >= 250


def test_the_docx_copy_blanks_pictures_with_findings_and_cleans_the_rest() -> None:
    found = typed(["NHS number 943 476 5919"])
    clean = Image.open(io.BytesIO(jpeg_with_everything()))
    data = docx_pictures(["Child A"], [found, clean])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    # the package thumbnail is a picture of page 1, and a phone's photo carries its metadata
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for name in names:
            content = source.read(name)
            if name in ("word/media/image2.jpg", "docProps/thumbnail.jpeg"):
                content = jpeg_with_everything()
            target.writestr(name, content)
    assert "docProps/thumbnail.jpeg" in names  # Word's template has one too
    findings: list[dict[str, object]] = [
        {"page": 1, "kind": "nhs_number", "source": "ocr", "picture": "word/media/image1.jpg", "action": "block"},
        {"page": 1, "kind": "person_name", "source": "text", "action": "warn"},
    ]
    copy = strip_metadata("docx", buffer.getvalue(), findings)
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        assert "docProps/thumbnail.jpeg" not in archive.namelist()
        first = Image.open(io.BytesIO(archive.read("word/media/image1.jpg")))
        second = archive.read("word/media/image2.jpg")
    assert first.convert("L").getextrema()[0] >= 250  # blanked
    from docx import Document

    assert len(Document(io.BytesIO(copy)).inline_shapes) == 2  # Word still opens it, both pictures in place
    assert SECRET.encode() not in second and Image.open(io.BytesIO(second)).size == (320, 200)


def test_the_pdf_copy_blanks_pages_with_ocr_findings_and_strips_the_others() -> None:
    from pypdf import PdfReader

    pdf = scanned_pdf([typed(["NHS number 943 476 5919"], full_page=True), Image.open(io.BytesIO(
        jpeg_with_everything())).resize((827, 1169))])
    copy = strip_metadata("pdf", pdf, [{"page": 1, "kind": "nhs_number", "source": "ocr", "action": "warn"}])
    reader = PdfReader(io.BytesIO(copy))
    first = reader.pages[0].images[0].image
    second = reader.pages[1].images[0].image
    assert first.convert("L").getextrema()[0] >= 250
    assert second.convert("L").getextrema()[0] < 200  # kept


def test_confirmed_unreadable_pictures_are_kept_and_text_findings_withhold_nothing() -> None:
    parts, pages = withheld_pictures([
        {"page": 2, "kind": "unreadable_content", "source": "ocr", "picture": "word/media/image1.png",
         "confirmed": True},
        {"page": 1, "kind": "email", "source": "text"},
    ])
    assert parts == frozenset() and pages == frozenset()
