"""Coordinator overrides on one bundle: hand assignment or reassignment, a pin to a writer, its effort hours."""

from __future__ import annotations

from contracts.api import AssignRequest, BundleOut, EffortRequest, PinRequest
from service.allocation import overrides
from service.bundles.views import bundle_out
from service.http import Call, Endpoint
from service.models import Role

COORDINATOR = frozenset({Role.COORDINATOR})


async def assign_bundle(call: Call) -> BundleOut:
    body: AssignRequest = call.body
    bundle = await overrides.assign(call.principal, call.path_uuid("bundle_id"), body.writer_id, reason=body.reason)
    return await bundle_out(bundle, call.principal)


async def pin_bundle(call: Call) -> BundleOut:
    body: PinRequest = call.body
    bundle = await overrides.pin(call.principal, call.path_uuid("bundle_id"), body.writer_id)
    return await bundle_out(bundle, call.principal)


async def set_effort(call: Call) -> BundleOut:
    body: EffortRequest = call.body
    bundle = await overrides.set_effort(call.principal, call.path_uuid("bundle_id"), body.effort_hours)
    return await bundle_out(bundle, call.principal)


ENDPOINTS = [
    Endpoint("POST", "/v1/bundles/{bundle_id}/assign", assign_bundle, COORDINATOR,
             "Assign or reassign a bundle to a writer by hand", "allocation", body=AssignRequest, response=BundleOut,
             errors=(404, 409)),
    Endpoint("PUT", "/v1/bundles/{bundle_id}/pin", pin_bundle, COORDINATOR,
             "Pin a bundle to a writer (rounds offer it to no one else), or unpin with null", "allocation",
             body=PinRequest, response=BundleOut, errors=(404, 409)),
    Endpoint("PUT", "/v1/bundles/{bundle_id}/effort", set_effort, COORDINATOR,
             "Override the bundle's effort hours (null: back to the contract's table)", "allocation",
             body=EffortRequest, response=BundleOut, errors=(404,)),
]
