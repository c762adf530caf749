"""Coordinator endpoints for allocation: run a round now, or a dry run that returns the plan with its reasons;
what allocation has learned of writers' speed and first-time QA pass rates, with its basis; re-planning proposals."""

from __future__ import annotations

from contracts.api import (
    AllocationSettings,
    EstimatesOut,
    ReplanOut,
    RoundRequest,
    RoundResult,
)
from service.allocation import replan
from service.allocation.estimates import estimates_out, provider_estimates
from service.allocation.rounds import planning_factors_now, run_round
from service.allocation.views import round_result
from service.audit.service import audit
from service.http import Call, Endpoint
from service.models import Organisation, Role, Writer

COORDINATOR = frozenset({Role.COORDINATOR})


async def start_round(call: Call) -> RoundResult:
    body: RoundRequest = call.body
    plans = await run_round(dry_run=body.dry_run, provider_id=call.principal.organisation_id)
    return round_result(plans.get(call.principal.organisation_id), dry_run=body.dry_run)


async def estimates(call: Call) -> EstimatesOut:
    provider_id = call.principal.organisation_id
    learned = await provider_estimates(provider_id)
    factors = await planning_factors_now(provider_id, learned)
    writers = await Writer.filter(provider_id=provider_id).order_by("created_at", "id")
    return estimates_out(learned, factors, writers)


async def replan_proposals(call: Call) -> ReplanOut:
    proposal = await replan.propose(call.principal.organisation_id)
    return ReplanOut(moves=proposal.moves, changes=proposal.changes, unsaved=proposal.unsaved)


async def get_settings(call: Call) -> AllocationSettings:
    provider = await Organisation.get(id=call.principal.organisation_id)
    return AllocationSettings(fair_share_tolerance=provider.fair_share_tolerance)


async def put_settings(call: Call) -> AllocationSettings:
    body: AllocationSettings = call.body
    await Organisation.filter(id=call.principal.organisation_id).update(fair_share_tolerance=body.fair_share_tolerance)
    await audit(call.principal, "allocation.settings_changed", object_type="organisation",
                object_id=call.principal.organisation_id, data={"fair_share_tolerance": body.fair_share_tolerance})
    return body


ENDPOINTS = [
    Endpoint("POST", "/v1/allocation/rounds", start_round, COORDINATOR,
             "Run an allocation round now; dry_run returns the plan and its reasons and writes nothing", "allocation",
             body=RoundRequest, response=RoundResult),
    Endpoint("GET", "/v1/allocation/estimates", estimates, COORDINATOR,
             "Learned speed (per work type and page band) and first-time QA pass rates (per area) of each writer, "
             "shrunk toward the pool, with their basis, and the factor the next round plans each writer with",
             "allocation", response=EstimatesOut),
    Endpoint("GET", "/v1/allocation/replan", replan_proposals, COORDINATOR,
             "Proposed moves of accepted, unstarted work off writers who are away or running late, to writers planned "
             "to finish it on time (make one with POST /v1/bundles/{bundle_id}/assign); the late work no move saves",
             "allocation", response=ReplanOut),
    Endpoint("GET", "/v1/allocation/settings", get_settings, COORDINATOR,
             "The writing service's allocation settings (its fair-share target)", "allocation",
             response=AllocationSettings),
    Endpoint("PUT", "/v1/allocation/settings", put_settings, COORDINATOR,
             "Set the writing service's allocation settings; null turns the fair-share target off", "allocation",
             body=AllocationSettings, response=AllocationSettings),
]
