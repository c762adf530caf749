"""The shared half of every adapter: encrypt, measure and cap uploads, decrypt and check downloads.

An adapter only moves sealed bytes: it supplies a blocking `RawWriter` (write, commit, abort) and
`RawReader` (read, close). Sealing, hashing and the adapter's I/O run in worker threads, a batch at a
time, so the event loop never waits on disk, network or a large AES pass.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Sequence
from typing import Protocol

import anyio
import anyio.to_thread

from service.storage.crypto import DEFAULT_CHUNK_SIZE, MasterKey, ObjectOpener, ObjectSealer
from service.storage.port import ObjectTooLarge, StoredObject, validate_object_key

# Plaintext is handed to a worker thread in batches of about this size: big enough that thread hops
# cost little, small enough that memory stays flat whatever the object size.
BATCH_BYTES = 1024 * 1024


class RawWriter(Protocol):
    """Blocking sink for one object's sealed bytes; nothing is visible until `commit`.

    Creating one must do no I/O (files, requests happen in `write`): it is made before the clean-up
    guard is in place, so anything it opened could not be removed.
    """

    def write(self, data: bytes) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None:
        """Remove everything written so far (and the object, if a commit was attempted)."""
        ...


class RawReader(Protocol):
    """Blocking source of one object's sealed bytes.

    Like a writer, creating one does no I/O; the first `read` opens the object (ObjectNotFound).
    """

    def read(self) -> bytes:
        """The next block, or b"" at the end."""
        ...

    def close(self) -> None: ...


async def _bytes_in_batches(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), BATCH_BYTES):
        yield data[start : start + BATCH_BYTES]


class SealedStorage(abc.ABC):
    """Storage port implementation over an adapter's raw writer and reader."""

    def __init__(
        self,
        master_key: MasterKey,
        *,
        retired_keys: Sequence[MasterKey] = (),
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self._master_key = master_key
        # Objects sealed under an earlier master key stay readable after a rotation.
        self._open_keys = (master_key, *retired_keys)
        self._chunk_size = chunk_size

    @abc.abstractmethod
    def _begin_write(self, key: str) -> RawWriter: ...

    @abc.abstractmethod
    def _begin_read(self, key: str) -> RawReader: ...

    @abc.abstractmethod
    async def delete(self, key: str) -> None: ...

    @abc.abstractmethod
    async def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    async def check(self) -> None: ...

    async def put_stream(
        self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int | None = None
    ) -> StoredObject:
        validate_object_key(key)
        sealer = ObjectSealer(self._master_key, key, chunk_size=self._chunk_size)
        writer = self._begin_write(key)
        received = 0
        batch = bytearray()

        def seal_and_write(plaintext: bytearray) -> None:
            sealed = sealer.update(plaintext)
            if sealed:
                writer.write(sealed)

        def finish() -> None:
            writer.write(sealer.finish())
            writer.commit()

        try:
            async for piece in chunks:
                received += len(piece)
                if max_bytes is not None and received > max_bytes:
                    raise ObjectTooLarge(max_bytes)
                batch += piece
                if len(batch) >= BATCH_BYTES:
                    full, batch = batch, bytearray()
                    await anyio.to_thread.run_sync(seal_and_write, full)
            if batch:
                await anyio.to_thread.run_sync(seal_and_write, batch)
            await anyio.to_thread.run_sync(finish)
        except BaseException:
            # Shielded: a cancelled upload must still clean up, or it would leave an orphan behind.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(writer.abort)
            raise
        return StoredObject(key=key, size=sealer.plaintext_size, sha256=sealer.plaintext_sha256)

    async def put_bytes(self, key: str, data: bytes) -> StoredObject:
        return await self.put_stream(key, _bytes_in_batches(data))

    def open(self, key: str, *, expected_sha256: str | None = None) -> AsyncGenerator[bytes, None]:
        validate_object_key(key)
        return self._open(key, expected_sha256)

    async def _open(self, key: str, expected_sha256: str | None) -> AsyncGenerator[bytes, None]:
        opener = ObjectOpener(self._open_keys, key, expected_sha256=expected_sha256)
        reader = self._begin_read(key)

        def next_plaintext() -> tuple[bytes, bool]:
            while True:
                block = reader.read()
                if not block:
                    return opener.finish(), True
                plain = opener.update(block)
                if plain:
                    return plain, False

        try:
            done = False
            while not done:
                plain, done = await anyio.to_thread.run_sync(next_plaintext)
                if plain:
                    yield plain
        finally:
            # Synchronous on purpose: awaiting in an async generator's finally breaks when the
            # generator is closed by garbage collection; closing a file or a response is quick.
            reader.close()

    async def read_bytes(self, key: str, *, expected_sha256: str | None = None) -> bytes:
        parts = [part async for part in self.open(key, expected_sha256=expected_sha256)]
        return b"".join(parts)
