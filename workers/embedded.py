"""The embedded default: a dramatiq worker thread and the scheduler inside the web process, on its event loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import dramatiq
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from service.settings import Settings
from workers.broker import use_shared_loop
from workers.scheduler import build_scheduler


@dataclass
class Embedded:
    worker: dramatiq.Worker
    scheduler: AsyncIOScheduler | None

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        # worker threads may be waiting on this loop: stop them from another thread so the loop keeps turning
        await asyncio.to_thread(self.worker.stop, 10_000)
        use_shared_loop(None)


def start_embedded(settings: Settings, *, scheduler: bool = True) -> Embedded:
    import workers.actors  # noqa: F401 - declares the actors on the broker

    use_shared_loop(asyncio.get_running_loop())
    worker = dramatiq.Worker(dramatiq.get_broker(), worker_threads=2, worker_timeout=100)
    worker.start()
    sched = build_scheduler(settings) if scheduler else None
    if sched is not None:
        sched.start()
    return Embedded(worker=worker, scheduler=sched)
