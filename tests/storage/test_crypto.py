"""Envelope encryption: master keys, data-key wrapping and the chunked object format."""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.storage.crypto import (
    HEADER_BYTES,
    TAG_BYTES,
    MasterKey,
    MasterKeyError,
    ObjectOpener,
    ObjectSealer,
)
from service.storage.port import IntegrityError

MASTER = MasterKey(bytes(range(32)))


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


def seal(data: bytes, object_key: str, cuts: list[int], chunk_size: int) -> bytes:
    sealer = ObjectSealer(MASTER, object_key, chunk_size=chunk_size)
    out = [sealer.update(piece) for piece in split(data, cuts)]
    out.append(sealer.finish())
    assert sealer.plaintext_size == len(data)
    assert sealer.plaintext_sha256 == hashlib.sha256(data).hexdigest()
    return b"".join(out)


def open_sealed(sealed: bytes, object_key: str, cuts: list[int], expected: str | None = None) -> bytes:
    opener = ObjectOpener([MASTER], object_key, expected_sha256=expected)
    out = [opener.update(piece) for piece in split(sealed, cuts)]
    out.append(opener.finish())
    return b"".join(out)


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(max_size=400),
    chunk_size=st.integers(min_value=1, max_value=64),
    seal_cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=8),
    open_cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=8),
)
def test_any_plaintext_in_any_pieces_round_trips(
    data: bytes, chunk_size: int, seal_cuts: list[int], open_cuts: list[int]
) -> None:
    sealed = seal(data, "documents/2026/11/abc", seal_cuts, chunk_size)
    chunks = max(1, -(-len(data) // chunk_size))
    assert len(sealed) == HEADER_BYTES + len(data) + chunks * TAG_BYTES
    expected = hashlib.sha256(data).hexdigest()
    assert open_sealed(sealed, "documents/2026/11/abc", open_cuts, expected) == data


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(min_size=1, max_size=300),
    chunk_size=st.integers(min_value=1, max_value=40),
    position=st.integers(min_value=0),
    flip=st.integers(min_value=1, max_value=255),
)
def test_any_changed_byte_is_an_integrity_error(
    data: bytes, chunk_size: int, position: int, flip: int
) -> None:
    sealed = bytearray(seal(data, "drafts/x", [], chunk_size))
    sealed[position % len(sealed)] ^= flip
    with pytest.raises(IntegrityError):
        open_sealed(bytes(sealed), "drafts/x", [])


@settings(max_examples=100, deadline=None)
@given(
    data=st.binary(max_size=300),
    chunk_size=st.integers(min_value=1, max_value=40),
    keep=st.integers(min_value=0),
    on_chunk_boundary=st.booleans(),
)
def test_any_truncation_is_an_integrity_error(
    data: bytes, chunk_size: int, keep: int, on_chunk_boundary: bool
) -> None:
    sealed = seal(data, "drafts/x", [], chunk_size)
    if on_chunk_boundary:
        # Dropping whole chunks leaves every remaining tag valid: only the final flag can tell.
        whole_chunks = (len(sealed) - HEADER_BYTES) // (chunk_size + TAG_BYTES)
        keep = HEADER_BYTES + (keep % max(1, whole_chunks)) * (chunk_size + TAG_BYTES)
    with pytest.raises(IntegrityError):
        open_sealed(sealed[: keep % len(sealed)], "drafts/x", [])


def test_plaintext_tail_is_withheld_when_the_sha256_does_not_match() -> None:
    sealed = seal(b"abc" * 10, "k", [], 8)
    opener = ObjectOpener([MASTER], "k", expected_sha256="0" * 64)
    handed_out = opener.update(sealed)
    with pytest.raises(IntegrityError):
        opener.finish()
    assert len(handed_out) < 30


def test_wrapped_data_key_unwraps_only_under_its_master_key() -> None:
    data_key = os.urandom(32)
    blob = MASTER.wrap(data_key)
    assert MASTER.unwrap(blob) == data_key
    assert blob[:8] == MASTER.key_id
    with pytest.raises(IntegrityError):
        MasterKey.generate().unwrap(blob)
    tampered = bytearray(blob)
    tampered[-1] ^= 1
    with pytest.raises(IntegrityError):
        MASTER.unwrap(bytes(tampered))


def test_master_key_from_base64_accepts_32_bytes_only() -> None:
    key = os.urandom(32)
    assert MasterKey.from_base64(base64.b64encode(key).decode()).key_id == MasterKey(key).key_id
    with pytest.raises(MasterKeyError):
        MasterKey.from_base64(base64.b64encode(os.urandom(16)).decode())
    with pytest.raises(MasterKeyError):
        MasterKey.from_base64("not base64 at all!")


def test_master_key_repr_shows_the_id_not_the_key() -> None:
    key = os.urandom(32)
    shown = repr(MasterKey(key))
    assert base64.b64encode(key).decode() not in shown
    assert key.hex() not in shown


def test_embedded_master_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "master.key"
    created = MasterKey.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert MasterKey.load_or_create(path).key_id == created.key_id
    assert len(base64.b64decode(path.read_text())) == 32


def test_a_master_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    MasterKey.load_or_create(path)
    path.chmod(0o644)
    with pytest.raises(MasterKeyError):
        MasterKey.load_or_create(path)
