"""Coordinator endpoints for allocation: run a round now, or a dry run that returns the plan with its reasons."""

from __future__ import annotations

from contracts.api import RoundRequest, RoundResult
from service.allocation.rounds import run_round
from service.allocation.views import round_result
from service.http import Call, Endpoint
from service.models import Role

COORDINATOR = frozenset({Role.COORDINATOR})


async def start_round(call: Call) -> RoundResult:
    body: RoundRequest = call.body
    plans = await run_round(dry_run=body.dry_run, provider_id=call.principal.organisation_id)
    return round_result(plans.get(call.principal.organisation_id), dry_run=body.dry_run)


ENDPOINTS = [
    Endpoint("POST", "/v1/allocation/rounds", start_round, COORDINATOR,
             "Run an allocation round now; dry_run returns the plan and its reasons and writes nothing", "allocation",
             body=RoundRequest, response=RoundResult),
]
