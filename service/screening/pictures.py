"""The pictures in a document that a reader sees and the text layer does not say: what OCR must read.

PDF: a page whose images cover most of it (a scan), or whose text layer is nearly empty while it holds images, is
read whole, rendered by PDFium; on a textual page each image big enough to carry a line of text (a pasted signature
block, a letterhead) is read on its own. DOCX: every picture part (`word/media/*` and any other image part, in the
body, headers, footers, text boxes and `mc:Fallback` alike), placed on the page that refers to it.
"""

from __future__ import annotations

import io
import posixpath
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from PIL import Image, UnidentifiedImageError

from service.screening.extract import REL, XML_PARSER, docx_picture_pages
from service.screening.safety import UnsafeDocument

# PDFium keeps global state: one thread at a time in it.
PDFIUM_LOCK = threading.Lock()
RENDER_DPI = 200
# A page is a scan when its images cover this share of it, or cover some of it while its text layer is near empty.
SCAN_COVERAGE = 0.5
THIN_TEXT_CHARS = 80
# Images smaller than this (points) cannot hold a legible line: rules, bullets, specks.
MIN_IMAGE_POINTS = (30.0, 10.0)
MIN_IMAGE_PIXELS = 16
MAX_FRAMES = 10
PICTURE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".gif", ".bmp", ".dib", ".tif", ".tiff", ".webp",
     ".emf", ".wmf", ".emz", ".wmz", ".svg", ".ico", ".pcx"}
)  # fmt: skip
_VECTOR = frozenset({".emf", ".wmf", ".emz", ".wmz"})


@dataclass
class Picture:
    """One thing to read: `images` are its pixels (several for a multi-frame TIFF), or `problem` says why there
    are none to read. `label` tells the LA where it is; `part` is the DOCX part (for the writer's copy)."""

    page: int
    label: str
    whole_page: bool = False
    part: str | None = None
    images: tuple[Image.Image, ...] = ()
    text: str | None = None  # text a picture carries as text (SVG)
    problem: str | None = None


def is_picture_part(name: str) -> bool:
    """Whether an archive part is a picture screening reads (the package thumbnail is dropped, not read)."""
    return not name.startswith("docProps/") and posixpath.splitext(name.lower())[1] in PICTURE_EXTENSIONS


# --- PDF -----------------------------------------------------------------------------------------


def _covered_share(boxes: list[tuple[float, float, float, float]], width: float, height: float) -> float:
    """The share of the page the boxes cover (their union, on a coarse grid)."""
    if not boxes or width <= 0 or height <= 0:
        return 0.0
    grid = 64
    cells = [[False] * grid for _ in range(grid)]
    for left, bottom, right, top in boxes:
        x0 = max(0, int(left / width * grid))
        x1 = min(grid, int(right / width * grid + 0.999))
        y0 = max(0, int(bottom / height * grid))
        y1 = min(grid, int(top / height * grid + 0.999))
        for y in range(y0, y1):
            for x in range(x0, x1):
                cells[y][x] = True
    return sum(sum(row) for row in cells) / (grid * grid)


def _render(page: object, scale: float, crop: tuple[float, float, float, float] = (0, 0, 0, 0)) -> Image.Image:
    bitmap = page.render(scale=scale, crop=crop, grayscale=False)  # type: ignore[attr-defined]
    try:
        return bitmap.to_pil().convert("RGB")  # type: ignore[no-any-return]
    finally:
        bitmap.close()


def pdf_pictures(data: bytes, page_texts: list[str]) -> Iterator[Picture]:
    """Pages and images of a PDF that OCR must read, rendered one at a time (so memory holds one page)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    scale = RENDER_DPI / 72
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(data)
    try:
        for index in range(len(document)):
            number = index + 1
            with PDFIUM_LOCK:
                page = document[index]
                width, height = page.get_size()
                boxes = []
                for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4):
                    left, bottom, right, top = image.get_bounds()
                    left, right = max(0.0, left), min(width, right)
                    bottom, top = max(0.0, bottom), min(height, top)
                    if right - left >= MIN_IMAGE_POINTS[0] and top - bottom >= MIN_IMAGE_POINTS[1]:
                        boxes.append((left, bottom, right, top))
            if not boxes:
                with PDFIUM_LOCK:
                    page.close()
                continue
            text = page_texts[index] if index < len(page_texts) else ""
            covered = _covered_share(boxes, width, height)
            if covered >= SCAN_COVERAGE or len("".join(text.split())) < THIN_TEXT_CHARS:
                with PDFIUM_LOCK:
                    rendered = _render(page, scale)
                    page.close()
                yield Picture(page=number, label=f"page {number}", whole_page=True, images=(rendered,))
                continue
            crops = []
            with PDFIUM_LOCK:
                for left, bottom, right, top in boxes:
                    crops.append(_render(page, scale, (left, bottom, width - right, height - top)))
                page.close()
            for picture_number, crop in enumerate(crops, start=1):
                yield Picture(page=number, label=f"page {number}, picture {picture_number}", images=(crop,))
    finally:
        with PDFIUM_LOCK:
            document.close()


# --- DOCX ----------------------------------------------------------------------------------------


def _svg_text(data: bytes) -> str:
    try:
        root = etree.fromstring(data, XML_PARSER)
    except etree.XMLSyntaxError:
        return ""
    return "\n".join(" ".join(text.split()) for text in root.itertext() if text.strip())


def decode_picture(data: bytes, extension: str) -> tuple[tuple[Image.Image, ...], str | None]:
    """The frames of a picture, or why it cannot be read."""
    if extension in _VECTOR:
        return (), f"a drawing in a format OCR cannot read ({extension.lstrip('.').upper()})"
    try:
        with Image.open(io.BytesIO(data)) as opened:
            frames = []
            for frame in range(min(getattr(opened, "n_frames", 1), MAX_FRAMES)):
                opened.seek(frame)
                frames.append(opened.copy())
                frames[-1].load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return (), "a picture that cannot be opened"
    return tuple(frames), None


def docx_pictures(data: bytes) -> Iterator[Picture]:
    """Every picture part of a DOCX, on the page that refers to it (page 1 when only a header or fallback does)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pages = docx_picture_pages(archive)
        for name in sorted(archive.namelist()):
            if not is_picture_part(name):
                continue
            extension = posixpath.splitext(name.lower())[1]
            content = archive.read(name)
            page = pages.get(name, 1)
            label = f"picture {posixpath.basename(name)}"
            if extension == ".svg":
                yield Picture(page=page, label=label, part=name, text=_svg_text(content))
                continue
            frames, problem = decode_picture(content, extension)
            if frames and (max(frames[0].size) < MIN_IMAGE_PIXELS or min(frames[0].size) < 4):
                continue
            yield Picture(page=page, label=label, part=name, images=frames, problem=problem)


def _guarded(found: Iterator[Picture], message: str) -> Iterator[Picture]:
    """A damaged file found while looking for its pictures is refused like one found reading its text."""
    try:
        yield from found
    except UnsafeDocument:
        raise
    except Exception as exc:  # zipfile, lxml and PDFium raise many kinds of error on broken files
        raise UnsafeDocument(message) from exc


def pictures(kind: str, data: bytes, page_texts: list[str]) -> Iterator[Picture]:
    """What OCR must read in the document, one picture at a time; UnsafeDocument if the file is damaged."""
    if kind == "pdf":
        return _guarded(pdf_pictures(data, page_texts),
                        "The PDF is damaged or incomplete and cannot be read; please export it again and resend it.")
    if kind == "docx":
        return _guarded(docx_pictures(data),
                        "The Word document is damaged (its pictures cannot be read); please save it again from Word.")
    return iter(())


__all__ = ["REL", "Picture", "decode_picture", "is_picture_part", "pictures"]
