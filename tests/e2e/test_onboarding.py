"""An operator brings a writing service up from an empty database with only the command line and the API, everyone
signing in through a REAL OpenID Provider, then runs a bundle's whole journey for each of its two LA clients.

The operator at the command line makes the writing service, points its sign-in at its issuer and invites its first
admin (`planwright org provider`, `user sign-in`, `user invite`; real subprocesses on the test's database). Every
person accepts their emailed invitation (a real local SMTP server takes it) by signing in through panva's certified
`oidc-provider` on Node.js (tests/oidc), and then acts in their role with their session (cookie and CSRF token):
the admin invites the staff and keeps the LA clients and their contracts, each LA's admin its officers, the
coordinator the writers, finance the purchase orders. Writers, QA reviewers and case officers hold no API token
(refused); finance may. Deactivating a person cuts them off at their next request. There is no other way to accept
an invitation than signing in, so without Node.js this test skips (and fails in CI, which installs it).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from service import clock
from service.auth import oidc
from service.auth.sessions import COOKIE
from service.models import AuditEntry, Bundle, Notification, NotificationStatus
from service.runtime import current
from service.settings import Settings
from tests.clocked import clocked_command
from tests.files import DOCX, DRAFT_PLAN, EP_REPORT, PDF
from tests.notifications.smtp_sink import Sink, smtp_sink
from tests.oidc.provider import (
    APP_ORIGIN,
    CLIENT_ID,
    CLIENT_SECRET,
    Account,
    OpenIdProvider,
    new_keys,
    through_provider,
)
from tests.oidc.test_sign_in import new_browser, op_folder  # noqa: F401 - the provider's installed packages
from tests.service_fixtures import eventually
from tests.webhooks.helpers import settle

# the provider runs on the machine's clock (its cookies and codes expire by it): this module never moves time
pytestmark = pytest.mark.real_clock

ROOT = Path(__file__).resolve().parents[2]
TAG = uuid.uuid4().hex[:6]
# everyone who will work here, as their organisations' issuer knows them (the development login takes the `sub`)
PEOPLE = {key: Account(sub=f"sub-{key}-{TAG}", email=f"{key}.{TAG}@onboarding.example", name=key.replace("_", " "))
          for key in ("admin", "coordinator", "qa_reviewer", "finance", "writer1", "writer2", "writer3",
                      "north_admin", "north_officer", "south_admin", "south_officer")}


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    settings: Settings = current().settings
    with smtp_sink() as sink:
        for name, value in (("smtp_host", "127.0.0.1"), ("smtp_port", sink.port), ("smtp_starttls", False),
                            ("smtp_from", "noreply@planwright.test"), ("public_url", APP_ORIGIN)):
            monkeypatch.setattr(settings, name, value)
        yield sink


@pytest.fixture
def op(op_folder: Path, smtp: Sink) -> Iterator[OpenIdProvider]:  # noqa: F811 - op_folder: tests/oidc's
    provider = OpenIdProvider(op_folder, {a.sub: a for a in PEOPLE.values()})
    provider.start(new_keys("onboarding-key"))
    oidc.forget_issuers()
    try:
        yield provider
    finally:
        provider.stop()
        oidc.forget_issuers()


@pytest_asyncio.fixture
async def browsers(app: Starlette) -> AsyncIterator[list[httpx.AsyncClient]]:
    made: list[httpx.AsyncClient] = []
    yield made
    for browser in made:
        await browser.aclose()


class Operator:
    """`planwright ARGS` in a subprocess on the test's database, with the instance's SMTP and public address."""

    def __init__(self, settings: Settings, smtp: Sink) -> None:
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "PLANWRIGHT_DATABASE_URL": settings.database_url,
                    "PLANWRIGHT_LOG_LEVEL": "warning", "PLANWRIGHT_SMTP_HOST": "127.0.0.1",
                    "PLANWRIGHT_SMTP_PORT": str(smtp.port), "PLANWRIGHT_SMTP_STARTTLS": "false",
                    "PLANWRIGHT_SMTP_FROM": "noreply@planwright.test", "PLANWRIGHT_PUBLIC_URL": APP_ORIGIN}

    async def __call__(self, *args: str, expect: int = 0) -> Any:
        done = await asyncio.to_thread(subprocess.run, clocked_command("service.cli", *args), cwd=ROOT, env=self.env,
                                       capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == expect, (args, done.returncode, done.stdout, done.stderr)
        return json.loads(done.stdout) if expect == 0 else done.stderr


async def invitation_link(smtp: Sink, key: str) -> str:
    """The sign-in link in the person's invitation email (sent by the worker through the SMTP server)."""

    async def arrived() -> list[EmailMessage]:
        return [m for m in smtp.messages if m["To"] == PEOPLE[key].email]

    [message] = await eventually(arrived)
    found = re.search(rf"{re.escape(APP_ORIGIN)}/v1/auth/oidc/[0-9a-f-]+/start", message.get_content())
    assert found is not None, message.get_content()
    return found.group(0)


async def accept(app: Starlette, browsers: list[httpx.AsyncClient], smtp: Sink, key: str) -> dict[str, str]:
    """The person follows their invitation's link, signs in at their issuer, and comes back with a session: the
    headers a browser of theirs sends (the session cookie, and the CSRF token for state-changing requests)."""
    browser = new_browser(app)
    browsers.append(browser)
    callback = await through_provider(browser, await invitation_link(smtp, key), PEOPLE[key].sub)
    answer = await browser.get(str(callback))
    assert answer.status_code == 303, (key, answer.text)
    cookie = answer.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    session = await browser.get(f"{APP_ORIGIN}/v1/me/session")
    assert session.status_code == 200, session.text
    return {"Cookie": f"{COOKIE}={cookie}", "X-CSRF-Token": session.json()["csrf_token"]}


def writer_terms(*, skills: list[str]) -> dict[str, Any]:
    return {"skills": skills, "hours_per_week": 30, "max_concurrent": 3, "excluded_las": [],
            "dbs_number": f"00{uuid.uuid4().int % 10**10:010d}",
            "dbs_expires": (clock.today() + timedelta(days=400)).isoformat()}


async def journey(client: httpx.AsyncClient, la: dict[str, str], writers: dict[str, dict[str, str]],
                  reviewer: dict[str, str], reference: str) -> tuple[str, str]:
    """One bundle from creation to the LA's acceptance, each person with their session; (bundle id, the key of
    the writer who wrote it)."""
    created = await client.post("/v1/bundles", headers={**la, "Idempotency-Key": reference},
                                json={"reference": reference, "work_type": "new_plan"})
    assert created.status_code == 201, created.text
    bundle_id = created.json()["id"]
    uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep.pdf"},
                                 content=EP_REPORT, headers={**la, "Content-Type": PDF})
    assert uploaded.status_code == 201, uploaded.text
    assert (await client.post(f"/v1/bundles/{bundle_id}/submit", headers=la)).status_code == 200

    async def offer() -> tuple[str, dict[str, Any]] | None:
        for key, auth in writers.items():
            mine = [o for o in (await client.get("/v1/offers", headers=auth)).json()["items"]
                    if o["bundle_id"] == bundle_id]
            if mine:
                return key, mine[0]
        return None

    found = await eventually(offer, timeout=60)
    writer_key, offered = found
    writer = writers[writer_key]
    assert (await client.post(f"/v1/offers/{offered['id']}/accept", headers=writer)).status_code == 200
    sheet = await client.put(f"/v1/bundles/{bundle_id}/front-sheet", headers=writer,
                             json={"queries": [], "missing_advice": [], "notes": "Section I left for the LA."})
    assert sheet.status_code == 200, sheet.text
    draft = await client.post(f"/v1/bundles/{bundle_id}/drafts", params={"filename": "draft.docx"},
                              content=DRAFT_PLAN, headers={**writer, "Content-Type": DOCX})
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["id"]
    assert (await client.post(f"/v1/drafts/{draft_id}/claim", headers=reviewer)).status_code == 200
    review = (await client.get(f"/v1/drafts/{draft_id}/review", headers=reviewer)).json()
    for finding in review["findings"]:
        if finding["severity"] == "error":
            dismissed = await client.post(f"/v1/drafts/{draft_id}/findings/{finding['index']}/dismiss",
                                          headers=reviewer, json={"reason": "a short test plan, by design"})
            assert dismissed.status_code == 200, dismissed.text
    passed = await client.post(f"/v1/drafts/{draft_id}/pass", headers=reviewer,
                               json={"checklist": {item["key"]: True for item in review["manual_items"]}})
    assert passed.status_code == 200, passed.text
    accepted = await client.post(f"/v1/bundles/{bundle_id}/accept", headers=la)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.text
    return bundle_id, writer_key


async def test_an_operator_brings_up_a_writing_service_whose_people_sign_in_and_runs_a_journey_for_each_la(
    client: httpx.AsyncClient, app: Starlette, settings: Settings, worker: None, tmp_path: Path,
    op: OpenIdProvider, smtp: Sink, browsers: list[httpx.AsyncClient]
) -> None:
    started = clock.now()
    operator = Operator(settings, smtp)
    secret = tmp_path / "client-secret"
    secret.write_text(CLIENT_SECRET)
    issuer = ("--issuer", op.issuer, "--client-id", CLIENT_ID, "--client-secret-file", str(secret))

    # 1. the operator, at the command line: the writing service, its issuer, its first admin
    provider = await operator("org", "provider", "--name", f"Onboarded Writing {TAG}")
    again = await operator("org", "provider", "--name", f"Onboarded Writing {TAG}")
    assert again["id"] == provider["id"] and provider["kind"] == "provider"
    provider_id = provider["id"]
    sign_in = await operator("user", "sign-in", "--org", provider_id, *issuer)
    assert sign_in["has_client_secret"] is True and CLIENT_SECRET not in json.dumps(sign_in)
    await operator("user", "invite", "--org", provider_id, "--email", PEOPLE["admin"].email, "--name", "Admin",
                   "--role", "admin")
    bad = await operator("user", "invite", "--org", provider_id, "--email", "x@onboarding.example", "--name", "X",
                         "--role", "la_officer", expect=2)
    assert "la_officer" in bad

    # 2. the admin accepts by signing in, and invites the staff with their session
    admin = await accept(app, browsers, smtp, "admin")
    me = (await client.get("/v1/me", headers=admin)).json()
    assert me["role"] == "admin" and me["organisation"]["id"] == provider_id
    for key in ("coordinator", "qa_reviewer", "finance"):
        invited = await client.post("/v1/admin/users", headers=admin, json={
            "email": PEOPLE[key].email, "name": key, "role": key})
        assert invited.status_code == 201, invited.text
    coordinator = await accept(app, browsers, smtp, "coordinator")
    reviewer = await accept(app, browsers, smtp, "qa_reviewer")
    finance = await accept(app, browsers, smtp, "finance")

    # 3. two LA clients: one through the API (twice: the same LA), one from the command line
    north = await client.post("/v1/organisations", headers=admin, json={"name": f"Northshire {TAG}"})
    assert north.status_code == 201, north.text
    repeat = await client.post("/v1/organisations", headers=admin, json={"name": f"Northshire {TAG}"})
    assert repeat.status_code == 200 and repeat.json()["id"] == north.json()["id"]
    south = await operator("org", "create", "--provider", provider_id, "--name", f"Southshire {TAG}")
    north_id, south_id = north.json()["id"], south["id"]
    listed = (await client.get("/v1/organisations", headers=coordinator)).json()["items"]
    assert {o["id"] for o in listed} == {north_id, south_id}

    # 4. their contracts: Northshire's through the API (a card that leaves a work type unpriced is refused)
    terms: dict[str, Any] = {"starts_on": clock.today().isoformat(),
                             "turnaround_days": {"standard": 10, "express": 5, "new_plan": {"standard": 15}},
                             "retention_days": 60, "qa_profile": "dfe-national", "amendment_window_days": 5}
    work_types = ("new_plan", "phase_transfer", "annual_review_amendment", "reassessment", "statement_transfer")
    refused = await client.post(f"/v1/organisations/{north_id}/contracts", headers=admin, json={
        **terms, "rate_card": {"prices_pence": {"new_plan": 40_000}, "payouts_pence": {"new_plan": 26_000}}})
    assert refused.status_code == 422 and "prices_pence.phase_transfer" in refused.json()["detail"]
    full_card = {"prices_pence": {**dict.fromkeys(work_types, 30_000), "new_plan": 40_000},
                 "payouts_pence": dict.fromkeys(work_types, 20_000),
                 "amendment_prices_pence": dict.fromkeys(work_types, 9_000),
                 "amendment_payouts_pence": dict.fromkeys(work_types, 6_000)}
    made = await client.post(f"/v1/organisations/{north_id}/contracts", headers=admin,
                             json={**terms, "rate_card": full_card})
    assert made.status_code == 201, made.text
    # Southshire's from the command line, with the standard card; a file that is not JSON is exit 2
    (tmp_path / "bad.json").write_text("{not json")
    assert "not JSON" in await operator("contract", "add", "--provider", provider_id, "--la", south_id,
                                        "--terms", str(tmp_path / "bad.json"), expect=2)
    (tmp_path / "south.json").write_text(json.dumps({"starts_on": clock.today().isoformat(),
                                                     "turnaround_days": {"standard": 12, "express": 6}}))
    south_contract = await operator("contract", "add", "--provider", provider_id, "--la", south_id,
                                    "--terms", str(tmp_path / "south.json"))
    assert south_contract["in_force"] is True

    # 5. each LA's people: the operator sets the LA's issuer and invites its admin; the admin invites its officer
    # (Northshire's through the API, Southshire's officer from the command line)
    las: dict[str, dict[str, str]] = {}
    for la_id, side in ((north_id, "north"), (south_id, "south")):
        await operator("user", "sign-in", "--org", la_id, *issuer)
        await operator("user", "invite", "--org", la_id, "--email", PEOPLE[f"{side}_admin"].email, "--name",
                       f"{side} admin", "--role", "la_admin")
        las[f"{side}_admin"] = await accept(app, browsers, smtp, f"{side}_admin")
    invited = await client.post("/v1/admin/users", headers=las["north_admin"], json={
        "email": PEOPLE["north_officer"].email, "name": "north officer", "role": "la_officer"})
    assert invited.status_code == 201, invited.text
    # an LA's admin gives no writing service's role
    assert (await client.post("/v1/admin/users", headers=las["north_admin"], json={
        "email": "c@onboarding.example", "name": "c", "role": "coordinator"})).status_code == 403
    await operator("user", "invite", "--org", south_id, "--email", PEOPLE["south_officer"].email, "--name",
                   "south officer", "--role", "la_officer")
    north_officer = await accept(app, browsers, smtp, "north_officer")
    south_officer = await accept(app, browsers, smtp, "south_officer")

    # 6. finance adds each LA's purchase order
    for la_id in (north_id, south_id):
        po = await client.post("/v1/billing/purchase-orders", headers=finance,
                               json={"po_number": f"PO-{TAG}", "value_pence": 5_000_000, "la_id": la_id})
        assert po.status_code == 201, po.text

    # 7. three writers, invited by email by the coordinator (two through the API, one from the command line),
    # onboarded, each accepting by signing in; the third declares a conflict with Southshire
    writers: dict[str, dict[str, str]] = {}
    writer_ids: dict[str, str] = {}
    for n in (1, 2, 3):
        key = f"writer{n}"
        if n < 3:
            body = {"email": PEOPLE[key].email, "name": f"writer {n}", **writer_terms(skills=["new_plan"])}
            put_on = await client.post("/v1/writers", headers=coordinator, json=body)
            assert put_on.status_code == 201 and put_on.json()["status"] == "invited", put_on.text
            assert (await client.post("/v1/writers", headers=coordinator, json=body)).status_code == 200
            writer_ids[key] = put_on.json()["id"]
            onboarded = await client.post(f"/v1/writers/{writer_ids[key]}/onboard", headers=coordinator,
                                          json={"reason": "references and DBS checked"})
            assert onboarded.status_code == 200 and onboarded.json()["status"] == "active", onboarded.text
        else:
            (tmp_path / "w3.json").write_text(json.dumps(writer_terms(skills=["new_plan", "phase_transfer"])))
            put_on = await operator("writer", "invite", "--provider", provider_id, "--email", PEOPLE[key].email,
                                    "--name", "writer 3", "--terms", str(tmp_path / "w3.json"))
            writer_ids[key] = put_on["id"]
            onboarded = await operator("writer", "onboard", "--provider", provider_id, "--writer", put_on["id"],
                                       "--reason", "references and DBS checked")
            assert onboarded["status"] == "active"
        writers[key] = await accept(app, browsers, smtp, key)
        assert (await client.get("/v1/me", headers=writers[key])).json()["writer_id"] == writer_ids[key]
    declared = await client.post("/v1/writers/me/conflicts", headers=writers["writer3"], json={"la_id": south_id})
    assert declared.status_code == 200 and declared.json()["excluded_las"] == [south_id], declared.text

    # 8. tokens are for the roles that connect systems: finance may hold one, a writer may not
    finance_id = next(u["id"] for u in (await client.get("/v1/admin/users", headers=admin)).json()["items"]
                      if u["role"] == "finance")
    system = await client.post("/v1/admin/tokens", headers=admin, json={"user_id": finance_id, "label": "ledger"})
    assert system.status_code == 201, system.text
    writer_user = (await client.get("/v1/me", headers=writers["writer1"])).json()["user_id"]
    no_token = await client.post("/v1/admin/tokens", headers=admin, json={"user_id": writer_user})
    assert no_token.status_code == 422 and no_token.json()["errors"][0]["field"] == "body.user_id"

    # 9. a bundle's whole journey for each LA, by the people signed in, each billed under its own contract
    north_bundle, _ = await journey(client, north_officer, writers, reviewer, f"N-{TAG}")
    south_bundle, south_writer = await journey(client, south_officer, writers, reviewer, f"S-{TAG}")
    assert south_writer != "writer3"  # the declared conflict holds
    month = clock.month_of(clock.now())
    ledger = {"Authorization": f"Bearer {system.json()['token']}"}
    for la_id, bundle_id, net in ((north_id, north_bundle, "400.00"), (south_id, south_bundle, "450.00")):
        invoice = await client.get(f"/v1/billing/months/{month}/invoices/{la_id}", headers=ledger)
        assert invoice.status_code == 200, invoice.text
        reference = (await Bundle.get(id=bundle_id)).reference
        line = next(r for r in csv.DictReader(io.StringIO(invoice.text))
                    if r["record"] == "line" and r["bundle_reference"] == reference)
        assert line["net_gbp"] == net

    # the people hear of their work at the addresses they were invited with (the notifications, emailed), and
    # every notice of this journey is out before the test ends
    async def reviewer_told() -> list[EmailMessage]:  # of both drafts
        told = [m for m in smtp.messages
                if m["To"] == PEOPLE["qa_reviewer"].email and "waiting for review" in m["Subject"]]
        return told if len(told) == 2 else []

    await settle(reviewer_told)

    async def all_out() -> bool:
        return not await Notification.filter(user__email__in=[a.email for a in PEOPLE.values()],
                                             status=NotificationStatus.PENDING).exists()

    await settle(all_out)

    # 10. deactivating a person cuts them off at their very next request: the officer by their LA's admin (API),
    # a writer by the operator (command line)
    officer_id = (await client.get("/v1/me", headers=north_officer)).json()["user_id"]
    off = await client.post(f"/v1/admin/users/{officer_id}/deactivate", headers=las["north_admin"])
    assert off.status_code == 200 and off.json()["active"] is False, off.text
    assert (await client.get("/v1/bundles", headers=north_officer)).status_code == 401
    gone = await operator("user", "deactivate", "--org", provider_id, "--user", writer_user)
    assert gone["active"] is False
    assert (await client.get("/v1/offers", headers=writers["writer1"])).status_code == 401

    # everything the operator and the admins did is on the record: who (a user, or the command line) and from where
    ours = {provider_id, north_id, south_id, made.json()["id"], south_contract["id"], *writer_ids.values()}
    entries = await AuditEntry.filter(object_id__in=list(ours), action__in=[
        "organisation.created", "contract.version_added", "writer.invited", "writer.onboarded"])
    actions = {(e.action, str(e.data["origin"]).split()[0]) for e in entries}
    assert {("organisation.created", "api"), ("organisation.created", "cli"), ("contract.version_added", "api"),
            ("contract.version_added", "cli"), ("writer.invited", "api"), ("writer.invited", "cli"),
            ("writer.onboarded", "api"), ("writer.onboarded", "cli")} <= actions
    invited_from = {str(e.data["origin"]).split()[0]
                    for e in await AuditEntry.filter(action="user.invited", at__gte=started)}
    assert {"api", "cli"} <= invited_from
    assert await AuditEntry.filter(action="user.joined", at__gte=started).count() == len(PEOPLE)
