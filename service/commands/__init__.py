"""The service's own `planwright` commands (migrate, serve, seed, tokens, worker, scheduler)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

from service.cli import UsageError
from service.logging import configure_logging
from service.settings import Settings, SettingsError, get_settings

T = TypeVar("T")


def load_settings() -> Settings:
    """Settings, or exit 2 with one line naming the bad setting and its fix."""
    try:
        settings = get_settings()
    except SettingsError as exc:
        raise UsageError(str(exc)) from None
    configure_logging(json_logs=settings.json_logs, level=settings.log_level)
    return settings


def with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    from service.db import close_db, init_db
    from service.runtime import build_runtime, install

    async def run() -> T:
        install(build_runtime(settings))
        await init_db(settings.database_url)
        try:
            return await work()
        finally:
            await close_db()

    return asyncio.run(run())


def parse_uuid(value: str, flag: str) -> UUID:
    """An id given on the command line; UsageError (exit 2) naming the flag otherwise."""
    try:
        return UUID(value)
    except ValueError:
        raise UsageError(f"{flag}: {value!r} is not an id (a UUID)") from None
