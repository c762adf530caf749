"""tortoise-orm configuration, shared by the app, the workers, the CLI and the migrator."""

from __future__ import annotations

import os
from typing import Any

from tortoise import Tortoise

MODELS_APP = "models"


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
        "apps": {
            MODELS_APP: {
                "models": ["service.models"],
                "migrations": "service.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# For tortoise's own CLI (`tortoise makemigrations`); the service builds its config from Settings.
TORTOISE_ORM = tortoise_config(os.environ.get("PLANWRIGHT_DATABASE_URL", "sqlite://var/planwright.sqlite3"))


async def init_db(database_url: str, *, global_fallback: bool = False) -> None:
    """Open the connections. `global_fallback` for a process whose jobs run in tasks that did not inherit the
    context this call sets (dramatiq's worker threads hand each job to its loop as a new task)."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=global_fallback)


async def close_db() -> None:
    await Tortoise.close_connections()


async def apply_migrations(database_url: str) -> None:
    from tortoise.migrations.api import migrate

    try:
        await migrate(config=tortoise_config(database_url))
    finally:
        # the migrator leaves its connections open (aiosqlite's thread would keep the process alive)
        await Tortoise.close_connections()
