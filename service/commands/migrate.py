"""Apply the database migrations (tortoise's built-in migrator)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from service.commands import load_settings


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.database_url.startswith("sqlite://") and ":memory:" not in settings.database_url:
        Path(settings.database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    from service.db import apply_migrations

    asyncio.run(apply_migrations(settings.database_url))
    print("migrations applied")
    return 0
