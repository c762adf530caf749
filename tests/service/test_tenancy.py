"""Tenancy: another LA's bundle is simply not there (404); writers see only their own work; roles stay in lane."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from service import clock
from service.app import ENDPOINTS
from service.audit.service import audit
from service.auth.tokens import issue_token
from service.billing.lines import month_of
from service.billing.rate_card import standard_rate_card
from service.http import Endpoint
from service.models import (
    BillableLine,
    Bundle,
    BundleStatus,
    Event,
    LineKind,
    Offer,
    Query,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.delivery.test_workflow import SHEET, VAGUE_PLAN
from tests.factories import Tenant
from tests.files import DOCX, EP_REPORT, PDF


async def new_bundle(
    client: httpx.AsyncClient, tenant: Tenant, *, with_document: bool = True
) -> tuple[str, str | None]:
    la = tenant.auth("la_officer")
    created = await client.post("/v1/bundles", headers=la, json={"reference": "TEN-1", "work_type": "new_plan"})
    assert created.status_code == 201, created.text
    bundle_id = created.json()["id"]
    document_id = None
    if with_document:
        uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep.pdf"},
                                     content=EP_REPORT, headers={**la, "Content-Type": PDF})
        assert uploaded.status_code == 201, uploaded.text
        document_id = uploaded.json()["id"]
    return bundle_id, document_id


async def test_another_la_cannot_list_get_download_or_cancel_a_bundle(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    bundle_id, document_id = await new_bundle(client, tenant)
    other = other_tenant.auth("la_officer")
    listed = await client.get("/v1/bundles", headers=other)
    assert bundle_id not in [b["id"] for b in listed.json()["items"]]
    assert (await client.get(f"/v1/bundles/{bundle_id}", headers=other)).status_code == 404
    download = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content", headers=other)
    assert download.status_code == 404
    assert (await client.post(f"/v1/bundles/{bundle_id}/cancel", headers=other)).status_code == 404
    assert (await client.post(f"/v1/bundles/{bundle_id}/submit", headers=other)).status_code == 404
    # and the owner still sees it untouched
    mine = await client.get(f"/v1/bundles/{bundle_id}", headers=tenant.auth("la_officer"))
    assert mine.status_code == 200 and mine.json()["status"] == "draft"


async def test_another_providers_staff_cannot_see_the_bundle(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    bundle_id, _ = await new_bundle(client, tenant)
    for role in ("coordinator", "qa_reviewer", "writer1", "admin"):
        response = await client.get(f"/v1/bundles/{bundle_id}", headers=other_tenant.auth(role))
        assert response.status_code == 404, role


async def test_a_writer_cannot_download_documents_of_a_bundle_not_theirs(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id, document_id = await new_bundle(client, tenant)
    response = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content",
                                headers=tenant.auth("writer2"))
    assert response.status_code == 404


async def test_the_coordinator_cannot_read_the_documents(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id, document_id = await new_bundle(client, tenant)
    response = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content",
                                headers=tenant.auth("coordinator"))
    assert response.status_code == 403


ROLES = ["la_officer", "la_admin", "coordinator", "writer1", "qa_reviewer", "finance", "admin"]
PROTECTED = [ep for ep in ENDPOINTS if not ep.public]
# routes anyone may call: each must be named here, so a route that forgot its roles cannot pass as public
PUBLIC_ROUTES = {"GET /healthz", "GET /readyz", "GET /v1/downloads/{token}"}


def _path(ep: Endpoint) -> str:
    return (ep.path.replace("{bundle_id}", "00000000-0000-4000-8000-000000000001")
            .replace("{document_id}", "00000000-0000-4000-8000-000000000002")
            .replace("{offer_id}", "00000000-0000-4000-8000-000000000003")
            .replace("{draft_id}", "00000000-0000-4000-8000-000000000004")
            .replace("{token_id}", "00000000-0000-4000-8000-000000000005")
            .replace("{writer_id}", "00000000-0000-4000-8000-000000000006")
            .replace("{query_id}", "00000000-0000-4000-8000-000000000007")
            .replace("{index}", "0")
            .replace("{endpoint_id}", "00000000-0000-4000-8000-000000000009")
            .replace("{delivery_id}", "00000000-0000-4000-8000-00000000000a")
            .replace("{month}", "2027-01")
            .replace("{la_id}", "00000000-0000-4000-8000-00000000000b")
            .replace("{line_id}", "1"))


@dataclass
class World:
    """One tenant's real objects, one of each kind a path can name: a bundle in QA with a document, an offer, a
    draft (with QA findings), a query, a webhook endpoint with a delivery, a spare token."""

    tenant: Tenant
    ids: dict[str, str]

    def path(self, ep: Endpoint) -> str:
        path = ep.path.replace("{index}", "0").replace("{month}", month_of(clock.now()))
        for name, value in self.ids.items():
            path = path.replace("{" + name + "}", value)
        assert "{" not in path, f"no object for a path parameter of {path}: add it to build_world"
        return path


async def build_world(client: httpx.AsyncClient, tenant: Tenant) -> World:
    bundle_id, document_id = await new_bundle(client, tenant)
    writer = tenant.writers["writer1"]
    await Bundle.filter(id=bundle_id).update(status=BundleStatus.DRAFTING, writer_id=writer.id,
                                             turnaround_due=clock.today() + timedelta(days=10))
    offer = await Offer.create(bundle_id=bundle_id, writer=writer, expires_at=clock.now() + timedelta(hours=8))
    await client.put(f"/v1/bundles/{bundle_id}/front-sheet", headers=tenant.auth("writer1"), json=SHEET)
    drafted = await client.post(f"/v1/bundles/{bundle_id}/drafts", params={"filename": "plan.docx"},
                                content=VAGUE_PLAN, headers={**tenant.auth("writer1"), "Content-Type": DOCX})
    assert drafted.status_code == 201, drafted.text
    query = await Query.create(bundle_id=bundle_id, asked_by=tenant.users["writer1"], question="Which EP report?")
    endpoint = await WebhookEndpoint.create(la=tenant.la, url="https://example.org/hook",
                                            event_types=["bundle.delivered"], secret_wrapped=b"x",
                                            secret_prefix="whsec_x")
    event = await Event.filter(bundle_id=bundle_id).first()
    assert event is not None
    delivery = await WebhookDelivery.create(endpoint=endpoint, event=event, event_type="bundle.queued", body="{}",
                                            attempt_limit=1)
    spare = await issue_token(tenant.users["la_officer"], label="spare")
    line = await BillableLine.create(kind=LineKind.INVOICE, provider=tenant.provider, la=tenant.la, bundle_id=bundle_id,
                                     month=month_of(clock.now()), work_type="new_plan", description="matrix",
                                     net_pence=100, base_pence=100, cause="delivery")
    await audit(None, "matrix.touched", object_type="bundle", object_id=bundle_id, bundle_id=UUID(bundle_id))
    return World(tenant, {
        "bundle_id": bundle_id, "document_id": str(document_id), "offer_id": str(offer.id),
        "draft_id": drafted.json()["id"], "query_id": str(query.id), "endpoint_id": str(endpoint.id),
        "delivery_id": str(delivery.id), "token_id": str(spare.id), "writer_id": str(writer.id),
        "user_id": str(tenant.users["la_officer"].id), "la_id": str(tenant.la.id), "line_id": str(line.id),
    })


@dataclass(frozen=True)
class Policy:
    """How a route meets tenancy. `owned`: its path (or body) names another tenant's object, which must answer 404
    to every role allowed the route. Otherwise the route is a collection: the caller sees only its own tenant, so
    nothing of the other tenant's may appear in the answer. `body`/`upload`/`params` make the request valid, so
    a 422 or 415 cannot hide the 404."""

    owned: bool
    body: Callable[[World], dict[str, Any]] | None = None
    upload: tuple[bytes, str] | None = None
    params: dict[str, str] | None = None


OWNED, COLLECTION = Policy(owned=True), Policy(owned=False)
PDF_UPLOAD = Policy(owned=True, upload=(EP_REPORT, PDF), params={"filename": "ep.pdf"})
REPORT = COLLECTION
POLICIES: dict[str, Policy] = {
    "GET /metrics": COLLECTION,
    "POST /v1/bundles": Policy(owned=False, body=lambda w: {"reference": "MX-1", "work_type": "new_plan"}),
    "GET /v1/bundles": COLLECTION,
    "GET /v1/bundles/{bundle_id}": OWNED,
    "POST /v1/bundles/{bundle_id}/documents": PDF_UPLOAD,
    "GET /v1/bundles/{bundle_id}/documents/{document_id}/content": OWNED,
    "POST /v1/bundles/{bundle_id}/submit": OWNED,
    "POST /v1/bundles/{bundle_id}/cancel": OWNED,
    "PUT /v1/bundles/{bundle_id}/deny-list": Policy(owned=True, body=lambda w: {"salt": "ab", "hashes": []}),
    "DELETE /v1/bundles/{bundle_id}/deny-list": OWNED,
    "PUT /v1/bundles/{bundle_id}/documents/{document_id}/content": PDF_UPLOAD,
    "POST /v1/bundles/{bundle_id}/documents/{document_id}/unreadable-confirmations": Policy(
        owned=True, body=lambda w: {"pages": [1], "holds_no_identifiers": True}),
    "GET /v1/offers": COLLECTION,
    "POST /v1/offers/{offer_id}/accept": OWNED,
    "POST /v1/offers/{offer_id}/decline": Policy(owned=True, body=lambda w: {"reason": "busy"}),
    "POST /v1/allocation/rounds": Policy(owned=False, body=lambda w: {"dry_run": True}),
    "GET /v1/allocation/estimates": COLLECTION,
    "POST /v1/bundles/{bundle_id}/assign": Policy(
        owned=True, body=lambda w: {"writer_id": w.ids["writer_id"], "reason": "matrix"}),
    "PUT /v1/bundles/{bundle_id}/pin": Policy(owned=True, body=lambda w: {"writer_id": w.ids["writer_id"]}),
    "PUT /v1/bundles/{bundle_id}/effort": Policy(owned=True, body=lambda w: {"effort_hours": 5}),
    "GET /v1/writers": COLLECTION,
    "POST /v1/writers/{writer_id}/release": Policy(owned=True, body=lambda w: {"reason": "matrix"}),
    "POST /v1/writers/me/leave": Policy(owned=False, body=lambda w: {"days": ["2030-01-02"]}),
    "GET /v1/work": COLLECTION,
    "PUT /v1/bundles/{bundle_id}/front-sheet": Policy(owned=True, body=lambda w: SHEET),
    "POST /v1/bundles/{bundle_id}/drafts": Policy(owned=True, upload=(VAGUE_PLAN, DOCX), params={"filename": "p.docx"}),
    "PUT /v1/drafts/{draft_id}/rendition": Policy(owned=True, upload=(EP_REPORT, PDF), params={"filename": "p.pdf"}),
    "GET /v1/drafts/{draft_id}/content": OWNED,
    "POST /v1/bundles/{bundle_id}/queries": Policy(owned=True, body=lambda w: {"question": "Which SALT report?"}),
    "POST /v1/queries/{query_id}/answer": Policy(owned=True, body=lambda w: {"answer": "The March one."}),
    "GET /v1/bundles/{bundle_id}/queries": OWNED,
    "GET /v1/qa/queue": COLLECTION,
    "POST /v1/drafts/{draft_id}/claim": OWNED,
    "GET /v1/drafts/{draft_id}/review": OWNED,
    "POST /v1/drafts/{draft_id}/findings/{index}/dismiss": Policy(owned=True, body=lambda w: {"reason": "matrix"}),
    "POST /v1/drafts/{draft_id}/pass": Policy(owned=True, body=lambda w: {"checklist": {}}),
    "POST /v1/drafts/{draft_id}/return": Policy(owned=True, body=lambda w: {"comments": "Quantify F."}),
    "GET /v1/writers/{writer_id}/quality": OWNED,
    "GET /v1/bundles/{bundle_id}/delivered-draft": OWNED,
    "GET /v1/bundles/{bundle_id}/delivered-draft/rendition": OWNED,
    "POST /v1/bundles/{bundle_id}/delivered-draft/link": OWNED,
    "POST /v1/bundles/{bundle_id}/access/revoke": OWNED,
    "POST /v1/bundles/{bundle_id}/access/restore": OWNED,
    "POST /v1/bundles/{bundle_id}/accept": OWNED,
    "POST /v1/bundles/{bundle_id}/amendments": Policy(owned=True, body=lambda w: {"reason": "Section F is vague."}),
    "GET /v1/billing/months/{month}/invoices/{la_id}": OWNED,
    "GET /v1/billing/months/{month}/payouts": COLLECTION,
    "GET /v1/billing/months/{month}/summary": COLLECTION,
    "POST /v1/billing/months/{month}/close": COLLECTION,
    "POST /v1/billing/lines/{line_id}/credit": Policy(owned=True, body=lambda w: {"reason": "matrix"}),
    "POST /v1/billing/purchase-orders": Policy(
        owned=True, body=lambda w: {"po_number": "PO-MATRIX", "value_pence": 1000, "la_id": w.ids["la_id"]}),
    "GET /v1/billing/rate-cards/{la_id}": OWNED,
    "PUT /v1/billing/rate-cards/{la_id}": Policy(
        owned=True, body=lambda w: standard_rate_card().model_dump(mode="json")),
    "GET /v1/billing/purchase-orders": COLLECTION,
    "POST /v1/admin/tokens": Policy(owned=True, body=lambda w: {"user_id": w.ids["user_id"]}),
    "DELETE /v1/admin/tokens/{token_id}": OWNED,
    "POST /v1/webhooks/endpoints": Policy(
        owned=False, body=lambda w: {"url": "https://example.org/h", "event_types": ["bundle.delivered"]}),
    "GET /v1/webhooks/endpoints": COLLECTION,
    "GET /v1/webhooks/endpoints/{endpoint_id}": OWNED,
    "PATCH /v1/webhooks/endpoints/{endpoint_id}": Policy(owned=True, body=lambda w: {"description": "matrix"}),
    "DELETE /v1/webhooks/endpoints/{endpoint_id}": OWNED,
    "POST /v1/webhooks/endpoints/{endpoint_id}/rotate-secret": Policy(owned=True, body=lambda w: {}),
    "GET /v1/webhooks/endpoints/{endpoint_id}/deliveries": OWNED,
    "POST /v1/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver": OWNED,
    "GET /v1/notifications": COLLECTION,
    "GET /v1/reports/turnaround": REPORT,
    "GET /v1/reports/queue": REPORT,
    "GET /v1/reports/utilisation": REPORT,
    "GET /v1/reports/qa": REPORT,
    "GET /v1/reports/statutory-risk": REPORT,
    "GET /v1/reports/capacity-forecast": REPORT,
    "GET /v1/audit/export": COLLECTION,
}


def _key(ep: Endpoint) -> str:
    return f"{ep.method} {ep.path}"


def expected(ep: Endpoint, role: str, own: bool) -> str:
    """The matrix cell: 403 for a role the route is not for, 404 for another tenant's object, else allow."""
    if role.rstrip("1") not in {r.value for r in ep.roles}:
        return "403"
    return "allow" if own or not POLICIES[_key(ep)].owned else "404"


def test_every_route_declares_its_tenancy_policy() -> None:
    routes = {_key(ep) for ep in PROTECTED}
    assert {_key(ep) for ep in ENDPOINTS if ep.public} == PUBLIC_ROUTES, "a public route must be named as such"
    assert routes - POLICIES.keys() == set(), "declare these routes' tenancy in POLICIES"
    assert POLICIES.keys() - routes == set(), "these policies name routes that no longer exist"


# 70 protected routes x 7 roles x (own tenant, other tenant) = 980 cells, each one real request
MATRIX_CELLS = len(PROTECTED) * len(ROLES) * 2


@pytest.mark.parametrize("endpoint", PROTECTED, ids=[_key(e) for e in PROTECTED])
async def test_authorization_matrix(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, endpoint: Endpoint
) -> None:
    """Every role of one tenant against this route, first on the other tenant's real objects, then on its own."""
    policy = POLICIES.get(_key(endpoint))
    assert policy is not None, f"{_key(endpoint)} has no tenancy policy: declare it in POLICIES"
    own, other = await build_world(client, tenant), await build_world(client, other_tenant)
    for target in (other, own):
        for role in ROLES:
            want = expected(endpoint, role, target is own)
            response = await client.request(
                endpoint.method, target.path(endpoint), headers={
                    **tenant.auth(role), **({"Content-Type": policy.upload[1]} if policy.upload else {})},
                params=policy.params, content=policy.upload[0] if policy.upload else None,
                json=policy.body(target) if policy.body else None)
            cell = (role, "own" if target is own else "other", want, response.status_code, response.text[:200])
            if want == "allow":
                assert response.status_code not in {401, 403, 404}, cell
                if target is other:
                    # (ids of 8 characters or more: a ledger line's small number would match any digits)
                    leaked = [name for name, value in other.ids.items() if len(value) >= 8 and value in response.text]
                    assert leaked == [], cell
            else:
                assert response.status_code == int(want), cell
                assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("endpoint", PROTECTED, ids=[f"{e.method} {e.path}" for e in PROTECTED])
async def test_no_token_means_401(client: httpx.AsyncClient, endpoint: Endpoint) -> None:
    response = await client.request(endpoint.method, _path(endpoint))
    assert response.status_code == 401
    bad = await client.request(endpoint.method, _path(endpoint), headers={"Authorization": "Bearer pw_nope"})
    assert bad.status_code == 401


async def test_a_revoked_token_stops_working(client: httpx.AsyncClient, tenant: Tenant) -> None:
    from service.auth.tokens import issue_token, revoke_token

    issued = await issue_token(tenant.users["la_officer"])
    headers = {"Authorization": f"Bearer {issued.token}"}
    assert (await client.get("/v1/bundles", headers=headers)).status_code == 200
    await revoke_token(issued.id)
    assert (await client.get("/v1/bundles", headers=headers)).status_code == 401
