"""Finance endpoints: a month's ledger lines."""

from __future__ import annotations

import re

from starlette.responses import StreamingResponse

from service.billing.service import month_csv
from service.errors import NotFound
from service.http import Call, Endpoint
from service.models import Role

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


async def month_lines_csv(call: Call) -> StreamingResponse:
    month = str(call.request.path_params["month"])
    if not MONTH.match(month):
        raise NotFound("no such month; months are written YYYY-MM")
    return StreamingResponse(
        month_csv(call.principal.organisation_id, month), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="planwright-lines-{month}.csv"'},
    )


ENDPOINTS = [
    Endpoint("GET", "/v1/billing/months/{month}/lines.csv", month_lines_csv, frozenset({Role.FINANCE}),
             "The month's invoice and payout lines as CSV", "billing", produces="text/csv", errors=(404,)),
]
