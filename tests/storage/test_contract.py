"""The storage contract: both adapters (local directory; S3 over HTTP) keep the same promises."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from service.storage import (
    IntegrityError,
    InvalidObjectKey,
    LocalStorage,
    MasterKey,
    ObjectNotFound,
    ObjectTooLarge,
    S3Storage,
    StorageUnavailable,
    new_object_key,
)
from service.storage.crypto import DEFAULT_CHUNK_SIZE, HEADER_BYTES, TAG_BYTES
from service.storage.sealed import SealedStorage
from tests.storage.conftest import StoreUnderTest
from tests.storage.s3server import S3Endpoint, free_port

KIB = 1024
MIB = 1024 * KIB
SEALED_CHUNK = DEFAULT_CHUNK_SIZE + TAG_BYTES


def plaintext(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


async def pieces(data: bytes, seed: int = 1, largest: int = 300 * KIB) -> AsyncIterator[bytes]:
    """The data in irregular pieces, as a request body arrives."""
    rng = random.Random(seed)
    start = 0
    while start < len(data):
        end = start + rng.randint(1, largest)
        yield data[start:end]
        start = end


def key() -> str:
    return new_object_key("tests")


@pytest.mark.parametrize(
    "size",
    [
        0,
        1,
        1000,
        DEFAULT_CHUNK_SIZE,
        DEFAULT_CHUNK_SIZE + 1,
        3 * DEFAULT_CHUNK_SIZE - 7,
        6 * MIB + 123,
        11 * MIB,
    ],
)
async def test_object_round_trips_and_its_size_and_sha256_are_recorded(
    store: StoreUnderTest, size: int
) -> None:
    data = plaintext(size, seed=size)
    object_key = key()

    stored = await store.storage.put_stream(object_key, pieces(data, seed=size))

    assert stored.key == object_key
    assert stored.size == size
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await store.storage.exists(object_key)
    streamed = [piece async for piece in store.storage.open(object_key, expected_sha256=stored.sha256)]
    assert all(streamed)
    assert b"".join(streamed) == data
    assert await store.storage.read_bytes(object_key, expected_sha256=stored.sha256.upper()) == data
    assert store.leftovers(object_key) == [f"object:{object_key}"]  # no temporary file or upload remains


async def test_put_bytes_stores_the_same_as_put_stream(store: StoreUnderTest) -> None:
    data = plaintext(2 * MIB + 5, seed=3)
    stored = await store.storage.put_bytes(key(), data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await store.storage.read_bytes(stored.key) == data


async def test_stored_bytes_are_ciphertext_and_differ_each_time(store: StoreUnderTest) -> None:
    data = b"Child: Jordan Example, date of birth 01/02/2015. " * 2000
    first, second = key(), key()
    await store.storage.put_bytes(first, data)
    await store.storage.put_bytes(second, data)

    raw_first, raw_second = store.get_raw(first), store.get_raw(second)
    assert b"Jordan Example" not in raw_first
    assert raw_first != raw_second
    # Overhead is the header and one tag per 64 KiB: the stored object is no copy of the plaintext.
    chunks = -(-len(data) // DEFAULT_CHUNK_SIZE)
    assert len(raw_first) == HEADER_BYTES + len(data) + chunks * TAG_BYTES


@pytest.mark.parametrize(
    "where",
    ["magic", "wrapped_key", "first_chunk", "middle_chunk_tag", "last_byte"],
)
async def test_a_changed_byte_anywhere_in_the_stored_object_is_detected(
    store: StoreUnderTest, where: str
) -> None:
    object_key = key()
    await store.storage.put_bytes(object_key, plaintext(3 * DEFAULT_CHUNK_SIZE + 10))
    raw = bytearray(store.get_raw(object_key))
    position = {
        "magic": 0,
        "wrapped_key": HEADER_BYTES - 20,
        "first_chunk": HEADER_BYTES + 5,
        "middle_chunk_tag": HEADER_BYTES + 2 * SEALED_CHUNK - 1,
        "last_byte": len(raw) - 1,
    }[where]
    raw[position] ^= 0x01
    store.put_raw(object_key, bytes(raw))

    with pytest.raises(IntegrityError):
        await store.storage.read_bytes(object_key)


@pytest.mark.parametrize("cut", ["inside_header", "header_only", "last_chunk_dropped", "mid_chunk"])
async def test_a_truncated_object_is_detected(store: StoreUnderTest, cut: str) -> None:
    object_key = key()
    await store.storage.put_bytes(object_key, plaintext(3 * DEFAULT_CHUNK_SIZE))
    raw = store.get_raw(object_key)
    keep = {
        "inside_header": HEADER_BYTES // 2,
        "header_only": HEADER_BYTES,
        "last_chunk_dropped": HEADER_BYTES + 2 * SEALED_CHUNK,
        "mid_chunk": HEADER_BYTES + SEALED_CHUNK + 1000,
    }[cut]
    store.put_raw(object_key, raw[:keep])

    with pytest.raises(IntegrityError):
        await store.storage.read_bytes(object_key)


async def test_reordered_chunks_are_detected(store: StoreUnderTest) -> None:
    object_key = key()
    await store.storage.put_bytes(object_key, plaintext(3 * DEFAULT_CHUNK_SIZE + 1))
    raw = store.get_raw(object_key)
    header, body = raw[:HEADER_BYTES], raw[HEADER_BYTES:]
    first, second, rest = body[:SEALED_CHUNK], body[SEALED_CHUNK : 2 * SEALED_CHUNK], body[2 * SEALED_CHUNK :]
    store.put_raw(object_key, header + second + first + rest)

    with pytest.raises(IntegrityError):
        await store.storage.read_bytes(object_key)


async def test_appended_bytes_are_detected(store: StoreUnderTest) -> None:
    object_key = key()
    await store.storage.put_bytes(object_key, plaintext(1000))
    store.put_raw(object_key, store.get_raw(object_key) + bytes(TAG_BYTES))

    with pytest.raises(IntegrityError):
        await store.storage.read_bytes(object_key)


async def test_an_object_copied_under_another_key_is_rejected(store: StoreUnderTest) -> None:
    original, impostor = key(), key()
    await store.storage.put_bytes(original, b"draft for bundle A")
    await store.storage.put_bytes(impostor, b"draft for bundle B")
    store.put_raw(impostor, store.get_raw(original))

    with pytest.raises(IntegrityError):
        await store.storage.read_bytes(impostor)


async def test_a_wrong_expected_sha256_is_an_integrity_error(store: StoreUnderTest) -> None:
    object_key = key()
    stored = await store.storage.put_bytes(object_key, plaintext(200 * KIB))

    with pytest.raises(IntegrityError):
        await store.storage.read_bytes(object_key, expected_sha256=hashlib.sha256(b"other").hexdigest())
    # The right one still reads: the check is about the value, not a broken object.
    assert len(await store.storage.read_bytes(object_key, expected_sha256=stored.sha256)) == 200 * KIB


async def test_an_object_sealed_under_another_master_key_is_unreadable_until_that_key_is_retired_in(
    store: StoreUnderTest,
) -> None:
    old_key, new_key = MasterKey.generate(), MasterKey.generate()
    object_key = key()
    await store.build(old_key).put_bytes(object_key, b"sealed before rotation")

    with pytest.raises(IntegrityError):
        await store.build(new_key).read_bytes(object_key)
    rotated = store.build(new_key, retired_keys=[old_key])
    assert await rotated.read_bytes(object_key) == b"sealed before rotation"


class CountingSource:
    """A request body that counts how far it was read and can fail or stall part-way."""

    def __init__(self, data: bytes, piece: int = 256 * KIB, fail_after: int | None = None) -> None:
        self.data = data
        self.piece = piece
        self.fail_after = fail_after
        self.sent = 0
        self.stalled = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.piece):
            if self.fail_after is not None and self.sent >= self.fail_after:
                raise ConnectionResetError("client went away")
            chunk = self.data[start : start + self.piece]
            self.sent += len(chunk)
            yield chunk


@pytest.mark.parametrize(("size", "limit"), [(100 * KIB, 64 * KIB), (14 * MIB, 11 * MIB)])
async def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(
    store: StoreUnderTest, size: int, limit: int
) -> None:
    source = CountingSource(plaintext(size))
    object_key = key()

    with pytest.raises(ObjectTooLarge) as refused:
        await store.storage.put_stream(object_key, source.__aiter__(), max_bytes=limit)

    assert refused.value.limit == limit
    assert source.sent <= limit + source.piece  # stopped reading at the limit
    assert store.leftovers(object_key) == []
    assert not await store.storage.exists(object_key)


async def test_an_upload_exactly_at_the_limit_is_kept(store: StoreUnderTest) -> None:
    data = plaintext(300 * KIB)
    stored = await store.storage.put_stream(key(), pieces(data), max_bytes=len(data))
    assert stored.size == len(data)


@pytest.mark.parametrize("fail_after", [0, 512 * KIB, 12 * MIB])
async def test_a_source_failing_mid_stream_leaves_nothing(store: StoreUnderTest, fail_after: int) -> None:
    source = CountingSource(plaintext(16 * MIB), fail_after=fail_after)
    object_key = key()

    with pytest.raises(ConnectionResetError):
        await store.storage.put_stream(object_key, source.__aiter__())

    assert store.leftovers(object_key) == []


async def test_a_cancelled_upload_leaves_nothing(store: StoreUnderTest) -> None:
    reached = asyncio.Event()

    async def stalls_after_some_parts() -> AsyncIterator[bytes]:
        for _ in range(12):
            yield plaintext(MIB)
        reached.set()
        await asyncio.Event().wait()  # the client stops sending; the request is cancelled
        yield b""

    object_key = key()
    upload = asyncio.create_task(store.storage.put_stream(object_key, stalls_after_some_parts()))
    await asyncio.wait_for(reached.wait(), timeout=30)
    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload

    assert store.leftovers(object_key) == []


async def test_an_upload_cancelled_by_its_request_scope_leaves_nothing(store: StoreUnderTest) -> None:
    # Starlette runs requests in anyio cancel scopes, where every later await is cancelled too:
    # the clean-up has to be shielded to happen at all.
    object_key = key()
    with anyio.CancelScope() as request_scope:

        async def client_goes_quiet() -> AsyncIterator[bytes]:
            for _ in range(12):
                yield plaintext(MIB)
            request_scope.cancel()
            await anyio.sleep_forever()
            yield b""

        await store.storage.put_stream(object_key, client_goes_quiet())

    assert request_scope.cancelled_caught
    assert store.leftovers(object_key) == []


async def test_delete_removes_the_object_and_is_idempotent(store: StoreUnderTest) -> None:
    object_key = key()
    await store.storage.put_bytes(object_key, b"retention purge")

    await store.storage.delete(object_key)
    await store.storage.delete(object_key)

    assert not await store.storage.exists(object_key)
    assert store.leftovers(object_key) == []


async def test_a_missing_object_is_not_found(store: StoreUnderTest) -> None:
    object_key = key()
    assert not await store.storage.exists(object_key)
    with pytest.raises(ObjectNotFound) as missing:
        await store.storage.read_bytes(object_key)
    assert missing.value.key == object_key
    assert object_key not in str(missing.value)
    with pytest.raises(ObjectNotFound):
        async for _ in store.storage.open(object_key):
            pass


async def test_stopping_a_download_early_releases_it(store: StoreUnderTest) -> None:
    object_key = key()
    await store.storage.put_bytes(object_key, plaintext(3 * MIB))
    async with contextlib.aclosing(store.storage.open(object_key)) as stream:
        async for piece in stream:
            assert piece
            break
    await store.storage.delete(object_key)
    assert store.leftovers(object_key) == []


@pytest.mark.parametrize(
    "bad_key", ["../escape", "/etc/passwd", "a/../../b", "a//b", ".hidden/x", "a\\b", "", "a/./b", "x/"]
)
async def test_keys_that_could_climb_out_of_the_store_are_refused(
    store: StoreUnderTest, bad_key: str
) -> None:
    with pytest.raises(InvalidObjectKey):
        await store.storage.put_bytes(bad_key, b"x")
    with pytest.raises(InvalidObjectKey):
        store.storage.open(bad_key)
    with pytest.raises(InvalidObjectKey):
        await store.storage.delete(bad_key)
    with pytest.raises(InvalidObjectKey):
        await store.storage.exists(bad_key)


async def test_a_working_store_is_ready(store: StoreUnderTest) -> None:
    await store.storage.check()


@pytest.fixture(params=["local", "s3", "s3-missing-bucket"])
def unavailable_store(request: pytest.FixtureRequest, tmp_path: Path, master_key: MasterKey) -> SealedStorage:
    if request.param == "local":
        blocker = tmp_path / "not-a-directory"
        blocker.write_bytes(b"")
        return LocalStorage(blocker / "objects", master_key)
    if request.param == "s3":
        return S3Storage(
            "planwright-nowhere",
            master_key,
            endpoint_url=f"http://127.0.0.1:{free_port()}",
            region="eu-west-2",
            access_key="testing",
            secret_key="testing",
        )
    endpoint: S3Endpoint = request.getfixturevalue("s3_server")
    return S3Storage(
        "planwright-bucket-that-does-not-exist",
        master_key,
        endpoint_url=endpoint.url,
        region=endpoint.region,
        access_key=endpoint.access_key,
        secret_key=endpoint.secret_key,
    )


async def test_a_store_that_cannot_be_used_is_reported_unavailable(unavailable_store: SealedStorage) -> None:
    with pytest.raises(StorageUnavailable) as down:
        await unavailable_store.check()
    assert down.value.reason
