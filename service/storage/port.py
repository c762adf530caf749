"""The storage port: what the application may ask of an object store, and the errors it may get back.

Objects are documents and drafts. Every adapter encrypts them with a per-object data key and checks
them on the way back (see crypto.py); callers deal only in plaintext, server-generated keys and the
plaintext's size and SHA-256.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncGenerator, AsyncIterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from service import clock

# Keys are "segment/segment/...": letters, digits, '.', '_', '-'; no segment starts with '.', which
# keeps out '.' and '..' (path traversal) and the local adapter's hidden temporary files.
_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9._-]*"
_KEY_PATTERN = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
MAX_KEY_LENGTH = 512


class StorageError(Exception):
    """Something went wrong storing or reading an object."""


class InvalidObjectKey(StorageError, ValueError):
    """The key is not a safe server-generated object key (e.g. it tries to climb out of the store)."""


class ObjectNotFound(StorageError):
    """No object is stored under the key."""

    def __init__(self, key: str) -> None:
        # The key stays an attribute, out of the message: messages end up in logs.
        super().__init__("object not found")
        self.key = key


class ObjectTooLarge(StorageError):
    """The upload went over its byte limit; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"object is larger than the limit of {limit} bytes")
        self.limit = limit


class IntegrityError(StorageError):
    """The stored bytes are not what was written: tampered, truncated, swapped or the wrong object."""


class StorageUnavailable(StorageError):
    """The store cannot be reached or used right now (readiness fails)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What was stored: the key, and the size and SHA-256 (hex) of the plaintext."""

    key: str
    size: int
    sha256: str


class Storage(Protocol):
    """An encrypting, integrity-checking object store."""

    async def put_stream(
        self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int | None = None
    ) -> StoredObject:
        """Encrypt and store the stream; over `max_bytes` or on any failure nothing is left behind."""
        ...

    async def put_bytes(self, key: str, data: bytes) -> StoredObject:
        """Encrypt and store `data`."""
        ...

    def open(self, key: str, *, expected_sha256: str | None = None) -> AsyncGenerator[bytes, None]:
        """Decrypt the object as a stream of authenticated plaintext pieces.

        Not-found and integrity errors surface while iterating; the SHA-256 is checked before the
        last piece is handed out. Close the iterator (`contextlib.aclosing`) if you stop early.
        """
        ...

    async def read_bytes(self, key: str, *, expected_sha256: str | None = None) -> bytes:
        """Decrypt the whole object into memory (small objects only)."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; removing a missing object is not an error."""
        ...

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under the key."""
        ...

    async def check(self) -> None:
        """Readiness: raise StorageUnavailable with a short reason if the store cannot be used."""
        ...


def validate_object_key(key: str) -> str:
    """Return the key if it is a safe object key, else raise InvalidObjectKey."""
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY_PATTERN.fullmatch(key):
        raise InvalidObjectKey("object key must be '/'-separated [A-Za-z0-9._-] segments, none starting '.'")
    return key


def new_object_key(prefix: str, *, now: datetime | None = None) -> str:
    """A fresh random key under `prefix`, e.g. "documents/2026/11/<uuid4hex>"; never from a file name."""
    validate_object_key(prefix)
    moment = now or clock.now()
    return f"{prefix}/{moment.year:04d}/{moment.month:02d}/{uuid.uuid4().hex}"
