"""Webhook routes for LA admins: endpoints, secret rotation, delivery log, redelivery."""

from __future__ import annotations

from contracts.webhooks import (
    DeliveryList,
    DeliveryListQuery,
    DeliveryOut,
    EndpointCreate,
    EndpointCreated,
    EndpointList,
    EndpointOut,
    EndpointUpdate,
    SecretRotate,
    SecretRotated,
)
from service.http import Call, Endpoint
from service.models import Role
from service.webhooks import service

# an LA's admin for its endpoints; a provider's admin for its own security endpoints (security.* only)
LA_ADMIN = frozenset({Role.LA_ADMIN, Role.ADMIN})


async def create_endpoint(call: Call) -> EndpointCreated:
    return await service.create(call.principal, call.body)


async def list_endpoints(call: Call) -> EndpointList:
    rows = await service.endpoints(call.principal).order_by("created_at", "id")
    return EndpointList(items=[service.out(row) for row in rows])


async def get_endpoint(call: Call) -> EndpointOut:
    return service.out(await service.get_endpoint(call.principal, call.path_uuid("endpoint_id")))


async def update_endpoint(call: Call) -> EndpointOut:
    body: EndpointUpdate = call.body
    return await service.update(call.principal, call.path_uuid("endpoint_id"), body)


async def delete_endpoint(call: Call) -> None:
    await service.delete(call.principal, call.path_uuid("endpoint_id"))


async def rotate_secret(call: Call) -> SecretRotated:
    body: SecretRotate = call.body
    return await service.rotate(call.principal, call.path_uuid("endpoint_id"), overlap_hours=body.overlap_hours)


async def list_deliveries(call: Call) -> DeliveryList:
    query: DeliveryListQuery = call.query
    items = await service.deliveries(call.principal, call.path_uuid("endpoint_id"), status=query.status,
                                     limit=query.limit)
    return DeliveryList(items=items)


async def redeliver(call: Call) -> DeliveryOut:
    return await service.redeliver(call.principal, call.path_uuid("endpoint_id"), call.path_uuid("delivery_id"))


_E = "/v1/webhooks/endpoints"
ENDPOINTS = [
    Endpoint("POST", _E, create_endpoint, LA_ADMIN, "Register a webhook endpoint (its secret is shown once)",
             "webhooks", body=EndpointCreate, response=EndpointCreated, status=201, errors=(422,)),
    Endpoint("GET", _E, list_endpoints, LA_ADMIN, "The LA's webhook endpoints", "webhooks", response=EndpointList),
    Endpoint("GET", _E + "/{endpoint_id}", get_endpoint, LA_ADMIN, "One webhook endpoint", "webhooks",
             response=EndpointOut, errors=(404,)),
    Endpoint("PATCH", _E + "/{endpoint_id}", update_endpoint, LA_ADMIN,
             "Change an endpoint's URL, description, events or active flag", "webhooks",
             body=EndpointUpdate, response=EndpointOut, errors=(404, 422)),
    Endpoint("DELETE", _E + "/{endpoint_id}", delete_endpoint, LA_ADMIN, "Delete an endpoint and its log",
             "webhooks", status=204, errors=(404,)),
    Endpoint("POST", _E + "/{endpoint_id}/rotate-secret", rotate_secret, LA_ADMIN,
             "Issue a new signing secret; the old one also signs during the overlap", "webhooks",
             body=SecretRotate, response=SecretRotated, errors=(404, 422)),
    Endpoint("GET", _E + "/{endpoint_id}/deliveries", list_deliveries, LA_ADMIN,
             "The endpoint's deliveries, newest first, with every attempt and response code", "webhooks",
             query=DeliveryListQuery, response=DeliveryList, errors=(404, 422)),
    Endpoint("POST", _E + "/{endpoint_id}/deliveries/{delivery_id}/redeliver", redeliver, LA_ADMIN,
             "Send a delivered or failed delivery again (one attempt, same event id)", "webhooks",
             response=DeliveryOut, status=202, errors=(404, 409)),
]
