"""A small client for ClamAV's clamd over TCP: the INSTREAM command, streaming bytes to be scanned.

Protocol (clamd(8), "INSTREAM"): send `zINSTREAM\\0`, then the data as chunks each prefixed by its length as a
4-byte unsigned big-endian integer, then a zero-length chunk. clamd answers one NUL-terminated line:
`stream: OK`, `stream: <signature> FOUND`, or `... ERROR` (e.g. `INSTREAM size limit exceeded. ERROR`).
No package in the lock speaks it, and it is this small.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# clamd's StreamMaxLength defaults to 25 MB; each chunk must stay well under it.
CHUNK_BYTES = 64 * 1024
MAX_REPLY_BYTES = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not give a verdict: the bytes are unscanned."""


@dataclass(frozen=True)
class ScanResult:
    """`signature` is the name of what clamd found, or None when the bytes are clean."""

    signature: str | None

    @property
    def infected(self) -> bool:
        return self.signature is not None


def parse_reply(reply: bytes) -> ScanResult:
    """clamd's one-line answer to INSTREAM; ScannerUnavailable for anything but OK or FOUND."""
    text = reply.rstrip(b"\0\n").decode("utf-8", "replace")
    _, _, verdict = text.partition(": ")
    if verdict == "OK":
        return ScanResult(None)
    if verdict.endswith(" FOUND"):
        return ScanResult(verdict.removesuffix(" FOUND").strip() or "unknown")
    raise ScannerUnavailable(f"clamd gave no verdict ({text[:80]!r})")


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "tcp" or not parts.hostname or parts.port is None:
        raise ScannerUnavailable("the scanner address is not tcp://HOST:PORT")
    return parts.hostname, parts.port


async def _instream(url: str, chunks: AsyncIterable[bytes]) -> ScanResult:
    host, port = _address(url)
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd at {host}:{port} cannot be reached ({exc.__class__.__name__})") from None
    try:
        writer.write(b"zINSTREAM\0")
        async for chunk in chunks:
            for start in range(0, len(chunk), CHUNK_BYTES):
                piece = chunk[start : start + CHUNK_BYTES]
                writer.write(struct.pack(">I", len(piece)) + piece)
                await writer.drain()
        writer.write(struct.pack(">I", 0))
        await writer.drain()
        reply = await reader.readuntil(b"\0")
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        # clamd closes the socket when a stream is over its StreamMaxLength: no verdict either way
        raise ScannerUnavailable(f"clamd broke off the scan ({exc.__class__.__name__})") from None
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return parse_reply(reply[:MAX_REPLY_BYTES])


async def scan(url: str, chunks: AsyncIterable[bytes], *, timeout: float) -> ScanResult:
    """Stream `chunks` to clamd at `url`; ScannerUnavailable when it is down, slow or answers an error."""
    try:
        return await asyncio.wait_for(_instream(url, chunks), timeout)
    except TimeoutError:
        raise ScannerUnavailable(f"clamd gave no verdict within {timeout:g}s") from None


async def ping(url: str, *, timeout: float = 2.0) -> bool:
    """Whether clamd answers PING with PONG."""
    try:
        host, port = _address(url)
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError, ScannerUnavailable):
        return False
    try:
        writer.write(b"zPING\0")
        await writer.drain()
        return (await asyncio.wait_for(reader.readuntil(b"\0"), timeout)) == b"PONG\0"
    except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return False
    finally:
        writer.close()
