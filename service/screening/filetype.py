"""Decide what a document is from its bytes, never from its name."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain",
}

EXTENSIONS: dict[str, frozenset[str]] = {
    "pdf": frozenset({".pdf"}),
    "docx": frozenset({".docx"}),
    "txt": frozenset({".txt", ".text"}),
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
DOCX_REQUIRED_PARTS = frozenset({"word/document.xml", "[Content_Types].xml"})
# Control characters that never occur in real text; tab, line feed, carriage return and form feed do.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_LOCAL_HEADER = re.compile(rb"PK\x03\x04.{22}(..)(..)", re.DOTALL)


def _zip_member_names(head: bytes) -> set[str]:
    """Names in a zip; from the central directory when it is all there, else from local headers."""
    try:
        with zipfile.ZipFile(io.BytesIO(head)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, KeyError):
        pass
    # Only the first bytes were given: walk the local file headers we have.
    names: set[str] = set()
    for match in _LOCAL_HEADER.finditer(head):
        name_length = int.from_bytes(match.group(1), "little")
        start = match.end()
        raw = head[start : start + name_length]
        if len(raw) == name_length:
            names.add(raw.decode("utf-8", errors="replace"))
    return names


def _is_text(head: bytes) -> bool:
    body = head.removeprefix(b"\xef\xbb\xbf")
    if not body:
        return False
    # The head may stop inside a multi-byte character: allow up to three dangling bytes.
    for cut in range(4):
        candidate = body[: len(body) - cut] if cut else body
        try:
            text = candidate.decode("utf-8")
        except UnicodeDecodeError:
            continue
        return not _CONTROL.search(text)
    return False


def detect_type(head: bytes) -> str | None:
    """'pdf', 'docx' or 'txt' judged from the content (the whole file or its first bytes), else None."""
    # Some readers tolerate junk before the header; we do not, so a polyglot cannot pass as text.
    if head.lstrip(b"\x00\t\n\r\x0c ").startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return "docx" if _zip_member_names(head) >= DOCX_REQUIRED_PARTS else None
    if head.startswith(OLE_MAGIC):
        return None  # legacy .doc or an encrypted Office file: see safety.check_docx_archive
    if _is_text(head):
        return "txt"
    return None


def extension_agrees(filename: str, kind: str) -> bool:
    """Whether the file's name ends as a file of this kind should."""
    return PurePath(filename).suffix.lower() in EXTENSIONS.get(kind, frozenset())
