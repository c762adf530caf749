"""A throw-away PostgreSQL database for a benchmark: created on the bench server, migrated, dropped after."""

from __future__ import annotations

import base64
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

SERVER = os.environ.get("PLANWRIGHT_BENCH_POSTGRES_URL",
                        os.environ.get("PLANWRIGHT_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"))


def asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@asynccontextmanager
async def bench_database(prefix: str) -> AsyncIterator[str]:
    """A fresh database with the committed migrations applied and the ORM and runtime set up; its URL."""
    import asyncpg

    name = f"planwright_bench_{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(asyncpg_url(SERVER))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{SERVER.rsplit('/', 1)[0]}/{name}"
    os.environ.update({"PLANWRIGHT_DATABASE_URL": url, "PLANWRIGHT_ENVIRONMENT": "development",
                       "PLANWRIGHT_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
                       "PLANWRIGHT_STORAGE_DIR": tempfile.mkdtemp(prefix="planwright-bench-")})
    try:
        from service.db import apply_migrations, close_db, init_db
        from service.runtime import build_runtime, install
        from service.settings import get_settings

        install(build_runtime(get_settings()))
        await apply_migrations(url)
        await init_db(url)
        try:
            yield url
        finally:
            await close_db()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def timed_runs(run: Callable[[], Awaitable[object]], repeats: int = 5) -> list[float]:
    """Seconds each of `repeats` runs took (after the caller's own warm-up run)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        await run()
        times.append(time.perf_counter() - t0)
    return times
