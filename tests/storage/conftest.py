"""Fixtures: each storage adapter on a real backend (a temp directory; S3 over HTTP), with raw access."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from service.storage.crypto import MasterKey
from service.storage.local import LocalStorage
from service.storage.s3 import MIN_PART_BYTES, S3Storage
from service.storage.sealed import SealedStorage
from tests.storage.s3server import S3Endpoint, fresh_bucket, s3_endpoint


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Endpoint]:
    with s3_endpoint() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def s3_bucket(s3_server: S3Endpoint) -> Iterator[str]:
    with fresh_bucket(s3_server) as bucket:
        yield bucket


@pytest.fixture(scope="session")
def master_key() -> MasterKey:
    return MasterKey.generate()


@dataclass
class StoreUnderTest:
    """An adapter plus direct access to the bytes it stored, to tamper with and to look for leftovers."""

    kind: str
    storage: SealedStorage
    build: Callable[..., SealedStorage]  # same backend, other keys: build(master_key, retired_keys=())
    get_raw: Callable[[str], bytes]
    put_raw: Callable[[str, bytes], None]
    leftovers: Callable[[str], list[str]]  # anything stored for this key: objects, temp files, uploads


def _local_store(root: Path, master_key: MasterKey) -> StoreUnderTest:
    def path(key: str) -> Path:
        return root.joinpath(*key.split("/"))

    def leftovers(key: str) -> list[str]:
        name = key.rsplit("/", 1)[-1]
        found = [p.relative_to(root).as_posix() for p in root.rglob("*") if name in p.name]
        return sorted(f"object:{rel}" if rel == key else f"temp:{rel}" for rel in found)

    def build(key: MasterKey, **options: Any) -> SealedStorage:
        return LocalStorage(root, key, **options)

    def put_raw(key: str, data: bytes) -> None:
        path(key).write_bytes(data)

    return StoreUnderTest(
        kind="local",
        storage=build(master_key),
        build=build,
        get_raw=lambda key: path(key).read_bytes(),
        put_raw=put_raw,
        leftovers=leftovers,
    )


def _s3_store(endpoint: S3Endpoint, bucket: str, master_key: MasterKey) -> StoreUnderTest:
    client = endpoint.client()

    def build(key: MasterKey, **options: Any) -> SealedStorage:
        # The smallest part size S3 allows, so multipart paths are reached with a few MiB.
        options.setdefault("part_bytes", MIN_PART_BYTES)
        return S3Storage(
            bucket,
            key,
            endpoint_url=endpoint.url,
            region=endpoint.region,
            access_key=endpoint.access_key,
            secret_key=endpoint.secret_key,
            **options,
        )

    def leftovers(key: str) -> list[str]:
        objects = client.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents", [])
        uploads = client.list_multipart_uploads(Bucket=bucket, Prefix=key).get("Uploads", [])
        return sorted([f"object:{o['Key']}" for o in objects] + [f"upload:{u['Key']}" for u in uploads])

    return StoreUnderTest(
        kind="s3",
        storage=build(master_key),
        build=build,
        get_raw=lambda key: client.get_object(Bucket=bucket, Key=key)["Body"].read(),
        put_raw=lambda key, data: client.put_object(Bucket=bucket, Key=key, Body=data),
        leftovers=leftovers,
    )


@pytest.fixture(scope="session")
def s3_store(s3_server: S3Endpoint, s3_bucket: str, master_key: MasterKey) -> StoreUnderTest:
    # Shared: the adapter holds no per-object state, and building boto3 clients is slow.
    return _s3_store(s3_server, s3_bucket, master_key)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path, master_key: MasterKey) -> StoreUnderTest:
    if request.param == "local":
        return _local_store(tmp_path / "objects", master_key)
    s3_store: StoreUnderTest = request.getfixturevalue("s3_store")
    return s3_store
