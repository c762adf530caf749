"""A 200 MB document upload through the real API route (ASGI, streamed body): time and peak memory growth.

The goal is a peak resident-memory growth under 64 MB for a 200 MB upload: the route streams the body
into encrypted storage without holding the document. Runs the whole app (migrated SQLite database,
local encrypted storage, in-process broker) in this process, with a bundle made as an LA would, and
sends the body in 64 KiB pieces with chunked transfer encoding, as a client streaming a file does.

    python -m tests.benchmarks intake_upload
    python -c "from tests.benchmarks.bench_intake_upload import main; main(['--size-mb', '50'])"
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from tests.benchmarks.bench_storage_upload import GOAL_MB, MB
from tests.benchmarks.memory import PeakMemory


async def text_body(total: int, piece: int) -> AsyncIterator[bytes]:
    """Plain text (so the content check accepts it as .txt) in `piece`-sized reads, never all in memory."""
    line = b"Working memory and processing speed are below the average range for the age group.\n"
    block = (line * (piece // len(line) + 1))[:piece]
    sent = 0
    while sent < total:
        size = min(piece, total - sent)
        yield block[:size]
        sent += size


async def bench(size: int, piece: int, root: Path) -> bool:
    import httpx
    from pydantic import SecretStr

    from service.app import create_app
    from service.db import apply_migrations
    from service.logging import configure_logging
    from service.settings import Settings
    from tests.factories import make_tenant
    from workers.broker import setup_broker

    cap = size + 10 * MB
    settings = Settings(
        environment="test", database_url=f"sqlite://{root}/bench.sqlite3", broker_url="stub://",
        storage="local", storage_dir=root / "storage", master_key=SecretStr(base64.b64encode(os.urandom(32)).decode()),
        log_level="warning", log_format="console", max_document_bytes=cap, max_bundle_bytes=cap * 2,
    )
    configure_logging(json_logs=False, level="warning")
    await apply_migrations(settings.database_url)
    setup_broker(settings, in_process=True)
    app = create_app(settings, embedded=False)
    async with app.router.lifespan_context(app):
        tenant = await make_tenant()
        la = tenant.auth("la_officer")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.test", timeout=None) as client:
            created = await client.post("/v1/bundles", headers=la,
                                        json={"reference": "BENCH-1", "work_type": "new_plan"})
            bundle_id = created.json()["id"]
            url = f"/v1/bundles/{bundle_id}/documents"
            headers = {**la, "Content-Type": "text/plain"}
            # Warm up: the first upload imports and builds what every later call reuses; that is not growth.
            warm = await client.post(url, params={"filename": "warm.txt"}, headers=headers,
                                     content=text_body(256 * 1024, piece))
            assert warm.status_code == 201, warm.text
            with PeakMemory() as memory:
                started = time.perf_counter()
                response = await client.post(url, params={"filename": "big.txt"}, headers=headers,
                                             content=text_body(size, piece))
                elapsed = time.perf_counter() - started
            assert response.status_code == 201, response.text
            assert response.json()["size"] == size
    ok = memory.growth < GOAL_MB * MB
    print(f"upload via POST /v1/bundles/{{id}}/documents  {size / MB:5.0f} MB  {elapsed:6.2f} s  "
          f"{size / MB / elapsed:7.1f} MB/s  peak RSS growth {memory.growth / MB:5.1f} MB  "
          f"{'within' if ok else 'OVER'} the {GOAL_MB} MB goal", flush=True)
    return ok


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_intake_upload", description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200, help="upload size in MB (default 200)")
    parser.add_argument("--piece-kib", type=int, default=64, help="size of each body piece in KiB (default 64)")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; memory goal: growth < {GOAL_MB} MB")
    with tempfile.TemporaryDirectory(prefix="planwright-bench-intake-") as root:
        ok = asyncio.run(bench(args.size_mb * MB, args.piece_kib * 1024, Path(root)))
    print("within the memory goal" if ok else "memory goal MISSED")


if __name__ == "__main__":
    main(sys.argv[1:])
