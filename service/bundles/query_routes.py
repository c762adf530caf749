"""A bundle's queries: the writer asks the LA; everyone on the bundle reads them (the LA answers in queries/)."""

from __future__ import annotations

from contracts.api import QueryAsk, QueryList, QueryOut
from service.http import Call, Endpoint
from service.models import Role
from service.queries import service as queries
from service.queries.views import query_out


async def ask(call: Call) -> QueryOut:
    body: QueryAsk = call.body
    return query_out(await queries.ask(call.principal, call.path_uuid("bundle_id"), body.question))


async def list_queries(call: Call) -> QueryList:
    rows = await queries.for_bundle(call.principal, call.path_uuid("bundle_id"))
    return QueryList(items=[query_out(q) for q in rows])


ENDPOINTS = [
    Endpoint("POST", "/v1/bundles/{bundle_id}/queries", ask, frozenset({Role.WRITER}),
             "Ask the LA a question: the bundle waits (clock paused) until it is answered", "queries",
             body=QueryAsk, response=QueryOut, status=201, errors=(404, 409, 422)),
    Endpoint("GET", "/v1/bundles/{bundle_id}/queries", list_queries,
             frozenset({Role.WRITER, Role.LA_OFFICER, Role.LA_ADMIN, Role.COORDINATOR, Role.QA_REVIEWER}),
             "The bundle's queries and answers", "queries", response=QueryList, errors=(404,)),
]
