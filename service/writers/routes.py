"""Writer endpoints: coordinators list writers and release one; a writer records leave; QA sees quality figures."""

from __future__ import annotations

from starlette.responses import Response

from contracts.api import (
    ConflictDeclaration,
    LeaveRequest,
    LeaveResult,
    ReleaseAllRequest,
    ReleaseAllResult,
    WriterDetail,
    WriterInvite,
    WriterList,
    WriterOffboarded,
    WriterQuality,
    WriterStatusChange,
    WriterTerms,
)
from service.allocation import overrides
from service.auth.acting import acting_from_request
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


async def invite_writer(call: Call) -> Response:
    acting = acting_from_request(call.principal, call.request)
    writer, created = await writers.invite(acting, call.body)
    body = await writers.detail(writer)
    return Response(body.model_dump_json(), status_code=201 if created else 200, media_type="application/json")


async def get_writer(call: Call) -> WriterDetail:
    acting = acting_from_request(call.principal, call.request)
    return await writers.detail(await writers.writer_of(acting, call.path_uuid("writer_id")))


async def set_terms(call: Call) -> WriterDetail:
    acting = acting_from_request(call.principal, call.request)
    return await writers.detail(await writers.set_terms(acting, call.path_uuid("writer_id"), call.body))


def _status_change(act: str):  # type: ignore[no-untyped-def]
    async def handler(call: Call) -> WriterDetail:
        body: WriterStatusChange = call.body
        acting = acting_from_request(call.principal, call.request)
        return await writers.detail(await writers.change_status(acting, call.path_uuid("writer_id"), act,
                                                                body.reason))

    handler.__name__ = f"{act}_writer"
    return handler


async def offboard_writer(call: Call) -> WriterOffboarded:
    body: WriterStatusChange = call.body
    acting = acting_from_request(call.principal, call.request)
    writer, released = await writers.offboard(acting, call.path_uuid("writer_id"), body.reason)
    return WriterOffboarded(writer=await writers.detail(writer), released_bundle_ids=released)


async def declare_conflict(call: Call) -> WriterDetail:
    body: ConflictDeclaration = call.body
    return await writers.detail(await writers.declare_conflict(call.principal, body.la_id))


ENDPOINTS = [
    Endpoint("POST", "/v1/writers", invite_writer, COORDINATOR,
             "Put a writer on the books (invited: no offers until onboarded): invite them by email (with their "
             "name; emailed, they accept by signing in) or name a user of your writing service with the writer "
             "role; the same email or user again answers the writer already made, 200", "writers",
             body=WriterInvite, response=WriterDetail, status=201, errors=(404, 409, 422),
             replays="The writer made before for this email or user"),
    Endpoint("GET", "/v1/writers/{writer_id}", get_writer, COORDINATOR,
             "One writer: status, terms in force, DBS certificate (dbs_expiring: within 30 days)", "writers",
             response=WriterDetail, errors=(404,)),
    Endpoint("PUT", "/v1/writers/{writer_id}/terms", set_terms, COORDINATOR,
             "New terms from a day (default today): skills, hours, slots, conflicts of interest, DBS certificate",
             "writers", body=WriterTerms, response=WriterDetail, errors=(404, 409, 422)),
    Endpoint("POST", "/v1/writers/{writer_id}/onboard", _status_change("onboard"), COORDINATOR,
             "An invited writer starts taking offers (needs a DBS certificate in date)", "writers",
             body=WriterStatusChange, response=WriterDetail, errors=(404, 409, 422)),
    Endpoint("POST", "/v1/writers/{writer_id}/suspend", _status_change("suspend"), COORDINATOR,
             "Suspend a writer: no offers (unanswered ones are withdrawn); work in hand stays", "writers",
             body=WriterStatusChange, response=WriterDetail, errors=(404, 409, 422)),
    Endpoint("POST", "/v1/writers/{writer_id}/reinstate", _status_change("reinstate"), COORDINATOR,
             "A suspended writer takes offers again", "writers", body=WriterStatusChange, response=WriterDetail,
             errors=(404, 409, 422)),
    Endpoint("POST", "/v1/writers/{writer_id}/offboard", offboard_writer, COORDINATOR,
             "A writer leaves: no offers, and the work in hand goes back to the queue (as release does)", "writers",
             body=WriterStatusChange, response=WriterOffboarded, errors=(404, 422)),
    Endpoint("POST", "/v1/writers/me/conflicts", declare_conflict, frozenset({Role.WRITER}),
             "Declare an LA you must not work for (a conflict of interest): no offers for its bundles", "writers",
             body=ConflictDeclaration, response=WriterDetail, errors=(404, 409, 422)),
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
