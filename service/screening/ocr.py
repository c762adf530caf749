"""Read pictures with OCR: RapidOCR (PP-OCR models shipped inside its wheel, run by onnxruntime on the CPU).

One engine per process, loaded on first use and used by one caller at a time (a lock), so a worker's memory stays
bounded whatever it screens. Each picture gets a deadline: recognition runs in small batches and stops when the
deadline passes, and a picture not read in time is reported as unreadable, never as clean.

`read_picture` answers the lines read (text, confidence, box) in reading order, and whether the picture holds
something OCR could not vouch for: text read with low confidence (handwriting, a very poor scan) or a photograph.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image

# Images are decoded from untrusted documents: refuse decompression bombs (Pillow raises above twice this).
Image.MAX_IMAGE_PIXELS = 60_000_000
# The detector sees the picture reduced to at most DETECT_SIDE on its longest side and at least DETECT_SHORT on its
# shortest (an A4 page: 905 x 640, where 10-point type at 150 dpi is still 10 pixels high); recognition reads crops
# of the full-resolution picture.
DETECT_SIDE = 960
DETECT_SHORT = 640
# Longest side a picture is reduced to before anything else (a 300 dpi A4 scan is 3508).
MAX_SIDE = 3600
# Lines read below READ_CONFIDENCE are noise the detectors never see. Lines below DOUBT_CONFIDENCE are not trusted
# to be what the picture says: typed text, even scanned at 150 dpi, blurred and JPEG-compressed, reads at 0.93 or
# more, handwriting at 0.6-0.9 (measured on the benchmark's set); enough of them make the picture unreadable.
READ_CONFIDENCE = 0.6
DOUBT_CONFIDENCE = 0.9
DOUBTFUL_CHARS = 12
# That many ordinary words read as no English word, making up that share of the words, make a picture doubtful.
MISSPELT_WORDS = 3
MISSPELT_SHARE = 0.15
# Lines are recognised in batches of up to REC_BATCH, and of at most REC_BATCH_WIDTH pixels of line (at the
# recogniser's 48-pixel height) in all: what recognition holds in memory at once stays bounded.
REC_BATCH = 8
REC_BATCH_WIDTH = 3000
MAX_LINES = 600
# How many of a page's longest lines vote on whether it is upside down.
ORIENTATION_SAMPLE = 12


class OcrUnavailable(Exception):
    """The OCR engine is not installed or cannot load: screening must refuse, never pass a picture unread."""


@dataclass(frozen=True)
class OcrLine:
    text: str
    confidence: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in the picture's pixels
    # the same box with the page's skew taken out: what reading order is worked out from
    level: tuple[float, float, float, float] | None = None
    # the line's four corners as the detector found them (a skewed line's box is taller than the line)
    corners: tuple[tuple[float, float], ...] | None = None

    @property
    def row_box(self) -> tuple[float, float, float, float]:
        return self.level or self.box


@dataclass
class OcrResult:
    """What OCR made of one picture."""

    lines: list[OcrLine] = field(default_factory=list)
    width: int = 0
    height: int = 0
    # Why the picture cannot be vouched for (None when every mark on it was read with confidence).
    unreadable: str | None = None
    seconds: float = 0.0
    turned: int = 0  # degrees clockwise the picture was turned to read it upright

    @property
    def text(self) -> str:
        """The lines read with confidence, in reading order, one text line per line."""
        return layout_text([line for line in self.lines if line.confidence >= READ_CONFIDENCE])


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _engine(threads: int) -> Any:
    try:
        from rapidocr import RapidOCR
    except ImportError as exc:  # pragma: no cover - the lock installs it
        raise OcrUnavailable("the OCR engine (rapidocr) is not installed; run `make .venv/.installed`") from exc
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    try:
        return RapidOCR(params={
            "Global.use_cls": False,
            "Global.text_score": 0.0,
            "Global.log_level": "error",
            "Global.max_side_len": DETECT_SIDE,
            "Det.limit_side_len": DETECT_SHORT,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
    except Exception as exc:
        raise OcrUnavailable(f"the OCR engine could not load its models ({exc.__class__.__name__})") from exc


def engine_available(threads: int = 2) -> str | None:
    """None when OCR works here; otherwise why not (the message a refusal carries)."""
    try:
        _engine(threads)
    except OcrUnavailable as exc:
        return str(exc)
    return None


def _to_array(picture: Image.Image) -> np.ndarray:
    if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
        # transparent parts are shown on white paper
        background = Image.new("RGB", picture.size, "white")
        background.paste(picture.convert("RGBA"), mask=picture.convert("RGBA").split()[-1])
        picture = background
    picture = picture.convert("RGB")
    scale = MAX_SIDE / max(picture.size)
    if scale < 1:
        picture = picture.resize((max(1, round(picture.width * scale)), max(1, round(picture.height * scale))))
    return np.asarray(picture)[:, :, ::-1].copy()  # BGR, as OpenCV has it


def _aspect(box: Any) -> float:
    points = np.asarray(box)
    width = float(points[:, 0].max() - points[:, 0].min())
    height = float(points[:, 1].max() - points[:, 1].min())
    return width / max(height, 1.0)


def _skew(boxes: list[Any]) -> float:
    """The page's skew (radians): the median slope of the top edges of long text lines."""
    angles = []
    for box in boxes:
        points = np.asarray(box, dtype=np.float64)
        dx, dy = points[1] - points[0]
        if dx > 3 * max(1.0, float(np.linalg.norm(points[3] - points[0]))):
            angles.append(float(np.arctan2(dy, dx)))
    return float(np.median(angles)) if angles else 0.0


def _batches(boxes: list[Any]) -> list[list[Any]]:
    batches: list[list[Any]] = []
    width = 0.0
    for box in boxes:
        line_width = 48 * _aspect(box)
        if not batches or len(batches[-1]) >= REC_BATCH or width + line_width > REC_BATCH_WIDTH:
            batches.append([])
            width = 0.0
        batches[-1].append(box)
        width += line_width
    return batches


def _detect(engine: Any, array: np.ndarray) -> list[Any]:
    detected = engine(array, use_det=True, use_cls=False, use_rec=False)
    boxes = getattr(detected, "boxes", None)
    return [] if boxes is None else list(boxes)


def _extent(box: Any) -> tuple[float, float]:
    points = np.asarray(box)
    return float(points[:, 0].max() - points[:, 0].min()), float(points[:, 1].max() - points[:, 1].min())


def _sideways(boxes: list[Any]) -> bool:
    """Most of the text runs up or down the picture (a page scanned or photographed on its side): lines of text are
    long and thin, so tall boxes outweighing wide ones, by their length, mean the page is turned a quarter."""
    tall = wide = 0.0
    tall_count = 0
    for box in boxes:
        width, height = _extent(box)
        if height >= 2 * width:
            tall += height
            tall_count += 1
        elif width >= 2 * height:
            wide += width
    return tall_count >= 3 and tall > 1.5 * wide


def _crop(array: np.ndarray, line: OcrLine) -> np.ndarray:
    """The line's own pixels: its corners straightened (on a skewed page its upright box takes in the lines beside)."""
    from rapidocr.utils.process_img import get_rotate_crop_image

    if line.corners is not None:
        return get_rotate_crop_image(array, np.asarray(line.corners, dtype=np.float32))
    return array[int(line.box[1]) : int(line.box[3]) + 1, int(line.box[0]) : int(line.box[2]) + 1]


def _reads_better_turned(engine: Any, array: np.ndarray, lines: list[OcrLine]) -> bool:
    """The page's longest lines, read poorly as they are, read better turned half round: a page fed in upside down.

    Upright type reads at 0.9 or more, so a page read well is never tried the other way (and costs nothing more);
    PP-OCR's own line-orientation classifier was tried first and missed noisy upside-down scans."""
    import cv2
    from rapidocr.ch_ppocr_rec import TextRecInput

    wide = sorted((line for line in lines if (line.box[2] - line.box[0]) >= 3 * (line.box[3] - line.box[1])),
                  key=lambda line: line.box[0] - line.box[2])[:ORIENTATION_SAMPLE]
    if len(wide) < 2:
        return False
    as_is = float(np.mean([line.confidence for line in wide]))
    if as_is >= DOUBT_CONFIDENCE:
        return False
    crops = [cv2.rotate(_crop(array, line), cv2.ROTATE_180) for line in wide]
    turned = float(np.mean(engine._load_rec_model()(TextRecInput(img=crops)).scores))
    return turned > as_is + 0.05


def _recognise(engine: Any, array: np.ndarray, result: OcrResult, deadline: float,
               boxes: list[Any] | None = None) -> None:
    """Read the lines of text on the (upright) picture into `result`: the boxes given, or those found on it."""
    from rapidocr.ch_ppocr_rec import TextRecInput
    from rapidocr.utils.process_img import get_rotate_crop_image

    if boxes is None:
        boxes = _detect(engine, array)
    result.lines = []
    result.height, result.width = array.shape[:2]
    if len(boxes) > MAX_LINES:
        result.unreadable = "too many marks to read (more than a page of text)"
        return
    recogniser = engine._load_rec_model()
    angle = _skew(boxes)
    rotation = np.array([[np.cos(-angle), -np.sin(-angle)], [np.sin(-angle), np.cos(-angle)]])
    # lines of like shape together, so a batch is not padded out to its longest line
    boxes.sort(key=_aspect)
    for batch in _batches(boxes):
        if time.monotonic() > deadline:
            result.unreadable = "not read within the time limit"
            return
        crops = [get_rotate_crop_image(array, np.asarray(box, dtype=np.float32).copy()) for box in batch]
        read = recogniser(TextRecInput(img=crops))
        for box, text, score in zip(batch, read.txts or (), read.scores, strict=False):
            points = np.asarray(box, dtype=np.float64)
            if not str(text).strip():
                continue
            level = points @ rotation.T
            result.lines.append(OcrLine(
                str(text), float(score),
                (float(points[:, 0].min()), float(points[:, 1].min()),
                 float(points[:, 0].max()), float(points[:, 1].max())),
                (float(level[:, 0].min()), float(level[:, 1].min()),
                 float(level[:, 0].max()), float(level[:, 1].max())),
                tuple((float(x), float(y)) for x, y in points)))


def read_picture(picture: Image.Image, *, deadline: float, threads: int = 2) -> OcrResult:
    """OCR one picture, giving up (unreadable) at `deadline` (a time.monotonic() value).

    Pages reach an LA sideways and upside down (scanned the wrong way round, photographed on a desk); read as they
    are, their lines are nonsense or not found at all. A quarter turn shows in the text boxes' shapes (long thin
    boxes standing up), and the picture is turned before it is read; a half turn shows only in how badly the lines
    read, and the picture is read again turned when its lines read better so."""
    import cv2

    engine = _engine(threads)
    started = time.monotonic()
    array = _to_array(picture)
    result = OcrResult()
    with _lock:
        boxes: list[Any] | None = _detect(engine, array)
        if _sideways(boxes or []):
            array = cv2.rotate(array, cv2.ROTATE_90_CLOCKWISE)
            result.turned = 90
            boxes = None
        _recognise(engine, array, result, deadline, boxes)
        if result.unreadable is None and _reads_better_turned(engine, array, result.lines):
            array = cv2.rotate(array, cv2.ROTATE_180)
            result.turned = (result.turned + 180) % 360
            _recognise(engine, array, result, deadline)
    if result.unreadable is None:
        result.unreadable = assess(array, result.lines)
    del array
    _trim()
    result.seconds = time.monotonic() - started
    return result


@lru_cache(maxsize=1)
def _libc() -> Any:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


def _trim() -> None:
    """Give the memory a page's OCR freed back to the system (glibc keeps it in per-thread arenas otherwise), so a
    long bundle's resident memory is one page's, not the sum of its fragments."""
    try:
        libc = _libc()
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        pass


# --- Can the picture be vouched for? -------------------------------------------------------------


def _mask_boxes(mask: np.ndarray, lines: list[OcrLine], pad: int) -> None:
    h, w = mask.shape
    for line in lines:
        x0, y0, x1, y1 = line.box
        mask[max(0, int(y0) - pad) : min(h, int(y1) + pad + 1), max(0, int(x0) - pad) : min(w, int(x1) + pad + 1)] = 0


def assess(array: np.ndarray, lines: list[OcrLine]) -> str | None:
    """Why OCR cannot vouch for the picture, or None.

    Two things make a picture unreadable: text that was seen but not read with confidence (handwriting, a blurred or
    broken scan), and marks outside every line read that look like a photograph (continuous tones over a large
    area). Rules, borders, logos in flat colour and specks of noise are neither."""
    import cv2

    gray = cv2.cvtColor(array, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    def alnum(line: OcrLine) -> int:
        return sum(char.isalnum() for char in line.text)

    confident = [line for line in lines if line.confidence >= DOUBT_CONFIDENCE]
    doubtful = [line for line in lines if line.confidence < DOUBT_CONFIDENCE and alnum(line) >= 3]

    def area(items: list[OcrLine]) -> float:
        return sum((line.box[2] - line.box[0]) * (line.box[3] - line.box[1]) for line in items)

    text_area = area(confident) + area(doubtful)
    if doubtful and (sum(alnum(line) for line in doubtful) >= DOUBTFUL_CHARS or area(doubtful) >= 0.15 * text_area):
        return "text that could not be read with confidence (handwriting or a poor scan)"
    if _misspelt(lines):
        return "text that could not be read with confidence (handwriting or a poor scan)"
    # Photographs: mid-tones (neither paper nor ink) over a large part of what is left once the text read is removed.
    small = max(1, max(h, w) // 400)
    rest = gray[::small, ::small].copy()
    keep = np.ones(rest.shape, dtype=np.uint8)
    # only what was read with confidence explains the marks under it (a detector's box around a whole photograph
    # read as "C" explains nothing)
    _mask_boxes(keep, [OcrLine(line.text, line.confidence,
                               tuple(v / small for v in line.box)) for line in confident],
                pad=2)
    blurred = cv2.GaussianBlur(rest, (5, 5), 0)
    paper = float(np.percentile(blurred, 90))
    mid = (blurred > 50) & (blurred < paper - 35) & (keep > 0)
    if mid.sum() == 0:
        return None
    # a photograph is a large connected region of mid-tones with texture, not thin strokes
    closed = cv2.morphologyEx(mid.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    total = rest.shape[0] * rest.shape[1]
    for index in range(1, count):
        bw, bh = stats[index, cv2.CC_STAT_WIDTH], stats[index, cv2.CC_STAT_HEIGHT]
        pixels = stats[index, cv2.CC_STAT_AREA]
        if bw * bh >= 0.04 * total and pixels >= 0.5 * bw * bh and min(bw, bh) >= 20:
            region = blurred[stats[index, 1] : stats[index, 1] + bh, stats[index, 0] : stats[index, 0] + bw]
            if float(region.std()) >= 12:
                return "a photograph or picture with no text that could be read"
    return None


_LOWER_WORD = re.compile(r"(?<![\w'-])[a-z]{3,}(?![\w'-])")


def _misspelt(lines: list[OcrLine]) -> bool:
    """Ordinary words read as no English word ("woried", "schod"): OCR was confident of what it read, but it read
    handwriting or a broken scan wrongly, and the numbers and names on the picture may be misread alike. Typed text
    read well has almost none (names and places are capitalised, so not counted)."""
    from service.screening.detectors import english_count

    words = [word for line in lines if line.confidence >= READ_CONFIDENCE
             for word in _LOWER_WORD.findall(line.text)]
    unknown = sum(1 for word in words if english_count(word) == 0)
    return unknown >= MISSPELT_WORDS and unknown >= MISSPELT_SHARE * len(words)


# --- Reading order -------------------------------------------------------------------------------


def _rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda item: ((item.row_box[1] + item.row_box[3]) / 2, item.row_box[0])):
        centre = (line.row_box[1] + line.row_box[3]) / 2
        if rows:
            last = rows[-1]
            top = min(item.row_box[1] for item in last)
            bottom = max(item.row_box[3] for item in last)
            height = bottom - top
            if top <= centre <= bottom and abs(centre - (top + bottom) / 2) <= 0.5 * height:
                last.append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda item: item.row_box[0]) for row in rows]


def _join_row(row: list[OcrLine]) -> str:
    """Pieces of one row: a small gap is a space, a wide one (a table's next cell) a line break."""
    out = row[0].text
    for previous, line in itertools.pairwise(row):
        height = max(previous.row_box[3] - previous.row_box[1], 1.0)
        gap = line.row_box[0] - previous.row_box[2]
        out += ("\n" if gap > 2.5 * height else " ") + line.text
    return out


def _gutter(lines: list[OcrLine]) -> float | None:
    """The x of a column gutter when the page is set in two columns of prose, else None."""
    if len(lines) < 8:
        return None
    left_edge = min(line.row_box[0] for line in lines)
    right_edge = max(line.row_box[2] for line in lines)
    span = right_edge - left_edge
    best: tuple[int, float] | None = None
    for step in range(30, 71):
        x = left_edge + span * step / 100
        crossing = sum(1 for line in lines if line.row_box[0] < x < line.row_box[2])
        if best is None or crossing < best[0]:
            best = (crossing, x)
    assert best is not None
    crossing, x = best
    left = [line for line in lines if line.row_box[2] <= x]
    right = [line for line in lines if line.row_box[0] >= x]
    if crossing > 0.15 * len(lines) or len(left) < 0.25 * len(lines) or len(right) < 0.25 * len(lines):
        return None
    # Prose fills its column (lines reach near the gutter); a table's label cells do not.
    left_widths = sorted(line.row_box[2] - line.row_box[0] for line in left)
    right_widths = sorted(line.row_box[2] - line.row_box[0] for line in right)
    if left_widths[len(left_widths) // 2] < 0.6 * (x - left_edge):
        return None
    if right_widths[len(right_widths) // 2] < 0.6 * (right_edge - x):
        return None
    return x


def layout_text(lines: list[OcrLine]) -> str:
    """The lines as text in reading order: rows top to bottom, and two columns one after the other."""
    if not lines:
        return ""
    gutter = _gutter(lines)
    if gutter is None:
        return normalise("\n".join(_join_row(row) for row in _rows(lines)))
    spanning = [line for line in lines if line.row_box[0] < gutter < line.row_box[2]]
    left = [line for line in lines if line.row_box[2] <= gutter]
    right = [line for line in lines if line.row_box[0] >= gutter]
    # full-width lines (a title, a footer) split the page into bands read column by column
    edges = sorted([line.row_box[1] for line in spanning])
    cuts = [float("-inf"), *edges, float("inf")]
    out: list[str] = []
    for top, bottom in itertools.pairwise(cuts):
        for column in (left, right):
            rows = _rows([line for line in column if top <= line.row_box[1] < bottom])
            out.extend(_join_row(row) for row in rows)
        out.extend(line.text for line in spanning if line.row_box[1] == bottom)
    return normalise("\n".join(out))


# --- Normalising what OCR gives --------------------------------------------------------------------

_LABEL_WORDS = (
    r"NHS|number|no\.?|postcode|post\s?code|DOB|D\.O\.B\.?|birth|born|UPN|NI|tel|telephone|mobile|phone|email|"
    r"e-mail|address|name|child|mother|father|parent|carer|pupil|dear|mr|mrs|ms|miss|dr"
)
_GLUED_LABEL = re.compile(rf"(?i)\b({_LABEL_WORDS})(?=[0-9])")
_GLUED_NHS = re.compile(r"\b(NHS)(?=[a-z])")
_NOT_EMAIL = r"(?![\w.%+'-]*@)"
_LOWER_UPPER = re.compile(rf"(?<=[a-z]{{2}})(?<!Mc)(?<!Mac)(?=[A-Z]){_NOT_EMAIL}")
_LOWER_DIGIT = re.compile(rf"(?<=[a-z]{{3}})(?=\d){_NOT_EMAIL}")
_PUNCT_LETTER = re.compile(r"(?<=[^\W\d_]{2})([,;:])(?=[^\W_])")
_CONFUSED_IN_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1",
                                     "i": "1", "!": "1", "S": "5", "B": "8", "Z": "2"})
_DIGITISH = re.compile(r"[0-9OoDQlI|i!SBZ]")
_AT_EDGE = frozenset("OolI|!")  # S, B, Z, D, Q only between two digits: they start UPNs and end NI numbers
_TOKEN = re.compile(r"[0-9A-Za-z|!]+(?:[/.-][0-9A-Za-z|!]+)*")
_WORD = re.compile(r"(?<![\w.@])[0-9A-Za-z]+(?![\w@]|\.\w)")
_COMMA_DIGIT = re.compile(r"(?<=\d{4}),(?=\d)|(?<=[^\W\d_]),(?=\d)")
_EMAIL_GAPS = re.compile(r"([\w.%+-]+)\s*(?:@|\(a\)|©)\s*([\w-]+(?:\s*\.\s*[\w-]+)+)")
_EMAIL_LOCAL_GAP = re.compile(r"(?<![\w.])([A-Za-z][\w%+-]*\.)\s(?=[\w.%+-]+@)")
_ZERO_APOSTROPHE = re.compile(r"(?<![\w'])0'(?=[A-Z][a-z])")  # "0'Brien" is O'Brien
_DIGITS_GLUED_TO_WORD = re.compile(r"(?<=\d{3})(?=[a-z]{3})")
# an NHS number whose groups OCR ran together or split elsewhere ("451170 5941"): regrouped when its check digit holds
_NHS_GROUPS = re.compile(r"(?<![\w/.-])\d{1,7}(?: \d{1,7}){1,2}(?![\w/]|[.,]\d)")
# a postcode whose digits OCR read as letters ("PElY 2JT", "RG2l 4AB", handwriting's "NNg 2NF", "CVi5"; "LS6 ZQT"
# stays: Z is no digit here), or whose inward code it split ("LN11 1 WD")
_POSTCODE_SHAPE = re.compile(
    r"(?<![\w-])([A-Z058]{1,2})([0-9lIiO|gq])([0-9A-Z]|[lIiO|gq])?(\.? ?)([0-9Ogq]) ?([A-Z]{2})(?![\w-])"
)
_POSTCODE_INWARD_O = re.compile(r"(?<![\w-])([A-Z]{1,2}\d[A-Z\d]?\s?)[Oo]([A-Z]{2})(?![\w-])")


def _fix_digits(token: str) -> str:
    """In a run that is mostly digits (an NHS number read as 943 476 59l9), letters OCR confuses become digits."""
    digits = sum(char.isdigit() for char in token)
    digitish = sum(bool(_DIGITISH.fullmatch(char)) or char in "/.-" for char in token)
    if digits < 2 or digitish < 0.8 * len(token) or digits < 0.4 * len(token):
        return token
    def letter(char: str) -> bool:
        return char.isalpha() and char not in _AT_EDGE

    chars = list(token)
    for index, char in enumerate(token):
        before = token[index - 1] if index else ""
        after = token[index + 1] if index + 1 < len(token) else ""
        if char in _AT_EDGE and not letter(before) and not letter(after):  # "SO16" keeps its O
            chars[index] = char.translate(_CONFUSED_IN_DIGITS)
    for index, char in enumerate(chars):
        if 0 < index < len(chars) - 1 and chars[index - 1].isdigit() and chars[index + 1].isdigit():
            chars[index] = char.translate(_CONFUSED_IN_DIGITS)
    return "".join(chars)


def _fix_letters(token: str) -> str:
    """A 0 or 1 inside a word of letters ("0liver", "Ho11and") is the letter O or l."""
    from service.screening.detectors import english_count, gazetteer

    letters = sum(char.isalpha() for char in token)
    lower = sum(char.islower() for char in token)
    if any(char.isdigit() for char in token if char not in "01"):
        return token
    stem = token.rstrip("01")
    if len(token) >= 3 and stem.isalpha() and stem != token and (stem.islower() or stem[1:].islower()):
        # a short everyday word ending in ones ("ca11", "wi11", "a11"): a word only when it reads as one
        word = token.replace("1", "l").replace("0", "o")
        return word if english_count(word.lower()) else token
    if token[:1] == "l" and token[1:].isalpha() and token[1:].islower() and not english_count(token):
        # a capital I read as l at the start of a name ("lonut", "lsla")
        names = gazetteer()
        named = "I" + token[1:]
        return named if named in names.any_given or named in names.any_family else token
    # a word ("0liver"), not a code in capitals ("PE1Y", "A1")
    if letters < 3 or lower < 2 or letters < 0.6 * len(token):
        return token
    out = []
    for index, char in enumerate(token):
        if char in "01":
            after = token[index + 1] if index + 1 < len(token) else ""
            upper = index == 0 and after.islower()
            char = ("O" if upper else "o") if char == "0" else ("I" if upper else "l")
        out.append(char)
    return "".join(out)


def normalise(text: str) -> str:
    """OCR text made fit for the detectors: lost spaces restored, 0/O and 1/l fixed by context, e-mails rejoined.

    Conservative by design: only where the reading is unambiguous (a letter among digits in a number, a digit among
    letters in a word, a label glued to its value), so that what the detectors see is what a reader would read."""
    text = text.replace("\u2014", "-").replace("\u2013", "-").replace("\u2019", "'")
    text = _GLUED_LABEL.sub(r"\1 ", text)
    text = _GLUED_NHS.sub(r"\1 ", text)
    text = _LOWER_UPPER.sub(" ", text)
    text = _LOWER_DIGIT.sub(" ", text)
    text = _PUNCT_LETTER.sub(r"\1 ", text)
    text = _COMMA_DIGIT.sub(", ", text)
    text = _POSTCODE_SHAPE.sub(_repair_postcode, text)
    text = _TOKEN.sub(lambda match: _fix_digits(match.group(0)), text)
    text = _WORD.sub(lambda match: _fix_letters(match.group(0)), text)
    text = _ZERO_APOSTROPHE.sub("O'", text)
    text = _EMAIL_GAPS.sub(lambda m: m.group(1) + "@" + re.sub(r"\s+", "", m.group(2)), text)
    text = _EMAIL_LOCAL_GAP.sub(r"\1", text)
    text = _POSTCODE_INWARD_O.sub(r"\g<1>0\2", text)
    text = _DIGITS_GLUED_TO_WORD.sub(" ", text)
    text = _NHS_GROUPS.sub(_regroup_nhs, text)
    return text


_AREA_FIX = str.maketrans("058", "OSB")


def _repair_postcode(match: re.Match[str]) -> str:
    from service.screening.detectors import POSTCODE_AREAS

    area, digit, tail, space, inward_digit, inward = match.groups()
    area = area.translate(_AREA_FIX)  # "0X4 1LP" is Oxford's
    if area not in POSTCODE_AREAS:
        return match.group(0)
    fix = str.maketrans("lIi|Ogq", "1111099")
    tail = (tail or "").translate(fix) if tail in ("l", "I", "i", "|", "g", "q") else tail or ""
    space = " " if "." in space else space  # "NE4R. 8LS": a speck read as a point
    repaired = f"{area}{digit.translate(fix)}{tail}"
    return f"{repaired}{space}{inward_digit.translate(fix)}{inward}"


def _regroup_nhs(match: re.Match[str]) -> str:
    from service.screening.detectors import nhs_number_valid

    digits = match.group(0).replace(" ", "")
    phone_like = digits.startswith("0") and len(match.group(0).split(" ")[0]) >= 4
    if len(digits) != 10 or phone_like or not nhs_number_valid(digits):
        return match.group(0)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
