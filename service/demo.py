"""The demo tenant `make run` seeds on first start: an LA, the writing service, its people, and their tokens."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from tortoise.transactions import in_transaction

from service import clock
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
    Tier,
    User,
    WorkType,
    Writer,
    WriterContract,
)
from service.settings import Settings

DEMO_LA = "Demo County Council"
# the provider's second client: its purchase order is nearly spent (one new plan fits; the LA is warned at 80%,
# and its next submission is held until the LA adds a purchase order)
DEMO_LA2 = "Demo Borough Council"
DEMO_PROVIDER = "Demo Plan Writing Service"
DEMO_OPERATOR = "Demo operator"
# `planwright seed --second-provider`: a writing service of its own with its own client LA, to see tenancy at work
SECOND_PROVIDER = "Second Plan Writing Service"
SECOND_LA = "Second County Council"
# the writing services' supplier details, which a full VAT invoice names (a month with VAT closes only with them);
# a made-up address, and a VAT number whose check digits are valid
DEMO_SUPPLIER: dict[str, Any] = {"address_lines": ["1 Demo Street", "Leeds"], "postcode": "LS1 1AA",
                                 "vat_number": "GB123456782"}
TOKENS_FILE = Path("var/demo-tokens.json")
ALL_SKILLS = ["new_plan", "phase_transfer", "annual_review_amendment", "reassessment", "statement_transfer", "post16"]


@dataclass(frozen=True)
class DemoPerson:
    """Whom a demo token speaks for (what `GET /v1/me` answers with it)."""

    name: str
    user_id: str
    writer_id: str | None = None


@dataclass(frozen=True)
class DemoTenant:
    tokens: dict[str, str]
    first_start: bool
    people: dict[str, DemoPerson] = field(default_factory=dict)


PEOPLE = {"la_officer": "Demo case officer", "la_admin": "Demo SEND team manager",
          "coordinator": "Demo coordinator", "qa_reviewer": "Demo QA reviewer", "finance": "Demo finance",
          "admin": "Demo administrator", "operator": "Demo operator (metrics)",
          **{f"writer{n}": f"Demo writer {n}" for n in (1, 2, 3)},
          "la2_officer": "Demo borough case officer", "la2_admin": "Demo borough SEND team manager"}
SECOND_PEOPLE = {"p2_la_officer": "Second case officer", "p2_coordinator": "Second coordinator",
                 "p2_admin": "Second administrator", "p2_qa_reviewer": "Second QA reviewer",
                 "p2_finance": "Second finance", "p2_writer1": "Second writer 1"}


async def _people() -> dict[str, DemoPerson]:
    """The demo's people by token name, found by their names in the demo's two organisations."""
    everyone = {**PEOPLE, **SECOND_PEOPLE}
    users = await User.filter(
        organisation__name__in=[DEMO_LA, DEMO_LA2, DEMO_PROVIDER, DEMO_OPERATOR, SECOND_PROVIDER, SECOND_LA],
        name__in=list(everyone.values())).select_related("writer")
    by_name = {u.name: u for u in users}
    found: dict[str, DemoPerson] = {}
    for key, name in everyone.items():
        user = by_name.get(name)
        if user is not None:
            writer = getattr(user, "writer", None)
            found[key] = DemoPerson(name=name, user_id=str(user.id), writer_id=str(writer.id) if writer else None)
    return found


async def seed_demo() -> DemoTenant:
    if await Organisation.filter(name=DEMO_LA, kind=OrganisationKind.LA).exists():
        tokens = json.loads(TOKENS_FILE.read_text()) if TOKENS_FILE.exists() else {}
        return DemoTenant(tokens=tokens, first_start=False, people=await _people())
    today = clock.today()
    people: list[tuple[str, User]] = []
    async with in_transaction():
        provider = await Organisation.create(kind=OrganisationKind.PROVIDER, name=DEMO_PROVIDER, **DEMO_SUPPLIER)
        la = await Organisation.create(kind=OrganisationKind.LA, name=DEMO_LA, provider=provider)
        # whoever runs the instance: its token reads the instance-wide /metrics (Prometheus scrapes with it)
        operator = await Organisation.create(kind=OrganisationKind.OPERATOR, name=DEMO_OPERATOR)
        await LaContract.create(la=la, provider=provider, starts_on=today.replace(day=1),
                                prices_pence={}, payouts_pence={}, turnaround_days={"standard": 10, "express": 5},
                                rate_card=standard_rate_card().model_dump(mode="json"))
        # GBP 20,000 net: about forty new plans before the LA is warned (80%) and submissions are held
        await PurchaseOrder.create(la=la, provider=provider, po_number="DEMO-PO-0001", value_pence=2_000_000)
        la2 = await _client_la(provider, DEMO_LA2, today, po_number="DEMO-PO-0002", po_pence=NEARLY_SPENT_PO_PENCE)
        for key, role, org in [
            ("la_officer", Role.LA_OFFICER, la),
            ("la_admin", Role.LA_ADMIN, la),
            ("coordinator", Role.COORDINATOR, provider),
            ("qa_reviewer", Role.QA_REVIEWER, provider),
            ("finance", Role.FINANCE, provider),
            ("admin", Role.ADMIN, provider),
            ("operator", Role.OPERATOR, operator),
            ("la2_officer", Role.LA_OFFICER, la2),
            ("la2_admin", Role.LA_ADMIN, la2),
        ]:
            people.append((key, await User.create(organisation=org, name=PEOPLE[key], role=role)))
        for n, (skills, hours, slots) in enumerate([
            (ALL_SKILLS, 30.0, 4),
            (["new_plan", "reassessment", "annual_review_amendment"], 22.5, 3),
            (["phase_transfer", "annual_review_amendment", "post16"], 15.0, 2),
        ], start=1):
            user = await User.create(organisation=provider, name=PEOPLE[f"writer{n}"], role=Role.WRITER)
            writer = await Writer.create(user=user, provider=provider, dbs_number=f"00123456789{n}")
            await WriterContract.create(writer=writer, skills=skills, hours_per_week=hours, max_concurrent=slots,
                                        excluded_las=[], dbs_expires=today + timedelta(days=700), starts_on=today)
            people.append((f"writer{n}", user))
    tokens = {key: (await issue_token(user, label="demo")).token for key, user in people}
    _write_tokens(tokens)
    return DemoTenant(tokens=tokens, first_start=True, people=await _people())


# the standard card's new plan (GBP 450) and a little more: the first new plan commits over 80% (the LA is warned)
# and the next submission is held for want of a purchase order
NEARLY_SPENT_PO_PENCE = 50_000


async def _client_la(provider: Organisation, name: str, today: date, *, po_number: str,
                     po_pence: int) -> Organisation:
    la = await Organisation.create(kind=OrganisationKind.LA, name=name, provider=provider)
    await LaContract.create(la=la, provider=provider, starts_on=today.replace(day=1),
                            prices_pence={}, payouts_pence={}, turnaround_days={"standard": 10, "express": 5},
                            rate_card=standard_rate_card().model_dump(mode="json"))
    await PurchaseOrder.create(la=la, provider=provider, po_number=po_number, value_pence=po_pence)
    return la


def _write_tokens(tokens: dict[str, str]) -> None:
    TOKENS_FILE.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(TOKENS_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(tokens, handle, indent=2)


async def seed_second_provider() -> DemoTenant:
    """A second writing service with its own client LA, people and a writer (idempotent): what one service's
    tokens see of the other's is nothing."""
    tokens: dict[str, str] = json.loads(TOKENS_FILE.read_text()) if TOKENS_FILE.exists() else {}
    if await Organisation.filter(name=SECOND_PROVIDER, kind=OrganisationKind.PROVIDER).exists():
        return DemoTenant(tokens=tokens, first_start=False, people=await _people())
    today = clock.today()
    people: list[tuple[str, User]] = []
    async with in_transaction():
        provider = await Organisation.create(kind=OrganisationKind.PROVIDER, name=SECOND_PROVIDER, **DEMO_SUPPLIER)
        la = await _client_la(provider, SECOND_LA, today, po_number="SECOND-PO-0001", po_pence=2_000_000)
        for key, role, org in [
            ("p2_la_officer", Role.LA_OFFICER, la),
            ("p2_coordinator", Role.COORDINATOR, provider),
            ("p2_admin", Role.ADMIN, provider),
            ("p2_qa_reviewer", Role.QA_REVIEWER, provider),
            ("p2_finance", Role.FINANCE, provider),
        ]:
            people.append((key, await User.create(organisation=org, name=SECOND_PEOPLE[key], role=role)))
        user = await User.create(organisation=provider, name=SECOND_PEOPLE["p2_writer1"], role=Role.WRITER)
        writer = await Writer.create(user=user, provider=provider, dbs_number="001234567890")
        await WriterContract.create(writer=writer, skills=ALL_SKILLS, hours_per_week=30.0, max_concurrent=4,
                                    excluded_las=[], dbs_expires=today + timedelta(days=700), starts_on=today)
        people.append(("p2_writer1", user))
    tokens.update({key: (await issue_token(user, label="demo")).token for key, user in people})
    _write_tokens(tokens)
    return DemoTenant(tokens=tokens, first_start=True, people=await _people())


LAST_MONTH_DELIVERIES = (  # reference, work type, tier, pages, delivered on (day of last month)
    ("DEMO-LM-0001", WorkType.NEW_PLAN, Tier.STANDARD, 24, 5),
    ("DEMO-LM-0002", WorkType.PHASE_TRANSFER, Tier.EXPRESS, 40, 12),
    ("DEMO-LM-0003", WorkType.ANNUAL_REVIEW_AMENDMENT, Tier.STANDARD, 75, 19),
)


async def seed_last_month() -> list[str]:
    """Development only: last month's deliveries for the demo LA, so finance can close a month in the demo.

    Bundles committed against the demo PO at the demo card's terms, queued and drafted, then moved to delivered
    (on dates in the month before this one) and accepted through the bundle lifecycle, which writes their ledger
    lines as for any bundle: the month has truly ended, so it closes as any month does, with no clock moved.
    Idempotent: the bundles are written once.
    """
    from service.billing.terms import terms_at_commit
    from service.bundles.transitions import move
    from service.contracts_in_force import contract_between

    la = await Organisation.get(name=DEMO_LA, kind=OrganisationKind.LA)
    if await Bundle.filter(la_id=la.id, reference__startswith="DEMO-LM-").exists():
        return []
    provider_id = la.provider_id  # type: ignore[attr-defined]
    await _supplier_details(provider_id)
    officer = await User.get(organisation_id=la.id, name=PEOPLE["la_officer"])
    writer = await Writer.get(user__name=PEOPLE["writer1"], provider_id=provider_id)
    order = await PurchaseOrder.filter(la_id=la.id).order_by("created_at").first()
    first = clock.today().replace(day=1)
    month_start = (first - timedelta(days=1)).replace(day=1)
    written = []
    async with in_transaction() as conn:
        contract = await contract_between(la.id, provider_id, conn)
        for reference, work_type, tier, pages, day in LAST_MONTH_DELIVERIES:
            on = month_start.replace(day=day)
            delivered_at = datetime(on.year, on.month, on.day, 14, tzinfo=UTC)
            bundle = Bundle(
                la=la, provider_id=provider_id, created_by=officer, reference=reference, work_type=work_type,
                tier=tier, status=BundleStatus.IN_QA, page_count=pages, writer=writer, purchase_order=order,
                submitted_at=delivered_at - timedelta(days=14), queued_at=delivered_at - timedelta(days=13),
                turnaround_due=on + timedelta(days=7))
            bundle.rate_terms = terms_at_commit(bundle, contract)
            await bundle.save(using_db=conn)
            await Event.create(bundle=bundle, name="bundle.queued", from_status=BundleStatus.SCREENING.value,
                               to_status=BundleStatus.QUEUED.value, using_db=conn)
            await move(bundle.id, BundleStatus.DELIVERED, conn=conn, delivered_at=delivered_at)
            await move(bundle.id, BundleStatus.ACCEPTED, conn=conn, expect=BundleStatus.DELIVERED)
            written.append(reference)
    return written


async def _supplier_details(provider_id: UUID) -> None:
    """A demo seeded before supplier details were kept gets the demo's, so its month with VAT can close."""
    from service.billing.parties import supplier_gaps

    provider = await Organisation.get(id=provider_id)
    if gaps := [name for name in supplier_gaps(provider) if name in DEMO_SUPPLIER]:
        await Organisation.filter(id=provider_id).update(**{name: DEMO_SUPPLIER[name] for name in gaps})


def print_welcome(tenant: DemoTenant, settings: Settings) -> None:
    base = f"http://{settings.host}:{settings.port}"
    state = "seeded now" if tenant.first_start else f"already seeded (tokens kept in {TOKENS_FILE})"
    lines = [
        "",
        f"Planwright demo tenant: {DEMO_PROVIDER} with its clients {DEMO_LA} and {DEMO_LA2} (whose purchase order "
        "is nearly spent), " + state + ".",
        f"Bearer tokens, one per person (local demo only; also in {TOKENS_FILE}; `GET /v1/me` says whose a token is):",
    ]
    for key, token in tenant.tokens.items():
        person = tenant.people.get(key)
        who = f"  {person.name}, user {person.user_id}" if person else ""
        if person and person.writer_id:
            who += f", writer {person.writer_id} (offers name this id)"
        lines.append(f"  {key:<14} {token}{who}")
    officer = tenant.tokens.get("la_officer", "<la_officer token>")
    lines += [
        "",
        "A first request: create a bundle as the LA case officer",
        f"  curl -s -X POST {base}/v1/bundles -H 'Authorization: Bearer {officer}' \\",
        "       -H 'Content-Type: application/json' -H 'Idempotency-Key: first-try' \\",
        "       -d '{\"reference\": \"DEMO-0001\", \"work_type\": \"new_plan\"}'",
        "then follow README.md, 'A bundle's whole journey'. API docs: " + f"{base}/docs",
        "",
    ]
    print("\n".join(lines), flush=True)
