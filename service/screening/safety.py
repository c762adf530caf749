"""Refuse hostile or unreadable documents before any parser unpacks them."""

from __future__ import annotations

import io
import os
import stat
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from service.screening.filetype import DOCX_REQUIRED_PARTS, OLE_MAGIC

DataOrPath = bytes | str | os.PathLike[str]


class UnsafeDocument(Exception):
    """A document we will not open, with a reason an LA officer can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on a DOCX (zip) archive, checked from its directory before anything is unpacked."""

    max_entries: int = 1_000
    max_total_uncompressed: int = 256 * 1024 * 1024
    max_entry_uncompressed: int = 128 * 1024 * 1024
    # Word XML compresses 5-30 times; zip bombs reach thousands. Ratios are only judged on
    # entries big enough to matter, since a tiny repetitive part legitimately compresses well.
    max_entry_ratio: float = 200.0
    max_total_ratio: float = 100.0
    ratio_floor: int = 1024 * 1024


@dataclass(frozen=True)
class PdfLimits:
    max_pages: int = 2_000


def _open(data_or_path: DataOrPath) -> IO[bytes]:
    if isinstance(data_or_path, bytes):
        return io.BytesIO(data_or_path)
    try:
        return Path(data_or_path).open("rb")
    except OSError as exc:
        raise UnsafeDocument(f"The file {os.fspath(data_or_path)!s} could not be opened.") from exc


def _head(stream: IO[bytes], size: int) -> bytes:
    stream.seek(0)
    head = stream.read(size)
    stream.seek(0)
    return head


def _bad_path(name: str) -> bool:
    windows = name.replace("\\", "/")
    if windows.startswith("/") or (len(windows) > 1 and windows[1] == ":"):
        return True
    return ".." in PurePosixPath(windows).parts


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    unix_mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(unix_mode)


_NOT_DOCX = (
    "The file is not a readable Word (.docx) document; please open it in Word and save it again as .docx."
)
_ENCRYPTED_DOCX = (
    "The Word document is password-protected (or is an old-style .doc file); "
    "please remove the password and save it as .docx."
)


def check_docx_archive(data_or_path: DataOrPath, limits: ArchiveLimits | None = None) -> None:
    """Raise UnsafeDocument unless the DOCX's zip directory is within limits and has no tricks.

    Python's zipfile stops reading an entry at the size its directory declares, so the declared
    sizes checked here bound what any later reader unpacks.
    """
    limits = limits or ArchiveLimits()
    with _open(data_or_path) as stream:
        if _head(stream, 8) == OLE_MAGIC:
            raise UnsafeDocument(_ENCRYPTED_DOCX)
        try:
            with zipfile.ZipFile(stream) as archive:
                entries = archive.infolist()
        except Exception as exc:  # a hostile zip may break zipfile in many ways
            raise UnsafeDocument(_NOT_DOCX) from exc
    if len(entries) > limits.max_entries:
        raise UnsafeDocument(
            f"The Word document holds {len(entries)} internal parts (the limit is {limits.max_entries}); "
            "please save it again from Word or send it as PDF."
        )
    names: set[str] = set()
    total_size = 0
    total_compressed = 0
    for info in entries:
        if _bad_path(info.filename):
            raise UnsafeDocument(
                "The Word document contains a part with an unsafe file path; "
                "please save it again from Word or send it as PDF."
            )
        if _is_symlink(info):
            raise UnsafeDocument(
                "The Word document contains a link to another file; please save it again from Word."
            )
        if info.flag_bits & 0x1:
            raise UnsafeDocument(_ENCRYPTED_DOCX)
        if info.file_size > limits.max_entry_uncompressed:
            raise UnsafeDocument(
                f"The Word document contains a part of {info.file_size // (1024 * 1024)} MB when unpacked "
                "(too large to screen); please reduce the images or send it as PDF."
            )
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_entry_ratio * max(
            info.compress_size, 1
        ):
            raise UnsafeDocument(
                "The Word document is compressed to an implausible degree (a 'zip bomb' pattern); "
                "please save it again from Word or send it as PDF."
            )
        names.add(info.filename)
        total_size += info.file_size
        total_compressed += info.compress_size
    if total_size > limits.max_total_uncompressed:
        raise UnsafeDocument(
            f"The Word document unpacks to {total_size // (1024 * 1024)} MB (the limit is "
            f"{limits.max_total_uncompressed // (1024 * 1024)} MB); "
            "please reduce the images or send it as PDF."
        )
    if total_size > limits.ratio_floor and total_size > limits.max_total_ratio * max(total_compressed, 1):
        raise UnsafeDocument(
            "The Word document is compressed to an implausible degree (a 'zip bomb' pattern); "
            "please save it again from Word or send it as PDF."
        )
    if not names >= DOCX_REQUIRED_PARTS:
        raise UnsafeDocument(_NOT_DOCX)


def check_pdf(data_or_path: DataOrPath, limits: PdfLimits | None = None) -> int:
    """The PDF's page count; UnsafeDocument if it is malformed, password-protected or too long.

    A PDF encrypted only with an owner password (printing or copying restrictions) opens with an
    empty password and is accepted: its text is readable and the writers' copy is saved unencrypted.
    """
    from pypdf import PdfReader

    limits = limits or PdfLimits()
    with _open(data_or_path) as stream:
        if not _head(stream, 1024).lstrip(b"\x00\t\n\r\x0c ").startswith(b"%PDF-"):
            raise UnsafeDocument("The file is not a PDF; please check it was saved or exported as PDF.")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reader = PdfReader(stream, strict=False)
                if reader.is_encrypted:
                    try:
                        opened = bool(reader.decrypt(""))
                    except Exception:  # an unsupported cipher is as closed to us as a password
                        opened = False
                    if not opened:
                        raise UnsafeDocument(
                            "The PDF is password-protected; please send it without a password."
                        )
                pages = len(reader.pages)
                if pages and pages <= limits.max_pages:
                    # Touch every page's contents so a broken page tree or stream fails here, not later.
                    for page in reader.pages:
                        page.get_contents()
        except UnsafeDocument:
            raise
        except Exception as exc:  # pypdf raises many kinds of error on broken files
            raise UnsafeDocument(
                "The PDF is damaged or incomplete and cannot be read; please export it again and resend it."
            ) from exc
    if pages == 0:
        raise UnsafeDocument("The PDF has no pages; please check the right file was sent.")
    if pages > limits.max_pages:
        raise UnsafeDocument(
            f"The PDF has {pages} pages (the limit is {limits.max_pages}); "
            "please split it into smaller files."
        )
    return pages
