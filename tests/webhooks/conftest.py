"""Webhook tests run a real worker, which relays every pending job and dispatches every undispatched event in
the shared test database. Earlier tests (the API fuzzing above all) leave thousands of those behind, since
nothing ran a worker for them; on a slow machine working through them took longer than a delivery test waits.
Each test here starts from a quiet history instead: what earlier tests left is marked done before it begins."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from starlette.applications import Starlette

from service import clock


@pytest_asyncio.fixture(autouse=True)
async def quiet_history(app: Starlette) -> AsyncIterator[None]:
    from service.models import Event, OutboxMessage

    now = clock.now()
    await OutboxMessage.filter(published_at__isnull=True).update(published_at=now)
    await Event.filter(dispatched_at__isnull=True).update(dispatched_at=now)
    yield
