"""Coordinator endpoints for allocation: run a round now, or a dry run that returns the plan with its reasons;
what allocation has learned of writers' first-time QA pass rates, with its basis."""

from __future__ import annotations

from contracts.api import EstimatesOut, RoundRequest, RoundResult
from service.allocation.estimates import learned_estimates
from service.allocation.rounds import run_round
from service.allocation.views import round_result
from service.http import Call, Endpoint
from service.models import Role

COORDINATOR = frozenset({Role.COORDINATOR})


async def start_round(call: Call) -> RoundResult:
    body: RoundRequest = call.body
    plans = await run_round(dry_run=body.dry_run, provider_id=call.principal.organisation_id)
    return round_result(plans.get(call.principal.organisation_id), dry_run=body.dry_run)


async def estimates(call: Call) -> EstimatesOut:
    return await learned_estimates(call.principal)


ENDPOINTS = [
    Endpoint("POST", "/v1/allocation/rounds", start_round, COORDINATOR,
             "Run an allocation round now; dry_run returns the plan and its reasons and writes nothing", "allocation",
             body=RoundRequest, response=RoundResult),
    Endpoint("GET", "/v1/allocation/estimates", estimates, COORDINATOR,
             "Learned first-time QA pass rates per writer and area, shrunk toward the pool, with their basis",
             "allocation", response=EstimatesOut),
]
