"""Tenancy: another LA's bundle is simply not there (404); writers see only their own work; roles stay in lane."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from service import clock
from service.app import ENDPOINTS
from service.audit.service import audit
from service.auth.sessions import start_session
from service.auth.tokens import issue_token
from service.billing.lines import month_of
from service.billing.rate_card import standard_rate_card
from service.http import Endpoint
from service.models import (
    BillableLine,
    Bundle,
    BundleStatus,
    Event,
    IdentityProvider,
    LineKind,
    Offer,
    PurchaseOrder,
    Query,
    Role,
    User,
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
    created = await client.post("/v1/bundles", headers=la, json={"reference": f"TEN-{uuid.uuid4().hex[:8]}",
                                                                "work_type": "new_plan"})
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


ROLES = ["la_officer", "la_admin", "coordinator", "writer1", "qa_reviewer", "finance", "admin", "operator"]
PROTECTED = [ep for ep in ENDPOINTS if not ep.public]
# routes anyone may call: each must be named here, so a route that forgot its roles cannot pass as public
PUBLIC_ROUTES = {"GET /healthz", "GET /readyz", "GET /v1/downloads/{token}", "GET /problems", "GET /problems/{type}",
                 # a person starting and completing a sign-in has no credential yet: the state, PKCE and the
                 # issuer's signed ID token are what the callback checks (tests/oidc)
                 "GET /v1/auth/oidc/{organisation_id}/start", "GET /v1/auth/oidc/callback"}


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
            .replace("{user_id}", "00000000-0000-4000-8000-00000000000c")
            .replace("{session_id}", "00000000-0000-4000-8000-00000000000d")
            .replace("{line_id}", "1")
            .replace("{order_id}", "00000000-0000-4000-8000-00000000000e"))


@dataclass
class World:
    """One tenant's real objects, one of each kind a path can name: a bundle in QA with a document, an offer, a
    draft (with QA findings), a query, a webhook endpoint with a delivery, a spare token."""

    tenant: Tenant
    ids: dict[str, str]

    def path(self, ep: Endpoint, role: str = "") -> str:
        path = ep.path.replace("{index}", "0").replace("{month}", month_of(clock.now()))
        swap = POLICIES[_key(ep)].swap if _key(ep) in POLICIES else None
        for name, value in self.ids.items():
            if swap and role in swap and name in swap[role]:
                value = self.ids[swap[role][name]]
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
    security = await WebhookEndpoint.create(la=tenant.provider, url="https://example.org/security",
                                            event_types=["security.probing"], secret_wrapped=b"x",
                                            secret_prefix="whsec_y")
    security_delivery = await WebhookDelivery.create(endpoint=security, event=event, event_type="security.probing",
                                                     body='{"id": "sec_1"}', attempt_limit=1)
    spare = await issue_token(tenant.users["la_officer"], label="spare")
    provider_spare = await issue_token(tenant.users["finance"], label="spare")
    line = await BillableLine.create(kind=LineKind.INVOICE, provider=tenant.provider, la=tenant.la, bundle_id=bundle_id,
                                     month=month_of(clock.now()), work_type="new_plan", description="matrix",
                                     net_pence=100, base_pence=100, cause="delivery")
    await audit(None, "matrix.touched", object_type="bundle", object_id=bundle_id, bundle_id=UUID(bundle_id))
    # people: a spare user on each side to deactivate, each organisation's issuer, a sign-in session for every user
    spare_officer = await User.create(organisation=tenant.la, name="spare officer", role=Role.LA_OFFICER)
    spare_finance = await User.create(organisation=tenant.provider, name="spare finance", role=Role.FINANCE)
    for organisation in (tenant.la, tenant.provider):
        await IdentityProvider.get_or_create(organisation=organisation, defaults={
            "issuer": "https://login.example.org/matrix", "client_id": "planwright"})
    sessions = {f"session_{key}": str((await start_session(user, ip=None)).id) for key, user in tenant.users.items()}
    return World(tenant, {
        **sessions, "session_id": sessions["session_la_officer"], "spare_user_id": str(spare_officer.id),
        "provider_spare_user_id": str(spare_finance.id),
        "bundle_id": bundle_id, "document_id": str(document_id), "offer_id": str(offer.id),
        "draft_id": drafted.json()["id"], "query_id": str(query.id), "endpoint_id": str(endpoint.id),
        "delivery_id": str(delivery.id), "token_id": str(spare.id), "writer_id": str(writer.id),
        "provider_token_id": str(provider_spare.id), "provider_endpoint_id": str(security.id),
        "provider_delivery_id": str(security_delivery.id), "provider_user_id": str(tenant.users["finance"].id),
        "user_id": str(tenant.users["la_officer"].id), "la_id": str(tenant.la.id), "line_id": str(line.id),
        "writer_user_id": str(tenant.users["writer2"].id), "la_admin_user_id": str(tenant.users["la_admin"].id),
        "order_id": str((await PurchaseOrder.get(la_id=tenant.la.id)).id),
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
    # for a role, which of the world's ids stand for a path's or body's: an admin manages its own organisation's
    # tokens, so its own "spare token" is a provider user's
    swap: dict[str, dict[str, str]] | None = None
    # the body for a role, where it names objects the role's own organisation holds
    role_body: Callable[[World, str], dict[str, Any]] | None = None

    def body_for(self, world: World, role: str) -> dict[str, Any] | None:
        if self.role_body is not None:
            return self.role_body(world, role)
        return self.body(world) if self.body else None


OWNED, COLLECTION = Policy(owned=True), Policy(owned=False)
WRITER_TERMS = {"skills": ["new_plan"], "hours_per_week": 20, "max_concurrent": 2, "excluded_las": [],
                "dbs_number": "001234567890", "dbs_expires": "2030-01-01"}
PDF_UPLOAD = Policy(owned=True, upload=(EP_REPORT, PDF), params={"filename": "ep.pdf"})
REPORT = COLLECTION
# a provider's admin keeps its own (security) webhook endpoints: its own objects are those
PROVIDER_ENDPOINT = {"admin": {"endpoint_id": "provider_endpoint_id", "delivery_id": "provider_delivery_id"}}
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
    "GET /v1/me": COLLECTION,
    "POST /v1/offers/{offer_id}/accept": OWNED,
    "POST /v1/offers/{offer_id}/decline": Policy(owned=True, body=lambda w: {"reason": "busy"}),
    "POST /v1/allocation/rounds": Policy(owned=False, body=lambda w: {"dry_run": True}),
    "GET /v1/allocation/estimates": COLLECTION,
    "GET /v1/allocation/replan": COLLECTION,
    "GET /v1/allocation/settings": COLLECTION,
    "PUT /v1/allocation/settings": Policy(owned=False, body=lambda w: {"fair_share_tolerance": 0.2}),
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
    "GET /v1/billing/months/{month}/credit-notes": COLLECTION,
    "GET /v1/billing/months": COLLECTION,
    "PUT /v1/billing/books/start": Policy(owned=False, body=lambda w: {"starts_month": "2026-01"}),
    "POST /v1/billing/months/{month}/close": COLLECTION,
    "POST /v1/billing/lines/{line_id}/credit": Policy(owned=True, body=lambda w: {"reason": "matrix"}),
    "GET /v1/billing/credit-notes": COLLECTION,
    "POST /v1/billing/months/{month}/invoices/{la_id}/lines": Policy(
        owned=True, body=lambda w: {"description": "matrix", "amount_pence": 100}),
    "POST /v1/billing/purchase-orders": Policy(
        owned=True, body=lambda w: {"po_number": "PO-MATRIX", "value_pence": 1000, "la_id": w.ids["la_id"]}),
    "GET /v1/billing/rate-cards/{la_id}": OWNED,
    "PUT /v1/billing/rate-cards/{la_id}": Policy(
        owned=True, body=lambda w: standard_rate_card().model_dump(mode="json")),
    "GET /v1/billing/purchase-orders": COLLECTION,
    "POST /v1/qa/templates/learn": Policy(owned=False, upload=(VAGUE_PLAN, DOCX), params={"name": "matrix"}),
    "GET /v1/qa/templates/{la_id}": OWNED,
    "PUT /v1/qa/templates/{la_id}": Policy(owned=True, body=lambda w: {"name": "dfe-national"}),
    "PATCH /v1/billing/purchase-orders/{order_id}": Policy(owned=True, body=lambda w: {"value_pence": 10**11}),
    "POST /v1/billing/purchase-orders/{order_id}/close": OWNED,
    "GET /v1/billing/purchase-orders/{order_id}/statement": OWNED,
    "POST /v1/admin/tokens": Policy(owned=True, role_body=lambda w, role: {
        "user_id": w.ids["provider_user_id" if role == "admin" else "la_admin_user_id"]}),
    "GET /v1/admin/tokens": COLLECTION,
    "POST /v1/admin/users": Policy(owned=False, role_body=lambda w, role: {
        "email": f"matrix-{role}@example.org", "name": "Matrix",
        "role": "finance" if role == "admin" else "la_officer"}),
    "GET /v1/admin/users": COLLECTION,
    "PATCH /v1/admin/users/{user_id}": Policy(owned=True, role_body=lambda w, role: {
        "role": "finance" if role == "admin" else "la_officer"}, swap={"admin": {"user_id": "provider_user_id"}}),
    "POST /v1/admin/users/{user_id}/deactivate": Policy(owned=True, swap={
        "la_admin": {"user_id": "spare_user_id"}, "admin": {"user_id": "provider_spare_user_id"}}),
    "GET /v1/admin/sign-in": COLLECTION,
    "PUT /v1/admin/sign-in": Policy(owned=False, body=lambda w: {
        "issuer": "https://login.example.org/matrix", "client_id": "planwright"}),
    "GET /v1/admin/sessions": COLLECTION,
    "DELETE /v1/admin/sessions/{session_id}": Policy(owned=True, swap={"la_admin": {"session_id": "session_la_officer"},
                                                                       "admin": {"session_id": "session_finance"}}),
    "POST /v1/auth/sign-out": COLLECTION,  # a token is no session: 409
    "GET /v1/me/session": COLLECTION,  # likewise
    "GET /v1/me/sessions": COLLECTION,
    "DELETE /v1/me/sessions/{session_id}": Policy(owned=True, swap={
        role: {"session_id": f"session_{role}"} for role in ROLES}),
    "DELETE /v1/admin/tokens/{token_id}": Policy(owned=True, swap={"admin": {"token_id": "provider_token_id"}}),
    "POST /v1/admin/break-glass/tokens": Policy(owned=True, body=lambda w: {
        "user_id": w.ids["user_id"], "reason": "the LA's admin is locked out"}),
    "POST /v1/admin/break-glass/tokens/{token_id}/revoke": Policy(owned=True, body=lambda w: {
        "reason": "a leaked token reported by the LA"}),
    "POST /v1/webhooks/endpoints": Policy(
        owned=False, role_body=lambda w, role: {"url": "https://example.org/h", "event_types": [
            "security.probing" if role == "admin" else "bundle.delivered"]}),
    "GET /v1/webhooks/endpoints": COLLECTION,
    "GET /v1/webhooks/endpoints/{endpoint_id}": Policy(owned=True, swap=PROVIDER_ENDPOINT),
    "PATCH /v1/webhooks/endpoints/{endpoint_id}": Policy(owned=True, body=lambda w: {"description": "matrix"},
                                                         swap=PROVIDER_ENDPOINT),
    "DELETE /v1/webhooks/endpoints/{endpoint_id}": Policy(owned=True, swap=PROVIDER_ENDPOINT),
    "POST /v1/webhooks/endpoints/{endpoint_id}/rotate-secret": Policy(owned=True, body=lambda w: {},
                                                                      swap=PROVIDER_ENDPOINT),
    "GET /v1/webhooks/endpoints/{endpoint_id}/deliveries": Policy(owned=True, swap=PROVIDER_ENDPOINT),
    "POST /v1/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}/redeliver": Policy(
        owned=True, swap=PROVIDER_ENDPOINT),
    "GET /v1/notifications": COLLECTION,
    "GET /v1/reports/turnaround": REPORT,
    "GET /v1/reports/turnaround.csv": REPORT,
    "GET /v1/reports/queue": REPORT,
    "GET /v1/reports/queue.csv": REPORT,
    "GET /v1/reports/utilisation": REPORT,
    "GET /v1/reports/utilisation.csv": REPORT,
    "GET /v1/reports/qa": REPORT,
    "GET /v1/reports/qa.csv": REPORT,
    "GET /v1/reports/statutory-risk": REPORT,
    "GET /v1/reports/statutory-risk.csv": REPORT,
    "GET /v1/reports/capacity-forecast": REPORT,
    "GET /v1/reports/capacity-forecast.csv": REPORT,
    "GET /v1/audit/export": COLLECTION,
    "POST /v1/organisations": Policy(owned=False, body=lambda w: {"name": "Matrix County Council"}),
    "GET /v1/organisations": COLLECTION,
    "GET /v1/organisations/{la_id}": OWNED,
    "PATCH /v1/organisations/{la_id}": Policy(owned=True, body=lambda w: {"name": "Matrix Renamed Council"}),
    "POST /v1/organisations/{la_id}/archive": OWNED,
    "POST /v1/organisations/{la_id}/contracts": Policy(owned=True, body=lambda w: {
        "starts_on": (clock.today() + timedelta(days=1)).isoformat(),
        "turnaround_days": {"standard": 10, "express": 5}}),
    "GET /v1/organisations/{la_id}/contracts": OWNED,
    "POST /v1/writers": Policy(owned=True, body=lambda w: {"user_id": w.ids["writer_user_id"], **WRITER_TERMS}),
    "GET /v1/writers/{writer_id}": OWNED,
    "PUT /v1/writers/{writer_id}/terms": Policy(owned=True, body=lambda w: WRITER_TERMS),
    "POST /v1/writers/{writer_id}/onboard": Policy(owned=True, body=lambda w: {"reason": "matrix"}),
    "POST /v1/writers/{writer_id}/suspend": Policy(owned=True, body=lambda w: {"reason": "matrix"}),
    "POST /v1/writers/{writer_id}/reinstate": Policy(owned=True, body=lambda w: {"reason": "matrix"}),
    "POST /v1/writers/{writer_id}/offboard": Policy(owned=True, body=lambda w: {"reason": "matrix"}),
    "POST /v1/writers/me/conflicts": Policy(owned=True, body=lambda w: {"la_id": w.ids["la_id"]}),
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


# 120 protected routes x 8 roles x (own tenant, other tenant) = 1,920 cells, each one real request
MATRIX_CELLS = len(PROTECTED) * len(ROLES) * 2
# The rooms whose answers turn on the date (months of billing, reports over dates, writers' terms and DBS dates,
# offer windows, token lifetimes, contract versions): their cells run at every test instant too (`-m dated`).
# Elsewhere a cell's answer turns on role and tenant only, and the room's own dated tests cover its dates.
DATED_ROOMS = ("/v1/billing", "/v1/reports", "/v1/writers", "/v1/offers", "/v1/admin", "/v1/organisations")


def _cell(endpoint: Endpoint) -> Any:
    return pytest.param(endpoint, id=_key(endpoint),
                        marks=() if endpoint.path.startswith(DATED_ROOMS) else pytest.mark.any_day)


@pytest.mark.parametrize("endpoint", [_cell(e) for e in PROTECTED])
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
                endpoint.method, target.path(endpoint, role), headers={
                    **tenant.auth(role), **({"Content-Type": policy.upload[1]} if policy.upload else {})},
                params=policy.params, content=policy.upload[0] if policy.upload else None,
                json=policy.body_for(target, role))
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


@pytest.mark.any_day
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


# --- issue 21: the probe's violating cells, each pinned ----------------------------------------------------------


async def test_purchase_orders_of_another_providers_la_answer_404(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    """The probe's cell: finance naming another provider's LA got 200 and an empty list; the contract says 404."""
    theirs = await client.get("/v1/billing/purchase-orders", params={"la_id": str(tenant.la.id)},
                              headers=other_tenant.auth("finance"))
    assert theirs.status_code == 404, theirs.text
    assert theirs.headers["content-type"].startswith("application/problem+json")
    mine = await client.get("/v1/billing/purchase-orders", params={"la_id": str(tenant.la.id)},
                            headers=tenant.auth("finance"))
    assert mine.status_code == 200 and [o["la_id"] for o in mine.json()["items"]] == [str(tenant.la.id)]
    nowhere = await client.get("/v1/billing/purchase-orders", params={"la_id": "00000000-0000-4000-8000-00000000000b"},
                               headers=tenant.auth("finance"))
    assert nowhere.status_code == 404


async def test_metrics_of_one_provider_show_nothing_of_another(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    """The probe's cell: a provider's admin read the whole instance's bundle counts and per-route counters."""
    from prometheus_client.parser import text_string_to_metric_families

    for n in range(2):
        await client.post("/v1/bundles", headers=tenant.auth("la_officer"),
                          json={"reference": f"MX-M{n}", "work_type": "new_plan"})
    theirs = await client.get("/metrics", headers=other_tenant.auth("admin"))
    families = {f.name: f for f in text_string_to_metric_families(theirs.text)}
    assert sum(s.value for s in families["planwright_bundles"].samples) == 0
    assert "planwright_http_request_seconds" not in families


async def test_tokens_of_la_users_are_the_las_to_manage(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    """The probe's cells: a provider admin issued and revoked LA users' tokens unseen; an LA admin could not manage
    its own staff's. Now each organisation's admin manages its own people only."""
    officer = tenant.users["la_officer"]
    provider_admin, la_admin = tenant.auth("admin"), tenant.auth("la_admin")
    refused = await client.post("/v1/admin/tokens", headers=provider_admin, json={"user_id": str(officer.id)})
    assert refused.status_code == 404
    la_token = await issue_token(officer, label="the officer's")
    assert (await client.delete(f"/v1/admin/tokens/{la_token.id}", headers=provider_admin)).status_code == 404
    # (for its admin: an LA case officer holds no token, service/auth/tokens.py)
    issued = await client.post("/v1/admin/tokens", headers=la_admin,
                               json={"user_id": str(tenant.users["la_admin"].id), "label": "x"})
    assert issued.status_code == 201, issued.text
    listed = await client.get("/v1/admin/tokens", headers=la_admin)
    assert issued.json()["id"] in [t["id"] for t in listed.json()["items"]]
    assert issued.json()["token"] not in listed.text
    assert (await client.delete(f"/v1/admin/tokens/{issued.json()['id']}", headers=la_admin)).status_code == 204
    assert (await client.delete(f"/v1/admin/tokens/{la_token.id}", headers=la_admin)).status_code == 204
    # and the LA's admin reaches no one else: not the provider's staff, not another LA's
    for user in (tenant.users["coordinator"], other_tenant.users["la_officer"]):
        other = await client.post("/v1/admin/tokens", headers=la_admin, json={"user_id": str(user.id)})
        assert other.status_code == 404


async def _la_export(client: httpx.AsyncClient, tenant: Tenant) -> tuple[list[dict[str, Any]], str, str]:
    import json

    exported = await client.get("/v1/audit/export", headers=tenant.auth("la_admin"))
    assert exported.status_code == 200, exported.text
    return ([json.loads(line) for line in exported.text.splitlines()], exported.headers["x-audit-chain-head"],
            exported.text)


async def test_break_glass_is_on_the_las_record_and_announced_to_it(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    """A provider reaches an LA user's account only by break-glass: short-lived, with a reason, in the LA's own
    audit export (the provider admin as the LA's pseudonym for them), and told to the LA's security endpoint."""
    import json

    from service.models import ApiToken

    la_admin_user = tenant.users["la_admin"]
    la_endpoint = await client.post("/v1/webhooks/endpoints", headers=tenant.auth("la_admin"), json={
        "url": "https://example.org/la-security", "event_types": ["security.break_glass"]})
    provider_endpoint = await client.post("/v1/webhooks/endpoints", headers=tenant.auth("admin"), json={
        "url": "https://example.org/provider-security", "event_types": ["security.break_glass"]})
    assert la_endpoint.status_code == provider_endpoint.status_code == 201, provider_endpoint.text
    # a provider's endpoint hears security notices only
    bundle_topics = await client.post("/v1/webhooks/endpoints", headers=tenant.auth("admin"), json={
        "url": "https://example.org/p", "event_types": ["bundle.delivered"]})
    assert bundle_topics.status_code == 422

    reason = "LA admin locked out during the phase-transfer peak"
    glass = await client.post("/v1/admin/break-glass/tokens", headers=tenant.auth("admin"),
                              json={"user_id": str(la_admin_user.id), "reason": reason})
    assert glass.status_code == 201, glass.text
    assert clock.now() < datetime.fromisoformat(glass.json()["expires_at"]) <= clock.now() + timedelta(hours=4)
    used = await client.get("/v1/webhooks/endpoints", headers={"Authorization": f"Bearer {glass.json()['token']}"})
    assert used.status_code == 200
    # another provider cannot break the glass of this LA
    stranger = await client.post("/v1/admin/break-glass/tokens", headers=other_tenant.auth("admin"),
                                 json={"user_id": str(la_admin_user.id), "reason": reason})
    assert stranger.status_code == 404

    entries, _, text = await _la_export(client, tenant)
    issued = [e for e in entries if e["action"] == "token.break_glass_issued"]
    assert len(issued) == 1 and issued[0]["data"]["reason"] == reason
    assert issued[0]["actor_id"].startswith("provider-admin-")
    assert str(tenant.users["admin"].id) not in text  # the provider's person, as the LA's pseudonym only
    calls = [e for e in entries if e["action"] == "break_glass.call"]
    assert [c["data"]["route"] for c in calls] == ["/v1/webhooks/endpoints"]

    deliveries = await WebhookDelivery.filter(event_type="security.break_glass").select_related("endpoint")
    by_endpoint = {str(d.endpoint.id): json.loads(d.body) for d in deliveries}
    la_notice = by_endpoint[la_endpoint.json()["id"]]
    provider_notice = by_endpoint[provider_endpoint.json()["id"]]
    assert la_notice["id"] == provider_notice["id"] and la_notice["id"].startswith("sec_")
    assert la_notice["data"]["reason"] == reason and la_notice["data"]["actor"] == issued[0]["actor_id"]
    assert provider_notice["data"]["actor"] == str(tenant.users["admin"].id)
    assert glass.json()["token"] not in json.dumps(by_endpoint)

    # revoking an LA user's token is break-glass too, and as visible
    revoked = await client.post(f"/v1/admin/break-glass/tokens/{glass.json()['id']}/revoke",
                                headers=tenant.auth("admin"), json={"reason": "access no longer needed"})
    assert revoked.status_code == 204
    assert (await ApiToken.get(id=glass.json()["id"])).revoked_at is not None
    entries, _, _ = await _la_export(client, tenant)
    assert "token.break_glass_revoked" in {e["action"] for e in entries}


async def test_refusals_are_audited_without_bodies_and_rate_limited(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.models import AuditEntry

    monkeypatch.setattr(settings, "denied_audit_per_minute", 3)
    bundle_id, _ = await new_bundle(client, tenant)
    stranger = other_tenant.users["la_officer"]
    for _ in range(5):  # another tenant's real bundle: a cross-tenant 404, audited up to the budget
        response = await client.post(f"/v1/bundles/{bundle_id}/cancel", headers=other_tenant.auth("la_officer"),
                                     json={"secret": "never stored"})
        assert response.status_code == 404
    missing = await client.get("/v1/bundles/00000000-0000-4000-8000-0000000000ff",
                               headers=other_tenant.auth("la_officer"))
    assert missing.status_code == 404  # an id that exists nowhere: not a refusal
    forbidden = await client.get("/v1/billing/months/2027-01/payouts", headers=other_tenant.auth("la_officer"))
    assert forbidden.status_code == 403
    rows = await AuditEntry.filter(action="access.denied", actor_id=stranger.id).order_by("id")
    cross = [r for r in rows if r.data["outcome"] == "cross_tenant"]
    assert len(cross) == 3  # the budget: 3 a minute per caller and route
    assert {(r.object_type, r.object_id, r.data["route"], r.data["status"]) for r in cross} == {
        ("bundle", bundle_id, "/v1/bundles/{bundle_id}/cancel", 404)}
    assert cross[0].organisation_id == other_tenant.la.id
    assert [r.data["route"] for r in rows if r.data["outcome"] == "forbidden"] == [
        "/v1/billing/months/{month}/payouts"]
    assert not any("never stored" in str(r.data) for r in rows)
    assert not any("0000000000ff" in r.object_id for r in rows)
    # the refusal is in the refusing LA's own export; nothing of it in the probed LA's
    _, _, theirs = await _la_export(client, other_tenant)
    assert "access.denied" in theirs
    _, _, mine = await _la_export(client, tenant)
    assert "access.denied" not in mine


async def test_the_access_log_names_who_asked_never_the_token(
    client: httpx.AsyncClient, tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import logging

    from service.logging import configure_logging

    configure_logging(json_logs=True, level="info")
    try:
        capsys.readouterr()
        await client.get("/v1/bundles", headers=tenant.auth("la_officer"))
        await client.get("/v1/bundles")
        captured = capsys.readouterr()
        lines = [json.loads(line[line.index("{"):]) for line in (captured.out + captured.err).splitlines()
                 if '"http.request"' in line]
    finally:
        logging.getLogger().handlers.clear()
    asked, anonymous = lines[-2], lines[-1]
    assert (asked["user_id"], asked["organisation_id"]) == (str(tenant.users["la_officer"].id), str(tenant.la.id))
    assert anonymous["user_id"] is None and anonymous["status"] == 401
    assert tenant.tokens["la_officer"] not in json.dumps(lines)


async def test_a_caller_collecting_cross_tenant_404s_raises_a_security_event(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from prometheus_client.parser import text_string_to_metric_families

    from service.models import AuditEntry

    monkeypatch.setattr(settings, "probe_threshold", 4)

    def probing_events(text: str) -> float:
        families = {f.name: f for f in text_string_to_metric_families(text)}
        return sum(s.value for s in families["planwright_security_events"].samples
                   if s.labels.get("kind") == "probing" and s.name.endswith("_total"))

    before = probing_events((await client.get("/metrics", headers=tenant.auth("operator"))).text)
    la_hook = await WebhookEndpoint.create(la=tenant.la, url="https://example.org/la", secret_wrapped=b"x",
                                           event_types=["security.probing"], secret_prefix="whsec_a")
    provider_hook = await WebhookEndpoint.create(la=other_tenant.provider, url="https://example.org/p",
                                                 event_types=["security.probing"], secret_wrapped=b"x",
                                                 secret_prefix="whsec_b")
    bundle_ids = [(await new_bundle(client, tenant, with_document=False))[0] for _ in range(6)]
    prober = other_tenant.auth("coordinator")
    for bundle_id in bundle_ids:
        assert (await client.get(f"/v1/bundles/{bundle_id}", headers=prober)).status_code == 404
    events = await AuditEntry.filter(action="security.probing", actor_id=other_tenant.users["coordinator"].id)
    assert len(events) == 1  # once per window, however many more
    after = probing_events((await client.get("/metrics", headers=tenant.auth("operator"))).text)
    assert after == before + 1
    notices = {d.endpoint_id: json.loads(d.body)  # type: ignore[attr-defined]
               for d in await WebhookDelivery.filter(event_type="security.probing",
                                                     endpoint_id__in=[la_hook.id, provider_hook.id])}
    assert notices.keys() == {la_hook.id, provider_hook.id}
    assert notices[la_hook.id]["data"]["la_id"] == str(tenant.la.id)
    assert notices[la_hook.id]["data"]["actor"].startswith("coordinator-")  # the LA's pseudonym for them
    assert notices[provider_hook.id]["data"]["actor"] == str(other_tenant.users["coordinator"].id)


async def test_an_la_verifies_its_own_export_offline(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, tmp_path: Any
) -> None:
    """The probe's cell: the export's head was the instance's (74 where the LA had 23). Now it is the LA's own
    chain, and `planwright audit verify --export` checks the file alone, with no database."""
    import asyncio
    import itertools
    import json
    import subprocess
    import sys

    from service.models import AuditEntry

    mine, document = await new_bundle(client, tenant)
    theirs, _ = await new_bundle(client, other_tenant)
    for _ in range(3):
        await audit(None, "test.theirs", object_type="bundle", object_id=theirs, bundle_id=UUID(theirs))
    await client.get(f"/v1/bundles/{mine}/documents/{document}/content", headers=tenant.auth("la_officer"))
    exported = await client.get("/v1/audit/export", headers=tenant.auth("la_admin"))
    head = exported.headers["x-audit-chain-head"]
    entries = [json.loads(line) for line in exported.text.splitlines()]
    assert head == f"{entries[-1]['id']} {entries[-1]['hash']}"  # the LA's own head closes its own file
    assert entries[0]["prev_hash"] == "0" * 64
    assert all(a["hash"] == b["prev_hash"] for a, b in itertools.pairwise(entries))
    assert await AuditEntry.filter(la_id=tenant.la.id).count() == len(entries)
    path = tmp_path / "export.jsonl"
    path.write_text(exported.text)
    as_csv = await client.get("/v1/audit/export", params={"format": "csv"}, headers=tenant.auth("la_admin"))
    csv_path = tmp_path / "export.csv"
    csv_path.write_text(as_csv.text)

    def verify(*args: str) -> subprocess.CompletedProcess[str]:
        # no database named: the check needs only the file
        env = {"PATH": "/usr/bin:/bin", "PLANWRIGHT_DATABASE_URL": "sqlite:///nonexistent/nowhere.sqlite3"}
        return subprocess.run([sys.executable, "-m", "service.cli", "audit", "verify", *args], capture_output=True,
                              text=True, env=env, timeout=60)

    ok = await asyncio.to_thread(verify, "--export", str(path), "--head", head)
    assert ok.returncode == 0, ok.stderr
    assert f"{len(entries)} entries verified" in ok.stdout
    ok_csv = await asyncio.to_thread(verify, "--export", str(csv_path), "--head", as_csv.headers["x-audit-chain-head"])
    assert ok_csv.returncode == 0, ok_csv.stderr
    # an entry edited, or the newest cut off, is found
    tampered = [dict(e) for e in entries]
    tampered[1]["action"] = "nothing.to.see"
    path.write_text("".join(json.dumps(e) + "\n" for e in tampered))
    broken = await asyncio.to_thread(verify, "--export", str(path))
    assert broken.returncode == 2 and f"broken at entry {entries[1]['id']}" in broken.stderr
    path.write_text("".join(json.dumps(e) + "\n" for e in entries[:-1]))
    cut = await asyncio.to_thread(verify, "--export", str(path), "--head", head)
    assert cut.returncode == 2 and "does not end at the head" in cut.stderr
    path.write_text("not an export\n")
    unreadable = await asyncio.to_thread(verify, "--export", str(path))
    assert unreadable.returncode == 2 and "--export" in unreadable.stderr


async def test_tokens_expire_within_the_organisations_limits(
    client: httpx.AsyncClient, tenant: Tenant, settings: Any
) -> None:
    import time_machine

    from service.models import Organisation

    la_admin, officer = tenant.auth("la_admin"), str(tenant.users["la_admin"].id)
    default = await client.post("/v1/admin/tokens", headers=la_admin, json={"user_id": officer})
    expires = datetime.fromisoformat(default.json()["expires_at"])
    assert abs(expires - (clock.now() + timedelta(days=settings.token_default_days))) < timedelta(minutes=1)
    too_long = await client.post("/v1/admin/tokens", headers=la_admin,
                                 json={"user_id": officer, "expires_in_days": settings.token_max_days + 1})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "body.expires_in_days"
    # an organisation's own, shorter limits
    await Organisation.filter(id=tenant.la.id).update(token_default_days=7, token_max_days=30)
    short = await client.post("/v1/admin/tokens", headers=la_admin, json={"user_id": officer})
    assert abs(datetime.fromisoformat(short.json()["expires_at"]) - (clock.now() + timedelta(days=7))) < timedelta(
        minutes=1)
    assert (await client.post("/v1/admin/tokens", headers=la_admin,
                              json={"user_id": officer, "expires_in_days": 31})).status_code == 422
    token = {"Authorization": f"Bearer {short.json()['token']}"}
    assert (await client.get("/v1/bundles", headers=token)).status_code == 200
    with time_machine.travel(clock.now() + timedelta(days=7, minutes=1), tick=False):
        assert (await client.get("/v1/bundles", headers=token)).status_code == 401


async def test_a_read_only_token_only_reads(client: httpx.AsyncClient, tenant: Tenant) -> None:
    issued = await client.post("/v1/admin/tokens", headers=tenant.auth("la_admin"), json={
        "user_id": str(tenant.users["la_admin"].id), "read_only": True})
    token = {"Authorization": f"Bearer {issued.json()['token']}"}
    assert (await client.get("/v1/bundles", headers=token)).status_code == 200
    write = await client.post("/v1/bundles", headers=token, json={"reference": "RO-1", "work_type": "new_plan"})
    assert write.status_code == 403 and "read-only" in write.json()["detail"]
    assert not await Bundle.filter(reference="RO-1").exists()


async def test_a_token_scoped_to_one_la_reaches_only_that_las_work(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    from service.models import Organisation, OrganisationKind

    second_la = await Organisation.create(kind=OrganisationKind.LA, name="Second county", provider=tenant.provider)
    first_bundle, _ = await new_bundle(client, tenant, with_document=False)
    coordinator = str(tenant.users["coordinator"].id)
    scoped = await client.post("/v1/admin/tokens", headers=tenant.auth("admin"),
                               json={"user_id": coordinator, "la_scope": str(second_la.id)})
    assert scoped.status_code == 201, scoped.text
    token = {"Authorization": f"Bearer {scoped.json()['token']}"}
    assert (await client.get(f"/v1/bundles/{first_bundle}", headers=token)).status_code == 404
    listed = await client.get("/v1/bundles", headers=token)
    assert first_bundle not in listed.text
    unscoped = await client.get(f"/v1/bundles/{first_bundle}", headers=tenant.auth("coordinator"))
    assert unscoped.status_code == 200
    finance = await client.post("/v1/admin/tokens", headers=tenant.auth("admin"), json={
        "user_id": str(tenant.users["finance"].id), "la_scope": str(second_la.id)})
    orders = await client.get("/v1/billing/purchase-orders", params={"la_id": str(tenant.la.id)},
                              headers={"Authorization": f"Bearer {finance.json()['token']}"})
    assert orders.status_code == 404
    # a scope outside the provider's clients is not there
    foreign = await client.post("/v1/admin/tokens", headers=tenant.auth("admin"),
                                json={"user_id": coordinator, "la_scope": str(other_tenant.la.id)})
    assert foreign.status_code == 404


async def test_last_used_is_shown_never_the_token(client: httpx.AsyncClient, tenant: Tenant) -> None:
    import time_machine

    issued = await client.post("/v1/admin/tokens", headers=tenant.auth("la_admin"), json={
        "user_id": str(tenant.users["la_admin"].id), "label": "case system"})
    mine = issued.json()["id"]

    async def last_used() -> str | None:
        listed = await client.get("/v1/admin/tokens", headers=tenant.auth("la_admin"))
        assert issued.json()["token"] not in listed.text
        return next(t["last_used_at"] for t in listed.json()["items"] if t["id"] == mine)

    assert await last_used() is None
    await client.get("/v1/bundles", headers={"Authorization": f"Bearer {issued.json()['token']}"})
    first = await last_used()
    assert first is not None
    with time_machine.travel(clock.now() + timedelta(hours=2), tick=False):
        await client.get("/v1/bundles", headers={"Authorization": f"Bearer {issued.json()['token']}"})
        later = await last_used()
    assert later is not None and datetime.fromisoformat(later) > datetime.fromisoformat(first)


async def test_an_la_knows_its_writers_by_a_pseudonym_of_its_own(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    """README, Security: an LA sees a stable pseudonym per writer, different for every LA; never a writer's id or
    name, in any answer, timeline or audit export it reaches."""
    from service.allocation.overrides import assign
    from service.auth.pseudonyms import pseudonym
    from tests.factories import principal

    bundle_id, _ = await new_bundle(client, tenant, with_document=False)
    writer = tenant.writers["writer1"]
    await Bundle.filter(id=bundle_id).update(status=BundleStatus.QUEUED)
    await assign(await principal(tenant, "coordinator"), UUID(bundle_id), writer.id, reason="continuity")
    await audit(await principal(tenant, "writer1"), "document.download", object_type="document", object_id="d1",
                bundle_id=UUID(bundle_id))
    seen = await client.get(f"/v1/bundles/{bundle_id}", headers=tenant.auth("la_officer"))
    listed = await client.get("/v1/bundles", headers=tenant.auth("la_officer"))
    _, _, export = await _la_export(client, tenant)
    name = pseudonym(tenant.la.id, writer.id)
    assert seen.json()["writer"] == name and seen.json()["writer_id"] is None
    assert name in export  # the same name in the export as in the answers
    for text in (seen.text, listed.text, export):
        for secret in (str(writer.id), str(tenant.users["writer1"].id), tenant.users["writer1"].name):
            assert secret not in text
    # the provider still sees who it is; another LA would know the same writer by another name
    provider_view = await client.get(f"/v1/bundles/{bundle_id}", headers=tenant.auth("coordinator"))
    assert provider_view.json()["writer_id"] == str(writer.id)
    assert pseudonym(other_tenant.la.id, writer.id) != name
