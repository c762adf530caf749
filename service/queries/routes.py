"""Query endpoints: the LA answers a writer's query (asking and reading are under /v1/bundles, in bundles/)."""

from __future__ import annotations

from contracts.api import QueryAnswer, QueryOut
from service.http import Call, Endpoint
from service.models import Role
from service.queries import service as queries
from service.queries.views import query_out


async def answer(call: Call) -> QueryOut:
    body: QueryAnswer = call.body
    return query_out(await queries.answer(call.principal, call.path_uuid("query_id"), body.answer))


ENDPOINTS = [
    Endpoint("POST", "/v1/queries/{query_id}/answer", answer, frozenset({Role.LA_OFFICER, Role.LA_ADMIN}),
             "Answer a writer's query: the clock runs again", "queries", body=QueryAnswer, response=QueryOut,
             errors=(404, 409, 422)),
]
