"""Organisation endpoints: a writing service's admin keeps its LA clients and their contract versions."""

from __future__ import annotations

from starlette.responses import Response

from contracts.api import (
    ContractVersionCreate,
    ContractVersionList,
    ContractVersionOut,
    OrganisationCreate,
    OrganisationList,
    OrganisationOut,
    OrganisationRename,
)
from service.auth.acting import acting_from_request
from service.http import Call, Endpoint
from service.models import Role
from service.organisations import service

PROVIDER_ADMIN = frozenset({Role.ADMIN})
# who reads the client list and the contracts: the admin, and the staff who work to them
PROVIDER_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.FINANCE})


def _created(body: OrganisationOut | ContractVersionOut, created: bool) -> Response:
    return Response(body.model_dump_json(), status_code=201 if created else 200, media_type="application/json")


async def create_client(call: Call) -> Response:
    body: OrganisationCreate = call.body
    org, created = await service.create_client(acting_from_request(call.principal, call.request), body.name,
                                               body.party_fields())
    return _created(service.organisation_out(org), created)


async def list_clients(call: Call) -> OrganisationList:
    acting = acting_from_request(call.principal, call.request)
    return OrganisationList(items=[service.organisation_out(o) for o in await service.clients(acting)])


async def get_client(call: Call) -> OrganisationOut:
    acting = acting_from_request(call.principal, call.request)
    return service.organisation_out(await service.client(acting, call.path_uuid("la_id")))


async def rename_client(call: Call) -> OrganisationOut:
    body: OrganisationRename = call.body
    acting = acting_from_request(call.principal, call.request)
    return service.organisation_out(await service.rename_client(acting, call.path_uuid("la_id"), body.name,
                                                                body.party_fields()))


async def archive_client(call: Call) -> OrganisationOut:
    acting = acting_from_request(call.principal, call.request)
    return service.organisation_out(await service.archive_client(acting, call.path_uuid("la_id")))


async def add_contract_version(call: Call) -> Response:
    acting = acting_from_request(call.principal, call.request)
    row, created = await service.add_version(acting, call.path_uuid("la_id"), call.body)
    versions = await service.versions(acting, row.la_id)  # type: ignore[attr-defined]
    return _created(next(v for v in versions if v.id == row.id), created)


async def list_contract_versions(call: Call) -> ContractVersionList:
    acting = acting_from_request(call.principal, call.request)
    return ContractVersionList(items=await service.versions(acting, call.path_uuid("la_id")))


ENDPOINTS = [
    Endpoint("POST", "/v1/organisations", create_client, PROVIDER_ADMIN,
             "Add an LA client of your writing service, with its invoice details (the same name again answers the LA "
             "already made, 200)",
             "organisations", body=OrganisationCreate, response=OrganisationOut, status=201, errors=(422,),
             replays="The LA client of this name made before"),
    Endpoint("GET", "/v1/organisations", list_clients, PROVIDER_READERS,
             "Your writing service's LA clients, archived ones included", "organisations", response=OrganisationList),
    Endpoint("GET", "/v1/organisations/{la_id}", get_client, PROVIDER_READERS, "One LA client", "organisations",
             response=OrganisationOut, errors=(404,)),
    Endpoint("PATCH", "/v1/organisations/{la_id}", rename_client, PROVIDER_ADMIN,
             "Rename an LA client and/or set its invoice details (address, postcode, VAT number, payment terms)",
             "organisations", body=OrganisationRename, response=OrganisationOut, errors=(404, 409, 422)),
    Endpoint("POST", "/v1/organisations/{la_id}/archive", archive_client, PROVIDER_ADMIN,
             "Archive an LA client: no new bundles; work in hand and history stay", "organisations",
             response=OrganisationOut, errors=(404,)),
    Endpoint("POST", "/v1/organisations/{la_id}/contracts", add_contract_version, PROVIDER_ADMIN,
             "A new version of the LA's contract from a day (every term stated; the rate card prices every work "
             "type); the same start day and terms again answer the version already made, 200", "organisations",
             body=ContractVersionCreate, response=ContractVersionOut, status=201, errors=(404, 409, 422),
             replays="The version with this start day and these terms made before"),
    Endpoint("GET", "/v1/organisations/{la_id}/contracts", list_contract_versions, PROVIDER_READERS,
             "Every version of the LA's contract, the one in force today marked", "organisations",
             response=ContractVersionList, errors=(404,)),
]
