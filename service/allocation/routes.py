"""Coordinator endpoints for allocation: run a round now, or a dry run that returns the plan with its reasons;
what allocation has learned of writers' speed and first-time QA pass rates, with its basis."""

from __future__ import annotations

from contracts.api import EstimatesOut, RoundRequest, RoundResult
from service.allocation.estimates import estimates_out, provider_estimates
from service.allocation.rounds import planning_factors_now, run_round
from service.allocation.views import round_result
from service.http import Call, Endpoint
from service.models import Role, Writer

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


ENDPOINTS = [
    Endpoint("POST", "/v1/allocation/rounds", start_round, COORDINATOR,
             "Run an allocation round now; dry_run returns the plan and its reasons and writes nothing", "allocation",
             body=RoundRequest, response=RoundResult),
    Endpoint("GET", "/v1/allocation/estimates", estimates, COORDINATOR,
             "Learned speed (per work type and page band) and first-time QA pass rates (per area) of each writer, "
             "shrunk toward the pool, with their basis, and the factor the next round plans each writer with",
             "allocation", response=EstimatesOut),
]
