"""The baseline for the load benchmark: the bundle listing's query behind a bare Starlette endpoint.

No authentication, ORM, models or middleware: one asyncpg pool per process, the query Planwright's
GET /v1/bundles issues for an LA officer (newest first, limit + 1 rows for the cursor), rows as JSON.
Served by uvicorn with the same worker count: `uvicorn --factory tests.benchmarks.bare_listing:create_app`.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

LISTING = 'SELECT * FROM "bundle" WHERE "la_id" = $1 ORDER BY "created_at" DESC, "id" DESC LIMIT $2'


def create_app() -> Starlette:
    import asyncpg

    pool: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        url = os.environ["PLANWRIGHT_DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        pool["db"] = await asyncpg.create_pool(url, min_size=1, max_size=5)
        yield
        await pool["db"].close()

    async def listing(request: Request) -> Response:
        limit = int(request.query_params.get("limit", "50"))
        rows = await pool["db"].fetch(LISTING, request.path_params["la_id"], limit + 1)
        items = [dict(row) for row in rows[:limit]]
        return Response(json.dumps({"items": items, "next_cursor": None}, default=str), media_type="application/json")

    return Starlette(routes=[Route("/bare/{la_id:uuid}/bundles", listing)], lifespan=lifespan)
