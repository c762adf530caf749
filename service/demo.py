"""The demo tenant `make run` seeds on first start: an LA, the writing service, its people, and their tokens."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
DEMO_PROVIDER = "Demo Plan Writing Service"
DEMO_OPERATOR = "Demo operator"
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
          **{f"writer{n}": f"Demo writer {n}" for n in (1, 2, 3)}}


async def _people() -> dict[str, DemoPerson]:
    """The demo's people by token name, found by their names in the demo's two organisations."""
    users = await User.filter(organisation__name__in=[DEMO_LA, DEMO_PROVIDER, DEMO_OPERATOR],
                              name__in=list(PEOPLE.values())).select_related("writer")
    by_name = {u.name: u for u in users}
    found: dict[str, DemoPerson] = {}
    for key, name in PEOPLE.items():
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
        provider = await Organisation.create(kind=OrganisationKind.PROVIDER, name=DEMO_PROVIDER)
        la = await Organisation.create(kind=OrganisationKind.LA, name=DEMO_LA, provider=provider)
        # whoever runs the instance: its token reads the instance-wide /metrics (Prometheus scrapes with it)
        operator = await Organisation.create(kind=OrganisationKind.OPERATOR, name=DEMO_OPERATOR)
        await LaContract.create(la=la, provider=provider, starts_on=today.replace(day=1),
                                prices_pence={}, payouts_pence={}, turnaround_days={"standard": 10, "express": 5},
                                rate_card=standard_rate_card().model_dump(mode="json"))
        # GBP 20,000 net: about forty new plans before the LA is warned (80%) and submissions are held
        await PurchaseOrder.create(la=la, provider=provider, po_number="DEMO-PO-0001", value_pence=2_000_000)
        for key, role, org in [
            ("la_officer", Role.LA_OFFICER, la),
            ("la_admin", Role.LA_ADMIN, la),
            ("coordinator", Role.COORDINATOR, provider),
            ("qa_reviewer", Role.QA_REVIEWER, provider),
            ("finance", Role.FINANCE, provider),
            ("admin", Role.ADMIN, provider),
            ("operator", Role.OPERATOR, operator),
        ]:
            people.append((key, await User.create(organisation=org, name=PEOPLE[key], role=role)))
        for n, (skills, hours, slots) in enumerate([
            (ALL_SKILLS, 30.0, 4),
            (["new_plan", "reassessment", "annual_review_amendment"], 22.5, 3),
            (["phase_transfer", "annual_review_amendment", "post16"], 15.0, 2),
        ], start=1):
            user = await User.create(organisation=provider, name=PEOPLE[f"writer{n}"], role=Role.WRITER)
            writer = await Writer.create(user=user, provider=provider)
            await WriterContract.create(writer=writer, skills=skills, hours_per_week=hours, max_concurrent=slots,
                                        excluded_las=[], dbs_expires=today + timedelta(days=700), starts_on=today)
            people.append((f"writer{n}", user))
    tokens = {key: (await issue_token(user, label="demo")).token for key, user in people}
    TOKENS_FILE.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(TOKENS_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(tokens, handle, indent=2)
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


def print_welcome(tenant: DemoTenant, settings: Settings) -> None:
    base = f"http://{settings.host}:{settings.port}"
    state = "seeded now" if tenant.first_start else f"already seeded (tokens kept in {TOKENS_FILE})"
    lines = [
        "",
        f"Planwright demo tenant: {DEMO_LA} and {DEMO_PROVIDER}, {state}.",
        f"Bearer tokens, one per person (local demo only; also in {TOKENS_FILE}; `GET /v1/me` says whose a token is):",
    ]
    for key, token in tenant.tokens.items():
        person = tenant.people.get(key)
        who = f"  {person.name}, user {person.user_id}" if person else ""
        if person and person.writer_id:
            who += f", writer {person.writer_id} (offers name this id)"
        lines.append(f"  {key:<12} {token}{who}")
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
