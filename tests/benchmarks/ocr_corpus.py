"""Seeded scanned documents with planted identifiers, labelled, for the OCR screening bench and tests.

Pages are drawn as a scanner or a phone would give them: text set in fonts that ship inside pip packages (DejaVu in
matplotlib; Arial-, Times- and Courier-like Type 1 fonts and a calligraphic one in reportlab), at 150-300 dpi, then
skewed, blurred, speckled, put on grey paper and JPEG-compressed. Layouts: prose, two columns, a table of details, a
letter. Some pages carry a photograph, some handwriting-like text (a calligraphic font, each letter jittered):
neat enough for a person to read, or a scrawl nobody could. The sentences and identifiers come from the text
corpus's generators (names from a hand-made list the detectors' gazetteer does not see), so nothing here is shaped
to what the OCR reads well.
"""

from __future__ import annotations

import io
import math
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
import reportlab
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tests.benchmarks.screening_corpus import (
    FILLER,
    LOOKALIKES,
    Label,
    _lookalike,
    _planted,
    birth_date,
    nhs_number,
    person,
    phone,
    postcode,
    upn,
)

_MPL = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf"
_RL = Path(reportlab.__file__).parent / "fonts"
FONTS = {
    "dejavu-sans": _MPL / "DejaVuSans.ttf",
    "dejavu-serif": _MPL / "DejaVuSerif.ttf",
    "dejavu-mono": _MPL / "DejaVuSansMono.ttf",
    "arial-like": _RL / "_a______.pfb",
    "times-like": _RL / "_er_____.pfb",
    "courier": _RL / "com_____.pfb",
    "vera-bold": _RL / "VeraBd.ttf",
}
HAND_FONT = _RL / "callig15.pfb"
A4_INCHES = (8.27, 11.69)
del LOOKALIKES


@dataclass
class Scan:
    """One scanned page (or pasted picture), its labels, and how it was made."""

    image: Image.Image
    labels: list[Label]  # page numbers are filled in by the document that holds the scan
    style: str
    readable: bool = True  # False: a person could not read it either (a scrawl, a photograph)
    expect_unreadable: bool = False  # handwriting and photographs: OCR may not vouch for them
    text: str = ""  # what was written on it, as a text layer would have it


@dataclass
class ScanDocument:
    name: str
    kind: str  # "pdf" or "docx"
    data: bytes
    labels: list[Label]
    pages: int
    styles: list[str]
    unreadable_pages: set[int] = field(default_factory=set)  # pages where unreadable_content is right
    may_be_unreadable: set[int] = field(default_factory=set)  # pages where it is acceptable (handwriting)
    truth: dict[int, list[str]] = field(default_factory=dict)  # page -> the text written on its pictures


def _font(name: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS[name]), size_px)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split(" ")
        line = ""
        for word in words:
            trial = f"{line} {word}".strip()
            if line and draw.textlength(trial, font=font) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def _sentences(rng: random.Random, count: int, rate: float) -> tuple[list[str], list[Label]]:
    sentences: list[str] = []
    labels: list[Label] = []
    for _ in range(count):
        roll = rng.random()
        if roll < rate:
            text, found = _planted(rng)
            sentences.append(text)
            labels.extend(Label(0, kind, value) for kind, value in found)
        elif roll < rate + 0.2:
            sentences.append(_lookalike(rng))
        else:
            sentences.append(rng.choice(FILLER))
    return sentences, labels


def _canvas(dpi: int, paper: int) -> Image.Image:
    return Image.new("L", (int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi)), paper)


def _draw_lines(image: Image.Image, lines: list[str], font: ImageFont.FreeTypeFont, x: int, y: int,
                leading: int, ink: int, bottom: int) -> int:
    draw = ImageDraw.Draw(image)
    for line in lines:
        if y + leading > bottom:
            break
        draw.text((x, y), line, font=font, fill=ink)
        y += leading
    return y


def prose_page(rng: random.Random, dpi: int, font: str, columns: int, rate: float,
               paper: int = 255, ink: int = 0) -> Scan:
    image = _canvas(dpi, paper)
    size_px = int(rng.uniform(10, 12) / 72 * dpi)
    face = _font(font, size_px)
    leading = int(size_px * 1.45)
    margin = int(0.8 * dpi)
    gutter = int(0.35 * dpi)
    draw = ImageDraw.Draw(image)
    title = rng.choice(["Educational Psychology Advice", "Speech and Language Therapy Report",
                        "Paediatric Summary", "School Advice (Section B)"])
    draw.text((margin, margin), title, font=_font(font, int(size_px * 1.4)), fill=ink)
    labels: list[Label] = []
    written = [title]
    width = image.width - 2 * margin
    column_width = (width - gutter * (columns - 1)) / columns
    top = margin + 3 * leading
    for column in range(columns):
        sentences, found = _sentences(rng, 14 if columns == 1 else 12, rate)
        lines: list[str] = []
        for sentence in sentences:
            lines.extend(_wrap(draw, sentence, face, column_width))
        x = int(margin + column * (column_width + gutter))
        # only what fits on the page is labelled
        room = (image.height - margin - top) // leading
        kept = lines[:room]
        kept_text = "\n".join(kept)
        labels.extend(label for label in found if all(part in kept_text for part in label.value.split()))
        written.append(kept_text)
        _draw_lines(image, kept, face, x, top, leading, ink, image.height - margin)
    return Scan(image, labels, f"prose-{columns}col-{font}-{dpi}dpi", text="\n".join(written))


def table_page(rng: random.Random, dpi: int, font: str) -> Scan:
    """A details table: label cells on the left, values on the right, ruled."""
    image = _canvas(dpi, 255)
    size_px = int(11 / 72 * dpi)
    face = _font(font, size_px)
    draw = ImageDraw.Draw(image)
    margin = int(0.8 * dpi)
    given, family = person(rng)
    number = nhs_number(rng)
    shown_nhs = f"{number[:3]} {number[3:6]} {number[6:]}"
    code = postcode(rng)
    born = birth_date(rng)
    pupil = upn(rng)
    mobile = phone(rng)
    rows = [
        ("Child's name", f"{given} {family}", "person_name"),
        ("Date of birth", born, "date_of_birth"),
        ("NHS number", shown_nhs, "nhs_number"),
        ("UPN", pupil, "upn"),
        ("Postcode", code, "postcode"),
        ("Parent's mobile", mobile, "phone"),
        ("Year group", f"Year {rng.randrange(1, 11)}", ""),
        ("Primary need", rng.choice(["SLCN", "ASD", "SEMH", "MLD", "SpLD"]), ""),
    ]
    rng.shuffle(rows)
    keep = rng.randrange(4, len(rows) + 1)
    rows = rows[:keep]
    draw.text((margin, margin), "Pupil details", font=_font(font, int(size_px * 1.3)), fill=0)
    row_height = int(size_px * 2.2)
    split = margin + int(2.4 * dpi)
    right = image.width - margin
    y = margin + 3 * size_px
    labels: list[Label] = []
    for label, value, kind in rows:
        draw.rectangle((margin, y, right, y + row_height), outline=0, width=max(1, dpi // 100))
        draw.line((split, y, split, y + row_height), fill=0, width=max(1, dpi // 100))
        draw.text((margin + size_px // 2, y + size_px // 2), label, font=face, fill=0)
        draw.text((split + size_px // 2, y + size_px // 2), value, font=face, fill=0)
        if kind:
            labels.append(Label(0, kind, value))
        y += row_height
    sentences, _ = _sentences(rng, 6, 0.0)
    lines: list[str] = []
    for sentence in sentences:
        lines.extend(_wrap(draw, sentence, face, right - margin))
    _draw_lines(image, lines, face, margin, y + 2 * size_px, int(size_px * 1.45), 0, image.height - margin)
    written = ["Pupil details", *(f"{label}\n{value}" for label, value, _ in rows), *lines]
    return Scan(image, labels, f"table-{font}-{dpi}dpi", text="\n".join(written))


def letter_page(rng: random.Random, dpi: int, font: str) -> Scan:
    """A GP or hospital letter: recipient's address, salutation, body, sign-off."""
    image = _canvas(dpi, 255)
    size_px = int(11 / 72 * dpi)
    face = _font(font, size_px)
    draw = ImageDraw.Draw(image)
    margin = int(0.9 * dpi)
    leading = int(size_px * 1.45)
    title = rng.choice(["Mrs", "Mr", "Ms", "Dr"])
    given, family = person(rng)
    parent_family = family
    street = f"{rng.randrange(1, 200)} {rng.choice(['Larch', 'Elm', 'Mill', 'Oak', 'Windsor'])} " \
             f"{rng.choice(['Close', 'Road', 'Lane', 'Avenue'])}"
    code = postcode(rng)
    labels = [Label(0, "person_name", f"{title} {parent_family}"), Label(0, "address", street),
              Label(0, "postcode", code)]
    y = margin
    for line in [f"{title} {parent_family}", street, rng.choice(["Basingstoke", "Leeds", "Otley", "Halifax"]), code]:
        draw.text((margin, y), line, font=face, fill=0)
        y += leading
    y += leading
    number = nhs_number(rng)
    shown = f"{number[:3]} {number[3:6]} {number[6:]}"
    re_line = f"Re: {given} {family}, NHS number {shown}"
    labels += [Label(0, "person_name", f"{given} {family}"), Label(0, "nhs_number", shown)]
    body = [f"Dear {title} {parent_family},", "", re_line, ""]
    sentences, _ = _sentences(rng, 5, 0.0)
    body.extend(sentences)
    sign_given, sign_family = person(rng)
    body += ["", "Yours sincerely,", "", f"{sign_given} {sign_family}", "Consultant Community Paediatrician"]
    labels.append(Label(0, "person_name", f"{sign_given} {sign_family}"))
    lines: list[str] = []
    for paragraph in body:
        lines.extend(_wrap(draw, paragraph, face, image.width - 2 * margin))
    _draw_lines(image, lines, face, margin, y, leading, 0, image.height - margin)
    address = [f"{title} {parent_family}", street, "Town", code]
    return Scan(image, labels, f"letter-{font}-{dpi}dpi", text="\n".join([*address, "", *lines]))


def photo(rng: random.Random, width: int, height: int) -> Image.Image:
    """A photograph-like picture: smooth colour fields, a face-like blob, texture and sensor noise."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top = tuple(rng.randrange(60, 200) for _ in range(3))
    bottom = tuple(rng.randrange(20, 160) for _ in range(3))
    for y in range(height):
        t = y / max(1, height - 1)
        draw.line((0, y, width, y), fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(width // 12, width // 3)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(30, 230) for _ in range(3)))
    cx, cy = width // 2, height // 2
    draw.ellipse((cx - width // 6, cy - height // 4, cx + width // 6, cy + height // 5), fill=(224, 180, 150))
    image = image.filter(ImageFilter.GaussianBlur(radius=max(2, width // 80)))
    noise = Image.effect_noise((width, height), 25).convert("RGB")
    return Image.blend(image, noise, 0.12)


def photo_page(rng: random.Random, dpi: int, font: str) -> Scan:
    """A report page with a photograph of the child on it."""
    scan = prose_page(rng, dpi, font, 1, rate=0.0)
    picture = photo(rng, int(2.5 * dpi), int(3 * dpi))
    page = scan.image.convert("RGB")
    page.paste(picture, (page.width - int(3.3 * dpi), int(1.8 * dpi)))
    return Scan(page.convert("L"), scan.labels, f"photo-{dpi}dpi", expect_unreadable=True, text=scan.text)


def handwriting(rng: random.Random, lines: list[str], dpi: int, mess: float) -> Image.Image:
    """Handwriting-like lines: a calligraphic face, each letter moved, turned and resized; `mess` 0..1."""
    image = Image.new("L", (int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi * 0.6)), 250)
    size_px = int(16 / 72 * dpi)
    x0 = int(0.7 * dpi)
    y = int(0.6 * dpi)
    for line in lines:
        x = x0 + rng.randrange(0, dpi // 8)
        baseline_drift = 0.0
        for char in line:
            size = int(size_px * rng.uniform(1 - 0.25 * mess, 1 + 0.25 * mess))
            face = ImageFont.truetype(str(HAND_FONT), max(8, size))
            glyph = Image.new("L", (size * 2, size * 2), 0)
            ImageDraw.Draw(glyph).text((size // 2, size // 2), char, font=face, fill=255)
            glyph = glyph.rotate(rng.uniform(-25, 25) * mess, resample=Image.BICUBIC)
            baseline_drift += rng.uniform(-2, 2) * mess * dpi / 100
            dy = int(baseline_drift + rng.uniform(-4, 4) * mess * dpi / 100)
            ink = Image.new("L", glyph.size, rng.randrange(10, 60))
            image.paste(ink, (x - size // 2, y + dy - size // 2), glyph)
            x += int(face.getlength(char) * rng.uniform(1 - 0.35 * mess, 1 + 0.1 * mess)) + 1
        y += int(size_px * 1.9)
        if y > image.height - size_px * 2:
            break
    return image.filter(ImageFilter.GaussianBlur(0.6 + mess))


def handwritten_note(rng: random.Random, dpi: int, mess: float) -> Scan:
    given, family = person(rng)
    number = nhs_number(rng)
    shown = f"{number[:3]} {number[3:6]} {number[6:]}"
    code = postcode(rng)
    lines = [f"Notes from home visit - {given} {family}", f"NHS no {shown}", f"Lives near {code}",
             "Mum worried about sleep and", "mornings before school."]
    labels = [Label(0, "person_name", f"{given} {family}"), Label(0, "nhs_number", shown),
              Label(0, "postcode", code)]
    return Scan(handwriting(rng, lines, dpi, mess), labels, f"handwriting-{'scrawl' if mess > 0.6 else 'neat'}",
                readable=mess <= 0.6, expect_unreadable=True, text="\n".join(lines))


def degrade(rng: random.Random, image: Image.Image, *, skew: float, blur: float, noise: float,
            jpeg: int | None, paper: int = 255) -> Image.Image:
    """A scanner's or a phone's version of a clean page."""
    out = image.convert("L")
    if paper < 255:
        out = out.point(lambda v: int(v * paper / 255))
    if skew:
        out = out.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=paper)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        out = Image.blend(out, Image.effect_noise(out.size, 60), noise * 0.25)
        # specks: dust on the glass
        draw = ImageDraw.Draw(out)
        for _ in range(int(noise * 200)):
            x, y = rng.randrange(out.width), rng.randrange(out.height)
            r = rng.randrange(1, 3)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randrange(0, 90))
    if jpeg is not None:
        buffer = io.BytesIO()
        out.save(buffer, format="JPEG", quality=jpeg)
        out = Image.open(io.BytesIO(buffer.getvalue()))
        out.load()
    return out


def photographed(rng: random.Random, image: Image.Image) -> Image.Image:
    """A phone's photograph of a page lying on a desk: the page in perspective on a darker, grainy desk, light
    falling off across it, a soft shadow over one part, slightly out of focus, JPEG-compressed."""
    import cv2

    page = np.asarray(image.convert("L")).astype(np.float32)
    h, w = page.shape
    big_h, big_w = int(h * 1.15), int(w * 1.25)
    noise = np.random.default_rng(rng.randrange(1 << 30))
    desk = np.full((big_h, big_w), rng.uniform(90, 150), np.float32) + noise.normal(0, 8, (big_h, big_w))
    ox, oy = (big_w - w) / 2, (big_h - h) / 2

    def jitter(scale: float) -> float:
        return rng.uniform(-scale, scale)

    corners = np.float32([
        [ox + jitter(0.05 * w), oy + jitter(0.04 * h)], [ox + w + jitter(0.05 * w), oy + jitter(0.04 * h)],
        [ox + w + jitter(0.03 * w), oy + h + jitter(0.03 * h)], [ox + jitter(0.03 * w), oy + h + jitter(0.03 * h)],
    ])
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), corners)
    mask = cv2.warpPerspective(np.ones_like(page), warp, (big_w, big_h))
    out = desk * (1 - mask) + cv2.warpPerspective(page, warp, (big_w, big_h)) * mask
    yy, xx = np.mgrid[0:big_h, 0:big_w].astype(np.float32)
    out *= 0.65 + 0.35 * (xx / big_w * rng.uniform(0.3, 1) + yy / big_h * rng.uniform(0, 0.7)) / 1.7
    cx, cy = rng.uniform(0, big_w), rng.uniform(0, big_h)
    out *= 0.7 + 0.3 * np.clip(((xx - cx) ** 2 + (yy - cy) ** 2) ** 0.5 / (0.5 * big_w), 0, 1)
    photo = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=rng.choice([50, 70, 85]))
    result = Image.open(io.BytesIO(buffer.getvalue()))
    result.load()
    return result


def scan_pdf(images: list[Image.Image], *, jpeg: bool = True) -> bytes:
    """A PDF whose pages are the images, full page, as a scanner makes them (no text layer)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    for image in images:
        data = io.BytesIO()
        if jpeg:
            image.convert("L").save(data, format="JPEG", quality=75)
        else:
            image.save(data, format="PNG")
        data.seek(0)
        canvas.drawImage(ImageReader(data), 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def text_pdf_with_picture(text_lines: list[str], picture: Image.Image, width_pt: float) -> bytes:
    """A typed page with a pasted picture (a signature block) below the text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setFont("Helvetica", 10)
    y = 800
    for line in text_lines:
        canvas.drawString(50, y, line)
        y -= 14
    data = io.BytesIO()
    picture.save(data, format="PNG")
    data.seek(0)
    height_pt = width_pt * picture.height / picture.width
    canvas.drawImage(ImageReader(data), 50, y - height_pt - 10, width=width_pt, height=height_pt)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def docx_with_pictures(paragraphs: list[str], pictures: list[tuple[Image.Image, str]],
                       header_picture: Image.Image | None = None) -> bytes:
    """A Word document with pictures pasted in: (image, where) with where "body" or "table"; optionally one in the
    header. Pictures are stored as JPEG (photos, scans) as Word stores pasted screenshots and photos."""
    from docx import Document
    from docx.shared import Inches

    def stream(image: Image.Image) -> io.BytesIO:
        data = io.BytesIO()
        image.convert("RGB").save(data, format="JPEG", quality=85)
        data.seek(0)
        return data

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for image, where in pictures:
        width = Inches(6.0 if image.width > image.height else 4.5)
        if where == "table":
            table = document.add_table(rows=1, cols=2)
            table.cell(0, 0).text = "Attached"
            table.cell(0, 1).paragraphs[0].add_run().add_picture(stream(image), width=Inches(4.0))
        else:
            document.add_picture(stream(image), width=width)
    if header_picture is not None:
        header = document.sections[0].header
        header.paragraphs[0].add_run().add_picture(stream(header_picture), width=Inches(5.5))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def crop_to_ink(image: Image.Image, pad: int = 30) -> Image.Image:
    from PIL import ImageOps

    box = ImageOps.invert(image.convert("L")).point(lambda v: 255 if v > 60 else 0).getbbox()
    if box is None:
        return image
    return image.crop((max(0, box[0] - pad), max(0, box[1] - pad), min(image.width, box[2] + pad),
                       min(image.height, box[3] + pad)))


def _scan_variant(rng: random.Random, index: int) -> Scan:
    """The index-th kind of scanned page, each with its own seeded look."""
    dpi = rng.choice([150, 200, 300])
    font = rng.choice(sorted(FONTS))
    kind = index % 7
    if kind == 0:
        return prose_page(rng, dpi, font, 1, rate=0.35)
    if kind == 1:
        return prose_page(rng, dpi, font, 2, rate=0.35)
    if kind == 2:
        return table_page(rng, dpi, font)
    if kind == 3:
        return letter_page(rng, dpi, font)
    if kind == 4:
        return prose_page(rng, dpi, font, 1, rate=0.0)  # a clean scan: nothing to find
    if kind == 5:
        return photo_page(rng, dpi, font)
    return handwritten_note(rng, 200, rng.choice([0.25, 0.9]))


def make_set(seed: int, documents: int = 20) -> list[ScanDocument]:
    """Scanned PDFs (one to three pages) and DOCX files with pasted pictures, alternately."""
    rng = random.Random(seed)
    out: list[ScanDocument] = []
    counter = 0
    for number in range(documents):
        if number % 2 == 0:
            scans = []
            for _ in range(rng.choice([1, 1, 2, 3])):
                scans.append(_scan_variant(rng, counter))
                counter += 1
            images = []
            labels: list[Label] = []
            unreadable: set[int] = set()
            maybe: set[int] = set()
            styles = []
            truth: dict[int, list[str]] = {}
            for page, scan in enumerate(scans, start=1):
                truth[page] = [scan.text]
                look = dict(skew=rng.uniform(-2.5, 2.5), blur=rng.choice([0, 0, 0.6, 1.0]),
                            noise=rng.choice([0, 0, 0.3, 0.6]), jpeg=rng.choice([None, 85, 50, 30]),
                            paper=rng.choice([255, 245, 232]))
                if rng.random() < 0.15:  # photographed with a phone rather than scanned
                    picture = photographed(rng, scan.image)
                    look = {"skew": 0.0, "blur": 0.8, "noise": 0, "jpeg": "photo"}
                else:
                    picture = degrade(rng, scan.image, **look)  # type: ignore[arg-type]
                turn = rng.choice([0, 0, 0, 0, 0, 0, 90, 180, 270])  # fed into the scanner the wrong way round
                images.append(picture.rotate(turn, expand=True) if turn else picture)
                look["turned"] = turn
                labels.extend(Label(page, label.kind, label.value) for label in scan.labels)
                if not scan.readable:
                    unreadable.add(page)
                if scan.expect_unreadable:
                    maybe.add(page)
                styles.append(f"{scan.style} skew {look['skew']:.1f} blur {look['blur']} noise {look['noise']} "
                              f"jpeg {look['jpeg']} turned {look['turned']}")
            out.append(ScanDocument(f"scan-{number:02d}.pdf", "pdf", scan_pdf(images), labels, len(images),
                                    styles, unreadable, maybe, truth))
            continue
        # DOCX: typed pseudonymised text with pasted pictures (a scanned letter, a table, a photo, a note)
        sentences, _ = _sentences(rng, 4, 0.0)
        pictures: list[tuple[Image.Image, str]] = []
        labels = []
        styles = []
        unreadable = set()
        maybe = set()
        truth = {1: []}
        for _ in range(rng.choice([1, 2])):
            scan = _scan_variant(rng, counter)
            counter += 1
            picture = crop_to_ink(degrade(rng, scan.image, skew=rng.uniform(-1.5, 1.5), blur=0, noise=0,
                                          jpeg=rng.choice([None, 60])))
            pictures.append((picture, rng.choice(["body", "body", "table"])))
            labels.extend(Label(1, label.kind, label.value) for label in scan.labels)
            styles.append(f"docx picture: {scan.style}")
            truth[1].append(scan.text)
            if not scan.readable:
                unreadable.add(1)
            if scan.expect_unreadable:
                maybe.add(1)
        header = None
        if rng.random() < 0.4:
            # a letterhead with the practice's details pasted into the header
            head = Image.new("L", (1600, 180), 255)
            draw = ImageDraw.Draw(head)
            code = postcode(rng)
            tel = f"0113 496 {rng.randrange(10000):04d}"
            draw.text((20, 20), "Meadowbank Surgery", font=_font("arial-like", 48), fill=0)
            draw.text((20, 100), f"Tel: {tel}  Postcode {code}", font=_font("arial-like", 40), fill=0)
            header = head
            labels += [Label(1, "phone", tel), Label(1, "postcode", code)]
            truth[1].append(f"Meadowbank Surgery\nTel: {tel}  Postcode {code}")
            styles.append("docx header letterhead")
        data = docx_with_pictures(sentences, pictures, header)
        out.append(ScanDocument(f"pasted-{number:02d}.docx", "docx", data, labels, 1, styles, unreadable, maybe,
                                truth))
    return out


def bundle_pages(seed: int, pages: int) -> bytes:
    """A fully scanned, properly anonymised bundle: `pages` full pages of typed report (one and two columns, several
    fonts, 150-300 dpi, slight skew, noise, JPEG), as one PDF, made a page at a time. Nothing to find: it queues."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    rng = random.Random(seed)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    for index in range(pages):
        scan = prose_page(rng, rng.choice([150, 200, 300]), rng.choice(sorted(FONTS)), 1 + index % 2, rate=0.0)
        page = degrade(rng, scan.image, skew=rng.uniform(-1, 1), blur=0, noise=0.2, jpeg=None)
        data = io.BytesIO()
        page.save(data, format="JPEG", quality=70)
        data.seek(0)
        canvas.drawImage(ImageReader(data), 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def signature_block(rng: random.Random) -> tuple[Image.Image, list[Label]]:
    """A pasted signature block: a scribble over a typed name and role (the name is what matters)."""
    given, family = person(rng)
    image = Image.new("L", (900, 260), 255)
    draw = ImageDraw.Draw(image)
    points = [(40 + i * 12, 60 + int(25 * math.sin(i / 2.5)) + rng.randrange(-8, 8)) for i in range(40)]
    draw.line(points, fill=20, width=4)
    draw.text((40, 130), f"Signed: {given} {family}", font=_font("arial-like", 44), fill=0)
    draw.text((40, 190), "Educational Psychologist", font=_font("arial-like", 40), fill=0)
    return image, [Label(1, "person_name", f"{given} {family}")]


def zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()
