"""Liveness and readiness: is the process up; are the database, broker, storage (and clamd, when set) reachable."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.responses import Response
from tortoise import connections

from contracts.api import Health
from service.http import PUBLIC, Call, Endpoint
from service.runtime import current


async def healthz(call: Call) -> Health:
    return Health(status="ok")


async def _check_database() -> None:
    await connections.get("default").execute_query("SELECT 1")


async def _check_broker() -> None:
    from workers.broker import check_broker

    await asyncio.to_thread(check_broker)


async def _check_clamd() -> None:
    from service.intake import clamd

    url = current().settings.clamd_url
    if url is None or not await clamd.ping(url):
        raise ConnectionError("clamd did not answer PING")


async def readyz(call: Call) -> Response:
    checks: dict[str, str] = {}
    probes: list[tuple[str, Callable[[], Awaitable[None]]]] = [
        ("database", _check_database), ("broker", _check_broker), ("storage", current().storage.check)]
    settings = current().settings
    if settings.clamd_url is not None:
        probes.append(("clamd", _check_clamd))
    for name, check in probes:
        try:
            await asyncio.wait_for(check(), timeout=5)
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"unavailable: {type(exc).__name__}"
    # clamd down blocks readiness only when scanning is required (uploads then wait in screening)
    ok = all(v == "ok" for k, v in checks.items() if k != "clamd" or settings.scan_required)
    body = Health(status="ok" if ok else "unavailable", checks=checks)
    return Response(body.model_dump_json(), status_code=200 if ok else 503, media_type="application/json")


ENDPOINTS = [
    Endpoint("GET", "/healthz", healthz, PUBLIC, "The process is up", "health", response=Health),
    Endpoint("GET", "/readyz", readyz, PUBLIC, "Database, broker, storage and (when configured) clamd are reachable",
             "health", response=Health, errors=(503,)),
]
