"""Streaming a large upload through the storage port: time, throughput and peak memory growth.

The goal is a peak resident-memory growth under 64 MB for a 200 MB upload, whatever the adapter.
Runs the local adapter on a temporary directory and the S3 adapter against a moto server in its own
process (so the server's copy of the object is not counted as ours), then reads each object back.

    python -m tests.benchmarks storage_upload
    python -c "from tests.benchmarks.bench_storage_upload import main; main(['--size-mb', '50'])"
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from service.storage import LocalStorage, MasterKey, S3Storage, StoredObject, new_object_key
from service.storage.sealed import SealedStorage
from tests.benchmarks.memory import PeakMemory
from tests.storage.s3server import fresh_bucket, s3_endpoint_process

MB = 1_000_000
GOAL_MB = 64
T = TypeVar("T")


def _max_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


async def request_body(total: int, piece: int) -> AsyncIterator[bytes]:
    """A client's upload arriving in `piece`-sized reads of incompressible bytes."""
    pool = os.urandom(4 * 1024 * 1024 + piece)
    sent = 0
    offset = 0
    while sent < total:
        size = min(piece, total - sent)
        yield pool[offset : offset + size]
        sent += size
        offset = (offset + 7919) % (len(pool) - piece)


async def drain(storage: SealedStorage, key: str, sha256: str) -> int:
    received = 0
    async for part in storage.open(key, expected_sha256=sha256):
        received += len(part)
    return received


async def measure(label: str, action: Callable[[], Awaitable[T]], size: int) -> tuple[T, bool]:
    maxrss_before = _max_rss_bytes()
    if tracemalloc.is_tracing():
        tracemalloc.reset_peak()
        traced_before = tracemalloc.get_traced_memory()[0]
    with PeakMemory() as memory:
        started = time.perf_counter()
        result = await action()
        elapsed = time.perf_counter() - started
    ok = memory.growth < GOAL_MB * MB
    maxrss_growth = (_max_rss_bytes() - maxrss_before) / MB
    traced = ""
    if tracemalloc.is_tracing():
        # Python-level allocations only, but blind to allocator reuse: a second opinion on RSS.
        traced = f"; tracemalloc peak +{(tracemalloc.get_traced_memory()[1] - traced_before) / MB:.1f} MB"
    print(
        f"{label:<18} {size / MB:5.0f} MB  {elapsed:6.2f} s  {size / MB / elapsed:7.1f} MB/s  "
        f"peak RSS growth {memory.growth / MB:5.1f} MB (ru_maxrss +{maxrss_growth:.1f} MB)"
        f"  {'within' if ok else 'OVER'} the {GOAL_MB} MB goal{traced}",
        flush=True,
    )
    return result, ok


async def run_adapter(name: str, storage: SealedStorage, size: int, piece: int) -> bool:
    # Warm up: the first call imports and builds what every later call reuses; that is not growth.
    warm = await storage.put_bytes(new_object_key("bench"), b"warm up" * 1000)
    await drain(storage, warm.key, warm.sha256)
    await storage.delete(warm.key)

    key = new_object_key("bench")
    stored, upload_ok = await measure(
        f"{name} upload", lambda: storage.put_stream(key, request_body(size, piece)), size
    )
    assert isinstance(stored, StoredObject) and stored.size == size
    received, download_ok = await measure(
        f"{name} download", lambda: drain(storage, key, stored.sha256), size
    )
    assert received == size
    await storage.delete(key)
    return upload_ok and download_ok


async def bench(size: int, piece: int, backends: list[str]) -> bool:
    master_key = MasterKey.generate()
    ok = True
    if "local" in backends:
        with tempfile.TemporaryDirectory(prefix="planwright-bench-") as root:
            ok &= await run_adapter("local", LocalStorage(Path(root), master_key), size, piece)
    if "s3" in backends:
        with s3_endpoint_process() as endpoint, fresh_bucket(endpoint) as bucket:
            storage = S3Storage(
                bucket,
                master_key,
                endpoint_url=endpoint.url,
                region=endpoint.region,
                access_key=endpoint.access_key,
                secret_key=endpoint.secret_key,
            )
            ok &= await run_adapter("s3 (moto)", storage, size, piece)
    return ok


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_storage_upload", description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200, help="upload size in MB (default 200)")
    parser.add_argument(
        "--piece-kib", type=int, default=64, help="size of each body read in KiB (default 64)"
    )
    parser.add_argument("--backends", default="local,s3", help="comma-separated: local, s3")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    args = parser.parse_args(argv)
    if args.tracemalloc:
        tracemalloc.start()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; memory goal: growth < {GOAL_MB} MB")
    ok = asyncio.run(bench(args.size_mb * MB, args.piece_kib * 1024, args.backends.split(",")))
    print("all within the memory goal" if ok else "memory goal MISSED")


if __name__ == "__main__":
    main(sys.argv[1:])
