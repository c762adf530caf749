"""Writer endpoints: coordinators list writers and release one; a writer records leave; QA sees quality figures."""

from __future__ import annotations

from contracts.api import LeaveRequest, LeaveResult, ReleaseAllRequest, ReleaseAllResult, WriterList, WriterQuality
from service.allocation import overrides
from service.http import Call, Endpoint
from service.models import Role
from service.reviews import service as reviews
from service.writers import service as writers
from service.writers.views import writer_out

COORDINATOR = frozenset({Role.COORDINATOR})


async def release_writer(call: Call) -> ReleaseAllResult:
    body: ReleaseAllRequest = call.body
    moved = await overrides.release_all(call.principal, call.path_uuid("writer_id"), reason=body.reason)
    return ReleaseAllResult(bundle_ids=moved)


async def list_writers(call: Call) -> WriterList:
    items = []
    for load in await writers.loads(call.principal):
        await load.writer.fetch_related("user")
        items.append(writer_out(load))
    return WriterList(items=items)


async def record_leave(call: Call) -> LeaveResult:
    body: LeaveRequest = call.body
    return LeaveResult(withdrawn_offers=await writers.add_leave(call.principal, body.days))


async def writer_quality(call: Call) -> WriterQuality:
    return WriterQuality(**await reviews.writer_quality(call.principal, call.path_uuid("writer_id")))


ENDPOINTS = [
    Endpoint("GET", "/v1/writers", list_writers, COORDINATOR, "Writers with their contracts, load and leave",
             "allocation", response=WriterList),
    Endpoint("POST", "/v1/writers/{writer_id}/release", release_writer, COORDINATOR,
             "A writer is unavailable: all their bundles and offers go back to the queue", "allocation",
             body=ReleaseAllRequest, response=ReleaseAllResult, errors=(404,)),
    Endpoint("POST", "/v1/writers/me/leave", record_leave, frozenset({Role.WRITER}),
             "Record leave days; unanswered offers are withdrawn", "allocation", body=LeaveRequest,
             response=LeaveResult, errors=(422,)),
    Endpoint("GET", "/v1/writers/{writer_id}/quality", writer_quality, frozenset({Role.QA_REVIEWER, Role.COORDINATOR}),
             "A writer's quality figures: first-time pass rate, cycles, frequent findings", "qa",
             response=WriterQuality, errors=(404,)),
]
