"""Coordinator endpoints: rounds (and dry runs with reasons), hand assignment, reassignment, pins, effort."""

from __future__ import annotations

from contracts.api import (
    LeaveRequest,
    LeaveResult,
    PlannedOfferOut,
    ReleaseAllRequest,
    ReleaseAllResult,
    RoundRequest,
    RoundResult,
    UnassignedOut,
    WriterList,
    WriterOut,
)
from service.allocation import overrides
from service.allocation.rounds import run_round
from service.http import Call, Endpoint
from service.models import Role
from service.writers import service as writers

COORDINATOR = frozenset({Role.COORDINATOR})


async def start_round(call: Call) -> RoundResult:
    body: RoundRequest = call.body
    plans = await run_round(dry_run=body.dry_run, provider_id=call.principal.organisation_id)
    plan = plans.get(call.principal.organisation_id)
    return RoundResult(
        dry_run=body.dry_run,
        offers=[PlannedOfferOut(bundle_id=o.bundle_id, writer_id=o.writer_id, reason=o.reason,
                                projected_completion=o.projected_completion, on_time=o.on_time)
                for o in (plan.offers if plan else [])],
        unassigned=[UnassignedOut(bundle_id=u.bundle_id, reason=u.reason) for u in (plan.unassigned if plan else [])],
    )


async def release_writer(call: Call) -> ReleaseAllResult:
    body: ReleaseAllRequest = call.body
    moved = await overrides.release_all(call.principal, call.path_uuid("writer_id"), reason=body.reason)
    return ReleaseAllResult(bundle_ids=moved)


async def list_writers(call: Call) -> WriterList:
    items = []
    for load in await writers.loads(call.principal):
        c = load.contract
        await load.writer.fetch_related("user")
        items.append(WriterOut(
            id=load.writer.id, name=load.writer.user.name, skills=list(c.skills) if c else [],
            hours_per_week=c.hours_per_week if c else None, max_concurrent=c.max_concurrent if c else None,
            excluded_las=list(c.excluded_las) if c else [], dbs_expires=c.dbs_expires if c else None,
            held=load.held, offers_pending=load.offers_pending, leave=load.leave,
        ))
    return WriterList(items=items)


async def record_leave(call: Call) -> LeaveResult:
    body: LeaveRequest = call.body
    return LeaveResult(withdrawn_offers=await writers.add_leave(call.principal, body.days))


ENDPOINTS = [
    Endpoint("POST", "/v1/allocation/rounds", start_round, COORDINATOR,
             "Run an allocation round now; dry_run returns the plan and its reasons and writes nothing", "allocation",
             body=RoundRequest, response=RoundResult),
    Endpoint("GET", "/v1/writers", list_writers, COORDINATOR, "Writers with their contracts, load and leave",
             "allocation", response=WriterList),
    Endpoint("POST", "/v1/writers/{writer_id}/release", release_writer, COORDINATOR,
             "A writer is unavailable: all their bundles and offers go back to the queue", "allocation",
             body=ReleaseAllRequest, response=ReleaseAllResult, errors=(404,)),
    Endpoint("POST", "/v1/writers/me/leave", record_leave, frozenset({Role.WRITER}),
             "Record leave days; unanswered offers are withdrawn", "allocation", body=LeaveRequest,
             response=LeaveResult, errors=(422,)),
]
