"""Pictures for the writer's copy: their metadata (EXIF, XMP, GPS, camera serials, comments, thumbnails) removed,
or the picture blanked (same size and format) where screening found something in it.

JPEG and PNG are rewritten losslessly, segment by segment and chunk by chunk; other raster formats are saved again
from their pixels alone. A picture that cannot be parsed is blanked rather than passed on with what it may carry.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

# JPEG segments kept: the image itself, JFIF's header (without its thumbnail) and Adobe's colour-transform flag.
_JPEG_KEEP_APP = {0xE0: b"JFIF\x00", 0xEE: b"Adobe"}
# PNG chunks kept: what the pixels need to be shown as they were; text, EXIF, time stamps and the rest go.
_PNG_KEEP = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
                       b"pHYs", b"bKGD", b"acTL", b"fcTL", b"fdAT"})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class PictureError(ValueError):
    """The picture could not be parsed: blank it."""


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG with every APPn and COM segment removed except JFIF (thumbnail cut) and Adobe."""
    if not data.startswith(b"\xff\xd8"):
        raise PictureError("not a JPEG")
    out = bytearray(b"\xff\xd8")
    position = 2
    while position < len(data):
        if data[position] != 0xFF:
            raise PictureError("broken JPEG segment")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += data[position : position + 2]
            position += 2
            continue
        if position + 4 > len(data):
            raise PictureError("truncated JPEG")
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        segment = data[position : position + 2 + length]
        if marker == 0xDA:  # start of scan: the entropy-coded data follows to the end
            out += data[position:]
            return bytes(out)
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            kept = _JPEG_KEEP_APP.get(marker)
            if kept is not None and segment[4 : 4 + len(kept)] == kept:
                if marker == 0xE0 and len(segment) >= 18:
                    # JFIF header with no thumbnail: version, units, densities, then 0 x 0
                    body = bytearray(segment[4:18])
                    body[12:14] = b"\x00\x00"
                    out += b"\xff\xe0" + struct.pack(">H", len(body) + 2) + bytes(body)
                else:
                    out += segment
        else:
            out += segment
        position += 2 + length
    raise PictureError("JPEG without an end")


def strip_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise PictureError("not a PNG")
    out = bytearray(_PNG_SIGNATURE)
    position = len(_PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data):
            raise PictureError("truncated PNG")
        if kind in _PNG_KEEP:
            out += data[position:end]
        position = end
        if kind == b"IEND":
            return bytes(out)
    raise PictureError("PNG without an end")


def _pixels_only(picture: Image.Image) -> Image.Image:
    """A new image from the pixels alone: none of the original's info, EXIF or tags."""
    fresh = Image.frombytes(picture.mode, picture.size, picture.tobytes())
    if picture.mode == "P":
        palette = picture.getpalette()
        if palette is not None:
            fresh.putpalette(palette)
    return fresh


def _format_of(data: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(data)) as opened:
            return opened.format
    except Exception:
        return None


def without_metadata(data: bytes) -> bytes:
    """The picture with its metadata removed; PictureError if it cannot be parsed."""
    if data.startswith(b"\xff\xd8"):
        return strip_jpeg(data)
    if data.startswith(_PNG_SIGNATURE):
        return strip_png(data)
    picture_format = _format_of(data)
    if picture_format not in {"GIF", "BMP", "TIFF", "WEBP", "ICO", "PCX", "DIB"}:
        raise PictureError("a picture format that cannot be cleaned")
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        fresh = _pixels_only(opened)
    out = io.BytesIO()
    fresh.save(out, format="BMP" if picture_format == "DIB" else picture_format)
    return out.getvalue()


def _white_png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return (_PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def blank(data: bytes) -> bytes:
    """A white picture of the same size and, where possible, the same format (PNG when it cannot be read)."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            size, picture_format = opened.size, opened.format
    except Exception:
        return _white_png(1, 1)
    width, height = max(1, min(size[0], 4000)), max(1, min(size[1], 4000))
    white = Image.new("RGB" if picture_format in {"JPEG", "WEBP"} else "L", (width, height), "white")
    out = io.BytesIO()
    try:
        white.save(out, format=picture_format or "PNG")
    except (KeyError, OSError, ValueError):
        return _white_png(width, height)
    return out.getvalue()


def clean_picture(data: bytes, *, withheld: bool) -> bytes:
    """What the writer's copy carries for a picture: blank if withheld or not cleanable, else without metadata."""
    if withheld:
        return blank(data)
    try:
        return without_metadata(data)
    except (PictureError, OSError, ValueError, struct.error):
        return blank(data)
