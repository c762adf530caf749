"""Streaming bytes in and out of storage: the type decided by content, caps enforced while reading, no orphans."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

from service.errors import PayloadTooLarge, UnsupportedMediaType
from service.screening.filetype import MEDIA_TYPES, detect_type, extension_agrees
from service.storage import ObjectTooLarge, Storage, StoredObject, new_object_key

SNIFF_BYTES = 64 * 1024
# "the bytes of a file, its type for the server to decide": what generated clients send for a binary body
OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True)
class Received:
    stored: StoredObject
    kind: str
    media_type: str


class _Sniffer:
    """Passes the stream through while keeping its first bytes for content detection."""

    def __init__(self, source: AsyncIterable[bytes]) -> None:
        self.source = source
        self.head = bytearray()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.source:
            if len(self.head) < SNIFF_BYTES:
                self.head.extend(chunk[: SNIFF_BYTES - len(self.head)])
            if chunk:
                yield chunk


def check_declared(content_type: str | None, allowed: frozenset[str]) -> None:
    """The declared type must be one the upload accepts, or application/octet-stream (decided by content)."""
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared != OCTET_STREAM and declared not in {MEDIA_TYPES[kind] for kind in allowed}:
        accepted = ", ".join([*sorted(MEDIA_TYPES[kind] for kind in allowed), OCTET_STREAM])
        raise UnsupportedMediaType(f"Content-Type {declared or '(none)'} is not accepted; send one of: {accepted}")


def check_length(content_length: str | None, limit: int) -> None:
    """Refuse an over-cap body from its declared length, before reading a byte of it."""
    if content_length is not None and content_length.isascii() and content_length.isdigit() \
            and int(content_length) > limit:
        raise PayloadTooLarge(f"the body is {int(content_length)} bytes; the limit is {limit}", limit=limit)


async def receive(
    storage: Storage,
    chunks: AsyncIterable[bytes],
    *,
    prefix: str,
    filename: str,
    content_type: str | None,
    allowed: frozenset[str],
    limit: int,
) -> Received:
    """Store an upload encrypted, then confirm by its bytes that it is what it claims; else leave nothing."""
    check_declared(content_type, allowed)
    key = new_object_key(prefix)
    sniffer = _Sniffer(chunks)
    try:
        stored = await storage.put_stream(key, sniffer, max_bytes=limit)
    except ObjectTooLarge:
        raise PayloadTooLarge(f"the upload is over the limit of {limit} bytes", limit=limit) from None
    kind = detect_type(bytes(sniffer.head))
    declared = (content_type or "").split(";")[0].strip().lower()
    problem = None
    if kind is None or kind not in allowed:
        problem = "the file's content is not an accepted type (PDF, DOCX or plain text)"
    elif declared != OCTET_STREAM and MEDIA_TYPES[kind] != declared:
        problem = f"the file's content is {kind}, but it was sent as {declared}"
    elif not extension_agrees(filename, kind):
        problem = f"the file's content is {kind}; its name must end in the matching extension"
    if problem is not None:
        await storage.delete(key)
        raise UnsupportedMediaType(problem)
    assert kind is not None
    return Received(stored=stored, kind=kind, media_type=MEDIA_TYPES[kind])


def checksum_headers(sha256_hex: str) -> dict[str, str]:
    """Headers that let the receiver verify the bytes (RFC 9530 Repr-Digest, and a plain hex form)."""
    digest = base64.b64encode(bytes.fromhex(sha256_hex)).decode()
    return {"Repr-Digest": f"sha-256=:{digest}:", "X-Checksum-SHA256": sha256_hex}
