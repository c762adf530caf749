"""Test tenants: a writing service, an LA it serves, one user per role, three writers, and their tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from service import clock
from service.auth.principal import Principal, principal_for
from service.auth.tokens import issue_token
from service.billing.rate_card import standard_rate_card
from service.models import (
    Bundle,
    BundleStatus,
    Event,
    LaContract,
    Organisation,
    OrganisationKind,
    PurchaseOrder,
    Role,
    User,
    WorkType,
    Writer,
    WriterContract,
)

# the supplier details a full VAT invoice names, so a month with VAT closes (service/billing/parties.py)
SUPPLIER_DETAILS: dict[str, Any] = {"address_lines": ["1 Quill Lane", "Leeds"], "postcode": "LS1 4AP",
                                    "vat_number": "GB123456782"}


@dataclass
class Tenant:
    la: Organisation
    provider: Organisation
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    writers: dict[str, Writer] = field(default_factory=dict)

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


async def make_tenant(*, writer_skills: list[list[str]] | None = None) -> Tenant:
    tag = uuid.uuid4().hex[:6]
    provider = await Organisation.create(kind=OrganisationKind.PROVIDER, name=f"Writing service {tag}",
                                         **SUPPLIER_DETAILS)
    la = await Organisation.create(kind=OrganisationKind.LA, name=f"County {tag}", provider=provider)
    card = standard_rate_card(prices_pence={**standard_rate_card().prices_pence, "new_plan": 42_000},
                              payouts_pence={**standard_rate_card().payouts_pence, "new_plan": 28_000})
    await LaContract.create(la=la, provider=provider, starts_on=clock.today() - timedelta(days=30),
                            prices_pence={"new_plan": 42_000}, payouts_pence={"new_plan": 28_000},
                            vat_rate_percent=20, turnaround_days={"standard": 10, "express": 5},
                            rate_card=card.model_dump(mode="json"))
    # a purchase order with room for any test's submissions (tests of the caps make their own)
    await PurchaseOrder.create(la=la, provider=provider, po_number=f"PO-{tag}", value_pence=100_000_000_00)
    tenant = Tenant(la=la, provider=provider)
    for role, org in [(Role.LA_OFFICER, la), (Role.LA_ADMIN, la), (Role.COORDINATOR, provider),
                      (Role.QA_REVIEWER, provider), (Role.FINANCE, provider), (Role.ADMIN, provider)]:
        user = await User.create(organisation=org, name=f"{role.value} {tag}", role=role)
        tenant.users[role.value] = user
        tenant.tokens[role.value] = (await issue_token(user)).token
    skills = writer_skills or [["new_plan", "phase_transfer", "annual_review_amendment"]] * 3
    for n, writer_skill in enumerate(skills, start=1):
        user = await User.create(organisation=provider, name=f"writer {n} {tag}", role=Role.WRITER)
        writer = await Writer.create(user=user, provider=provider)
        await WriterContract.create(writer=writer, skills=writer_skill, hours_per_week=30, max_concurrent=2,
                                    excluded_las=[], dbs_expires=clock.today() + timedelta(days=365),
                                    starts_on=clock.today() - timedelta(days=1))
        key = f"writer{n}"
        tenant.users[key] = user
        tenant.writers[key] = writer
        tenant.tokens[key] = (await issue_token(user)).token
    tenant.tokens["writer"] = tenant.tokens["writer1"]
    # the instance's operator (one per test tenant here, so tests never share its token's windows)
    operator_org = await Organisation.create(kind=OrganisationKind.OPERATOR, name=f"Operator {tag}")
    operator = await User.create(organisation=operator_org, name=f"operator {tag}", role=Role.OPERATOR)
    tenant.users["operator"] = operator
    tenant.tokens["operator"] = (await issue_token(operator)).token
    return tenant


# --- for service-level tests: a caller, and a bundle already in the state a test starts from ---------------


BEFORE_THE_QUEUE = frozenset({BundleStatus.DRAFT, BundleStatus.SUBMITTED, BundleStatus.HELD, BundleStatus.SCREENING,
                              BundleStatus.REJECTED})


async def principal(tenant: Tenant, who: str) -> Principal:
    """The Principal a request from this tenant's user would carry (`who`: a role name or "writer1".."writer3")."""
    user = await User.get(id=tenant.users[who].id).select_related("organisation", "writer")
    return principal_for(user)


async def bundle_in(tenant: Tenant, status: BundleStatus, *, writer: str | None = None, **fields: Any) -> Bundle:
    """A bundle of the tenant's LA placed straight in `status`, held by `writer` if given. Past the queue, its
    timeline starts with the move into `queued` (the SLA clocks count from it) and skips the rest."""
    bundle = await Bundle.create(
        la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
        reference=f"T-{uuid.uuid4().hex[:8]}", work_type=WorkType.NEW_PLAN, status=status,
        writer=tenant.writers[writer] if writer else None, **fields,
    )
    if status not in BEFORE_THE_QUEUE:
        await Event.create(bundle=bundle, name="bundle.queued", from_status=BundleStatus.SCREENING.value,
                           to_status=BundleStatus.QUEUED.value)
    return bundle


async def chunks_of(data: bytes) -> AsyncIterator[bytes]:
    """An upload body, as the routes stream it."""
    yield data
