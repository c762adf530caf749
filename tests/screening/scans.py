"""Small scanned pictures for the OCR tests: typed lines drawn at 200 dpi, a photograph, a scrawl."""

from __future__ import annotations

import io
import random
import zipfile

from PIL import Image, ImageDraw, ImageFont

from tests.benchmarks.ocr_corpus import FONTS, degrade, docx_with_pictures, handwriting, photo, scan_pdf

OLIVER = "Child: Oliver Bennett, NHS number 943 476 5919, 14 Larch Close, Basingstoke RG21 4AB"


def typed(lines: list[str], *, dpi: int = 200, font: str = "dejavu-serif", size_pt: float = 11,
          full_page: bool = False, seed: int = 1) -> Image.Image:
    """Lines of type as a scanner gives them (slight skew, JPEG), on a strip or on a whole A4 page."""
    size = int(size_pt / 72 * dpi)
    face = ImageFont.truetype(str(FONTS[font]), size)
    width = int(8.27 * dpi)
    height = int(11.69 * dpi) if full_page else int(size * 1.6 * len(lines) + dpi * 0.6)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    y = int(dpi * 0.3)
    for line in lines:
        draw.text((int(dpi * 0.6), y), line, font=face, fill=0)
        y += int(size * 1.6)
    return degrade(random.Random(seed), image, skew=0.6, blur=0, noise=0, jpeg=80)


def scrawl(seed: int = 3) -> Image.Image:
    """Handwriting nobody could read."""
    lines = ["Notes from visit Oliver Bennett", "NHS no 943 476 5919", "worried about mornings"]
    return handwriting(random.Random(seed), lines, 150, 0.95).crop((0, 0, 1240, 500))


def snapshot(seed: int = 2) -> Image.Image:
    return photo(random.Random(seed), 600, 450)


def scanned_pdf(pages: list[Image.Image]) -> bytes:
    return scan_pdf(pages)


def docx_pictures(paragraphs: list[str], pictures: list[Image.Image], header: Image.Image | None = None) -> bytes:
    return docx_with_pictures(paragraphs, [(picture, "body") for picture in pictures], header)


def with_fallback_picture(docx: bytes, picture: Image.Image) -> bytes:
    """The DOCX with one more picture, referred to only from an mc:Fallback (as Word saves a text box's VML)."""
    data = io.BytesIO()
    picture.convert("RGB").save(data, format="PNG")
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "word/document.xml":
                fallback = (
                    '<w:p><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
                    '<mc:Choice Requires="wps"><w:r><w:t>Text box</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:pict>'
                    '<v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:imagedata r:id="rIdFallback1"/></v:shape>'
                    "</w:pict></w:r></mc:Fallback></mc:AlternateContent></w:p>"
                )
                content = content.replace(b"</w:body>", fallback.encode() + b"</w:body>")
                if b'xmlns:r="' not in content[:2000]:
                    raise AssertionError("python-docx's document.xml declares the r namespace")
            elif name == "word/_rels/document.xml.rels":
                content = content.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdFallback1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/image" Target="media/fallback1.png"/></Relationships>'))
            elif name == "[Content_Types].xml" and b'Extension="png"' not in content:
                content = content.replace(b"</Types>", b'<Default Extension="png" ContentType="image/png"/></Types>')
            target.writestr(name, content)
        target.writestr("word/media/fallback1.png", data.getvalue())
    return out.getvalue()
