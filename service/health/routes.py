"""Liveness and readiness: is the process up; are the database, broker and storage reachable."""

from __future__ import annotations

import asyncio

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


async def readyz(call: Call) -> Response:
    checks: dict[str, str] = {}
    for name, check in (("database", _check_database), ("broker", _check_broker),
                        ("storage", current().storage.check)):
        try:
            await asyncio.wait_for(check(), timeout=5)
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"unavailable: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    body = Health(status="ok" if ok else "unavailable", checks=checks)
    return Response(body.model_dump_json(), status_code=200 if ok else 503, media_type="application/json")


ENDPOINTS = [
    Endpoint("GET", "/healthz", healthz, PUBLIC, "The process is up", "health", response=Health),
    Endpoint("GET", "/readyz", readyz, PUBLIC, "Database, broker and storage are reachable", "health",
             response=Health, errors=(503,)),
]
