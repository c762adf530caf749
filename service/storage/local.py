"""Encrypted local-directory storage: the embedded default.

Each object is one file under the root, named by its key. It is written to a hidden temporary file in
the same directory and renamed into place only when complete, so a reader never sees half an object
and a failed upload leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import anyio.to_thread

from service.storage.crypto import DEFAULT_CHUNK_SIZE, MasterKey
from service.storage.port import ObjectNotFound, StorageError, StorageUnavailable, validate_object_key
from service.storage.sealed import RawReader, RawWriter, SealedStorage

READ_BLOCK_BYTES = 1024 * 1024


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; some platforms cannot open a directory, which is fine.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _check_inside(path: Path, root: Path) -> None:
    # The key pattern already rules out '..', absolute paths and backslashes; this second lock also
    # catches a symlink inside the root that points elsewhere.
    if not path.resolve().is_relative_to(root.resolve()):
        raise StorageError("object path escapes the storage root")


class _FileWriter:
    def __init__(self, target: Path, root: Path) -> None:
        self._target = target
        self._root = root
        # A leading '.' can never be a valid key segment, so temporary names never clash with objects.
        self._temp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.partial")
        self._file: BinaryIO | None = None

    def _opened(self) -> BinaryIO:
        if self._file is None:
            _check_inside(self._target, self._root)
            try:
                self._target.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except OSError as error:
                raise StorageError("cannot create the object file") from error
            self._file = os.fdopen(fd, "wb")
        return self._file

    def write(self, data: bytes) -> None:
        handle = self._opened()
        try:
            handle.write(data)
        except OSError as error:
            raise StorageError("cannot write the object file") from error

    def commit(self) -> None:
        self._opened()
        assert self._file is not None
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            os.replace(self._temp, self._target)
        except OSError as error:
            raise StorageError("cannot commit the object file") from error
        _fsync_directory(self._target.parent)

    def abort(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        with contextlib.suppress(OSError):
            self._temp.unlink(missing_ok=True)


class _FileReader:
    def __init__(self, storage: LocalStorage, key: str) -> None:
        self._storage = storage
        self._key = key
        self._file: BinaryIO | None = None

    def _opened(self) -> BinaryIO:
        if self._file is None:
            try:
                self._file = self._storage._path(self._key).open("rb")
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
                raise ObjectNotFound(self._key) from error
            except OSError as error:
                raise StorageError("cannot open the object file") from error
        return self._file

    def read(self) -> bytes:
        handle = self._opened()
        try:
            return handle.read(READ_BLOCK_BYTES)
        except OSError as error:
            raise StorageError("cannot read the object file") from error

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class LocalStorage(SealedStorage):
    """Objects as encrypted files under `root`."""

    def __init__(
        self,
        root: Path,
        master_key: MasterKey,
        *,
        retired_keys: Sequence[MasterKey] = (),
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        super().__init__(master_key, retired_keys=retired_keys, chunk_size=chunk_size)
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        """The object's file, in a worker thread (it touches the file system)."""
        path = self.root.joinpath(*validate_object_key(key).split("/"))
        _check_inside(path, self.root)
        return path

    def _begin_write(self, key: str) -> RawWriter:
        return _FileWriter(self.root.joinpath(*validate_object_key(key).split("/")), self.root)

    def _begin_read(self, key: str) -> RawReader:
        return _FileReader(self, key)

    async def delete(self, key: str) -> None:
        validate_object_key(key)

        def remove() -> None:
            path = self._path(key)
            try:
                path.unlink(missing_ok=True)
            except (IsADirectoryError, NotADirectoryError):
                return
            except OSError as error:
                raise StorageError("cannot delete the object file") from error

        await anyio.to_thread.run_sync(remove)

    async def exists(self, key: str) -> bool:
        validate_object_key(key)
        return await anyio.to_thread.run_sync(lambda: self._path(key).is_file())

    async def check(self) -> None:
        def probe() -> None:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                # Writing is the only honest test: a read-only mount or a full disk still "exists".
                with tempfile.NamedTemporaryFile(dir=self.root, prefix=".probe-", delete=True) as handle:
                    handle.write(b"ok")
                    handle.flush()
            except OSError as error:
                raise StorageUnavailable("local storage root is not a writable directory") from error

        await anyio.to_thread.run_sync(probe)
