"""Envelope encryption of stored objects: a master key wraps per-object data keys; objects are sealed
as a stream of AES-256-GCM chunks.

Object format, version 1 (all integers big-endian):

    header   magic b"PWOB" | version u8 = 1 | chunk size u32 | nonce prefix 8 bytes | wrapped data key
    chunks   AES-256-GCM(data key, nonce = prefix | index u32, plaintext chunk, aad)
             = ciphertext | 16-byte tag

The wrapped data key is `MasterKey.wrap`'s blob: key id (8 bytes) | nonce (12) | AES-GCM(data key) (48).
Every chunk but the last holds exactly `chunk size` plaintext bytes; the last holds 0..chunk size and
is marked final. The chunk aad is SHA-256(header | object key) | index u64 | final flag u8, so a changed
header, an object copied under another key, reordered, dropped or appended chunks and a truncated tail
all fail authentication, chunk by chunk, while streaming.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import stat
import struct
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.storage.port import IntegrityError, StorageError

MAGIC = b"PWOB"
FORMAT_VERSION = 1
DEFAULT_CHUNK_SIZE = 64 * 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
KEY_BYTES = 32
KEY_ID_BYTES = 8
NONCE_PREFIX_BYTES = 8
TAG_BYTES = 16
_WRAP_NONCE_BYTES = 12
WRAPPED_KEY_BYTES = KEY_ID_BYTES + _WRAP_NONCE_BYTES + KEY_BYTES + TAG_BYTES
_HEADER_FIXED = struct.Struct(">4sBI8s")
HEADER_BYTES = _HEADER_FIXED.size + WRAPPED_KEY_BYTES
_CHUNK_AAD = struct.Struct(">QB")
_MAX_CHUNKS = 2**32
_WRAP_AAD = b"planwright data key v1"


class MasterKeyError(StorageError, ValueError):
    """The master key setting or key file is unusable."""


class MasterKey:
    """A 32-byte AES key that wraps per-object data keys; its id says which key sealed an object."""

    __slots__ = ("_aead", "_derivation", "key_id")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise MasterKeyError(f"master key must be {KEY_BYTES} bytes, got {len(key)}")
        self._aead = AESGCM(key)
        # A fingerprint, not the key: lets a reader pick the right key once keys are rotated.
        self.key_id = hmac.new(key, b"planwright master key id", hashlib.sha256).digest()[:KEY_ID_BYTES]
        self._derivation = hmac.new(key, b"planwright derived keys", hashlib.sha256).digest()

    def derive(self, purpose: str) -> bytes:
        """A 32-byte key for another purpose (signing download links ...), independent of the wrapping key."""
        return hmac.new(self._derivation, purpose.encode(), hashlib.sha256).digest()

    def __repr__(self) -> str:
        return f"MasterKey(key_id={self.key_id.hex()})"

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_base64(cls, text: str) -> MasterKey:
        try:
            key = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise MasterKeyError("master key is not valid base64") from error
        return cls(key)

    @classmethod
    def load_or_create(cls, path: Path) -> MasterKey:
        """Read the key file, or create it (mode 0600) with a fresh key: the embedded default."""
        path = Path(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            encoded = base64.b64encode(secrets.token_bytes(KEY_BYTES)) + b"\n"
            try:
                # O_EXCL: two processes starting at once must not each write a different key.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(encoded)
                    handle.flush()
                    os.fsync(handle.fileno())
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise MasterKeyError(f"master key file {path} must not be readable by group or others (mode 600)")
        return cls.from_base64(path.read_text(encoding="ascii"))

    def wrap(self, data_key: bytes, *, purpose: bytes = b"") -> bytes:
        """Encrypt a data key: key id | nonce | AES-GCM ciphertext and tag. A `purpose` is bound to the blob (it
        is authenticated, not stored): only an unwrap that names the same purpose opens it."""
        nonce = secrets.token_bytes(_WRAP_NONCE_BYTES)
        return self.key_id + nonce + self._aead.encrypt(nonce, data_key, self.key_id + _WRAP_AAD + purpose)

    def unwrap(self, blob: bytes, *, purpose: bytes = b"") -> bytes:
        """Decrypt a blob made by `wrap` for `purpose`; IntegrityError if it was not made by this key for that
        purpose, or was altered."""
        if len(blob) != WRAPPED_KEY_BYTES:
            raise IntegrityError("wrapped data key has the wrong length")
        key_id, nonce, sealed = (
            blob[:KEY_ID_BYTES],
            blob[KEY_ID_BYTES : KEY_ID_BYTES + _WRAP_NONCE_BYTES],
            blob[KEY_ID_BYTES + _WRAP_NONCE_BYTES :],
        )
        if not hmac.compare_digest(key_id, self.key_id):
            raise IntegrityError("object was sealed under a different master key")
        try:
            return self._aead.decrypt(nonce, sealed, key_id + _WRAP_AAD + purpose)
        except InvalidTag as error:
            raise IntegrityError("wrapped data key failed authentication") from error


def _chunk_aad(header_digest: bytes, index: int, final: bool) -> bytes:
    return header_digest + _CHUNK_AAD.pack(index, 1 if final else 0)


def _nonce(prefix: bytes, index: int) -> bytes:
    if index >= _MAX_CHUNKS:
        raise StorageError("object has too many chunks for one data key")
    return prefix + index.to_bytes(4, "big")


class ObjectSealer:
    """Encrypts one object as it streams in; also measures the plaintext (size and SHA-256).

    Call `update` with each plaintext piece and write what it returns, then `finish` once and write
    that. The first non-empty output starts with the header.
    """

    def __init__(
        self, master_key: MasterKey, object_key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> None:
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk size must be 1..{MAX_CHUNK_SIZE}")
        data_key = AESGCM.generate_key(bit_length=256)
        self._aead = AESGCM(data_key)
        self._prefix = secrets.token_bytes(NONCE_PREFIX_BYTES)
        self._chunk_size = chunk_size
        wrapped = master_key.wrap(data_key)
        self.header = _HEADER_FIXED.pack(MAGIC, FORMAT_VERSION, chunk_size, self._prefix) + wrapped
        self._header_digest = hashlib.sha256(self.header + object_key.encode()).digest()
        self._header_sent = False
        self._pending = bytearray()
        self._index = 0
        self._hash = hashlib.sha256()
        self._finished = False
        self.plaintext_size = 0

    @property
    def plaintext_sha256(self) -> str:
        return self._hash.hexdigest()

    def _seal(self, chunk: bytes | bytearray | memoryview, final: bool) -> bytes:
        sealed = self._aead.encrypt(
            _nonce(self._prefix, self._index), chunk, _chunk_aad(self._header_digest, self._index, final)
        )
        self._index += 1
        return sealed

    def _output(self, sealed: list[bytes]) -> bytes:
        if not self._header_sent:
            self._header_sent = True
            sealed.insert(0, self.header)
        return b"".join(sealed)

    def update(self, data: bytes | bytearray | memoryview) -> bytes:
        if self._finished:
            raise StorageError("sealer already finished")
        self._hash.update(data)
        self.plaintext_size += len(data)
        self._pending += data
        size = self._chunk_size
        sealed: list[bytes] = []
        offset = 0
        view = memoryview(self._pending)
        # Seal a full chunk only once more data follows it: the last chunk must be marked final.
        while len(self._pending) - offset > size:
            sealed.append(self._seal(view[offset : offset + size], final=False))
            offset += size
        view.release()
        if not sealed:
            return b""
        del self._pending[:offset]
        return self._output(sealed)

    def finish(self) -> bytes:
        if self._finished:
            raise StorageError("sealer already finished")
        self._finished = True
        last = self._seal(bytes(self._pending), final=True)
        self._pending.clear()
        return self._output([last])


class ObjectOpener:
    """Decrypts one object as it streams in, handing out only authenticated plaintext.

    Call `update` with each stored piece and use what it returns, then `finish` once: it checks the
    stream ended on the final chunk and, if given, the plaintext SHA-256, before returning the tail.
    """

    def __init__(
        self, master_keys: Iterable[MasterKey], object_key: str, *, expected_sha256: str | None = None
    ) -> None:
        self._keys = {key.key_id: key for key in master_keys}
        self._object_key = object_key.encode()
        self._expected = expected_sha256.lower() if expected_sha256 is not None else None
        self._buffer = bytearray()
        self._aead: AESGCM | None = None
        self._prefix = b""
        self._sealed_size = 0
        self._header_digest = b""
        self._index = 0
        self._hash = hashlib.sha256()
        self._finished = False
        self.plaintext_size = 0

    @property
    def plaintext_sha256(self) -> str:
        return self._hash.hexdigest()

    def _read_header(self) -> None:
        header = bytes(self._buffer[:HEADER_BYTES])
        magic, version, chunk_size, prefix = _HEADER_FIXED.unpack_from(header)
        if magic != MAGIC:
            raise IntegrityError("stored object is not a sealed Planwright object")
        if version != FORMAT_VERSION:
            raise IntegrityError(f"stored object has unsupported format version {version}")
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise IntegrityError("stored object header has an impossible chunk size")
        wrapped = header[_HEADER_FIXED.size :]
        master_key = self._keys.get(wrapped[:KEY_ID_BYTES])
        if master_key is None:
            raise IntegrityError("object was sealed under an unknown master key")
        self._aead = AESGCM(master_key.unwrap(wrapped))
        self._prefix = prefix
        self._sealed_size = chunk_size + TAG_BYTES
        self._header_digest = hashlib.sha256(header + self._object_key).digest()
        del self._buffer[:HEADER_BYTES]

    def _open(self, sealed: bytes | bytearray | memoryview, final: bool) -> bytes:
        assert self._aead is not None
        try:
            plain = self._aead.decrypt(
                _nonce(self._prefix, self._index), sealed, _chunk_aad(self._header_digest, self._index, final)
            )
        except InvalidTag as error:
            raise IntegrityError(f"chunk {self._index} failed authentication") from error
        self._index += 1
        self._hash.update(plain)
        self.plaintext_size += len(plain)
        return plain

    def update(self, data: bytes | bytearray | memoryview) -> bytes:
        if self._finished:
            raise StorageError("opener already finished")
        self._buffer += data
        if self._aead is None:
            if len(self._buffer) < HEADER_BYTES:
                return b""
            self._read_header()
        size = self._sealed_size
        plain: list[bytes] = []
        offset = 0
        view = memoryview(self._buffer)
        # A full sealed chunk is known not to be the last only once more bytes follow it.
        while len(self._buffer) - offset > size:
            plain.append(self._open(view[offset : offset + size], final=False))
            offset += size
        view.release()
        if offset:
            del self._buffer[:offset]
        return b"".join(plain)

    def finish(self) -> bytes:
        if self._finished:
            raise StorageError("opener already finished")
        self._finished = True
        if self._aead is None:
            raise IntegrityError("stored object is truncated: incomplete header")
        if len(self._buffer) < TAG_BYTES:
            raise IntegrityError("stored object is truncated: no final chunk")
        tail = self._open(bytes(self._buffer), final=True)
        self._buffer.clear()
        if self._expected is not None and not hmac.compare_digest(self.plaintext_sha256, self._expected):
            raise IntegrityError("plaintext SHA-256 does not match the recorded value")
        return tail
