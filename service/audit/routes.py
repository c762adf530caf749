"""The LA's export of its own audit entries, with their chain hashes so it can check them itself."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

from starlette.responses import Response, StreamingResponse

from contracts.api import AuditExportQuery
from service.audit.chain import HASHED_FIELDS, plain_entry
from service.audit.service import audit, chain_head, la_entries
from service.http import Call, Endpoint
from service.models import Role

COLUMNS = ["id", *HASHED_FIELDS, "prev_hash", "hash"]


async def export(call: Call) -> Response:
    query: AuditExportQuery = call.query
    org = call.principal.organisation_id
    await audit(call.principal, "audit.exported", object_type="organisation", object_id=org,
                data={"format": query.format, "after": query.after})
    # the LA's own chain up to its head now (this export's own entry included), so the head closes the file
    head = await chain_head(org)

    async def lines() -> AsyncIterator[str]:
        if query.format == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(COLUMNS)
        async for row in la_entries(org, after=query.after, until=head[0] if head else 0):
            entry = plain_entry(row)
            if query.format == "jsonl":
                yield json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n"
                continue
            entry["data"] = json.dumps(entry["data"], sort_keys=True, separators=(",", ":"))
            writer.writerow(["" if entry[c] is None else entry[c] for c in COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if query.format == "csv" and buffer.tell():
            yield buffer.getvalue()

    media = "text/csv; charset=utf-8" if query.format == "csv" else "application/x-ndjson"
    headers = {"X-Audit-Chain-Head": f"{head[0]} {head[1]}"} if head else {}
    return StreamingResponse(lines(), media_type=media, headers=headers)


ENDPOINTS = [
    Endpoint("GET", "/v1/audit/export", export, frozenset({Role.LA_ADMIN}),
             "The LA's own audit chain (its bundles, its users' acts, what its provider did to its account) as "
             "JSON lines or CSV; X-Audit-Chain-Head is the LA chain's head, `planwright audit verify --export` "
             "checks the file offline", "audit", query=AuditExportQuery, produces=("application/x-ndjson", "text/csv")),
]
