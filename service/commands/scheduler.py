"""Run the scheduler process: the outbox relay and the periodic sweep (production shape)."""

from __future__ import annotations

import argparse
import asyncio
import signal

from service.commands import load_settings


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    settings = load_settings()

    async def main() -> None:
        from service.db import close_db, init_db
        from service.runtime import build_runtime, install
        from workers.broker import setup_broker
        from workers.scheduler import build_scheduler

        install(build_runtime(settings))
        setup_broker(settings, in_process=False)
        import workers.actors  # noqa: F401

        await init_db(settings.database_url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        scheduler = build_scheduler(settings)
        scheduler.start()
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await close_db()

    asyncio.run(main())
    return 0
