"""An operator brings a writing service up from nothing, with only the API and the command line, then runs a
bundle's whole journey for each of its two LA clients.

The writing service, one LA's contract and one writer come from `planwright` commands (real subprocesses on the
test's database); the rest from the API. People are made the way the service makes them today (rows and
`issue_token`): sign-in and invitations are another piece of work, and replace only that step.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from service import clock
from service.auth.tokens import issue_token
from service.models import AuditEntry, Bundle, Organisation, Role, User
from service.settings import Settings
from tests.clocked import clocked_command
from tests.files import DOCX, DRAFT_PLAN, EP_REPORT, PDF
from tests.service_fixtures import eventually

ROOT = Path(__file__).resolve().parents[2]


async def planwright(settings: Settings, *args: str, expect: int = 0) -> Any:
    """`planwright ARGS` in a subprocess on the test's database; its JSON output (or its stderr on failure)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLANWRIGHT_DATABASE_URL": settings.database_url,
           "PLANWRIGHT_LOG_LEVEL": "warning"}
    done = await asyncio.to_thread(subprocess.run, clocked_command("service.cli", *args), cwd=ROOT, env=env,
                                   capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == expect, (args, done.returncode, done.stdout, done.stderr)
    return json.loads(done.stdout) if expect == 0 else done.stderr


async def person(organisation_id: str, role: Role, name: str) -> tuple[User, dict[str, str]]:
    """A user and their bearer token, made as the service makes them today (until invitations and sign-in)."""
    user = await User.create(organisation_id=organisation_id, role=role, name=name)
    return user, {"Authorization": f"Bearer {(await issue_token(user, label='onboarding')).token}"}


def writer_terms(*, skills: list[str], excluded: list[str] | None = None) -> dict[str, Any]:
    return {"skills": skills, "hours_per_week": 30, "max_concurrent": 3, "excluded_las": excluded or [],
            "dbs_number": f"00{uuid.uuid4().int % 10**10:010d}",
            "dbs_expires": (clock.today() + timedelta(days=400)).isoformat()}


async def journey(client: httpx.AsyncClient, la: dict[str, str], writers: dict[str, dict[str, str]],
                  reviewer: dict[str, str], reference: str) -> tuple[str, str]:
    """One bundle from creation to the LA's acceptance; (bundle id, the key of the writer who wrote it)."""
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

    found = await eventually(offer)
    assert found is not None
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


async def test_an_operator_brings_up_a_writing_service_and_runs_a_journey_for_each_la(
    client: httpx.AsyncClient, settings: Settings, worker: None, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    # the writing service: the operator's act at the command line (the same name again: the same service)
    provider = await planwright(settings, "org", "provider", "--name", f"Onboarded Writing {tag}")
    again = await planwright(settings, "org", "provider", "--name", f"Onboarded Writing {tag}")
    assert again["id"] == provider["id"] and provider["kind"] == "provider"
    provider_id = provider["id"]
    _, admin = await person(provider_id, Role.ADMIN, f"admin {tag}")
    _, coordinator = await person(provider_id, Role.COORDINATOR, f"coordinator {tag}")
    _, reviewer = await person(provider_id, Role.QA_REVIEWER, f"reviewer {tag}")
    _, finance = await person(provider_id, Role.FINANCE, f"finance {tag}")

    # two LA clients through the API; creating one twice answers the first (200)
    north = await client.post("/v1/organisations", headers=admin, json={"name": f"Northshire {tag}"})
    assert north.status_code == 201, north.text
    repeat = await client.post("/v1/organisations", headers=admin, json={"name": f"Northshire {tag}"})
    assert repeat.status_code == 200 and repeat.json()["id"] == north.json()["id"]
    south = await planwright(settings, "org", "create", "--provider", provider_id, "--name", f"Southshire {tag}")
    north_id, south_id = north.json()["id"], south["id"]
    listed = (await client.get("/v1/organisations", headers=coordinator)).json()["items"]
    assert {o["id"] for o in listed} == {north_id, south_id}

    # Northshire's contract through the API: a rate card that leaves a work type unpriced is refused, naming it
    card = (await client.get("/v1/billing/rate-cards/" + north_id, headers=finance))
    assert card.status_code == 404  # no contract yet: nothing to price with
    terms: dict[str, Any] = {"starts_on": clock.today().isoformat(),
                             "turnaround_days": {"standard": 10, "express": 5, "new_plan": {"standard": 15}},
                             "retention_days": 60, "qa_profile": "dfe-national", "amendment_window_days": 5}
    short_card = {"prices_pence": {"new_plan": 40_000}, "payouts_pence": {"new_plan": 26_000}}
    refused = await client.post(f"/v1/organisations/{north_id}/contracts", headers=admin,
                                json={**terms, "rate_card": short_card})
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert "prices_pence.phase_transfer" in refused.json()["detail"]
    full_card = {"prices_pence": {"new_plan": 40_000, "phase_transfer": 30_000, "annual_review_amendment": 25_000,
                                  "reassessment": 40_000, "statement_transfer": 30_000},
                 "payouts_pence": {"new_plan": 26_000, "phase_transfer": 20_000, "annual_review_amendment": 16_000,
                                   "reassessment": 26_000, "statement_transfer": 20_000},
                 # amendments after the free window are priced and paid too: every table names every work type
                 "amendment_prices_pence": dict.fromkeys(("new_plan", "phase_transfer", "annual_review_amendment",
                                                          "reassessment", "statement_transfer"), 9_000),
                 "amendment_payouts_pence": dict.fromkeys(("new_plan", "phase_transfer", "annual_review_amendment",
                                                           "reassessment", "statement_transfer"), 6_000)}
    made = await client.post(f"/v1/organisations/{north_id}/contracts", headers=admin,
                             json={**terms, "rate_card": full_card})
    assert made.status_code == 201, made.text
    same = await client.post(f"/v1/organisations/{north_id}/contracts", headers=admin,
                             json={**terms, "rate_card": full_card})
    assert same.status_code == 200 and same.json()["id"] == made.json()["id"]
    # Southshire's from the command line, with the standard card; a file that is not JSON is exit 2
    (tmp_path / "bad.json").write_text("{not json")
    error = await planwright(settings, "contract", "add", "--provider", provider_id, "--la", south_id,
                             "--terms", str(tmp_path / "bad.json"), expect=2)
    assert "not JSON" in error
    (tmp_path / "south.json").write_text(json.dumps({"starts_on": clock.today().isoformat(),
                                                     "turnaround_days": {"standard": 12, "express": 6}}))
    south_contract = await planwright(settings, "contract", "add", "--provider", provider_id, "--la", south_id,
                                      "--terms", str(tmp_path / "south.json"))
    assert south_contract["in_force"] is True
    versions = await planwright(settings, "contract", "list", "--provider", provider_id, "--la", south_id)
    assert [v["id"] for v in versions] == [south_contract["id"]]

    # the LAs' people, and a purchase order for each through the billing API
    _, north_officer = await person(north_id, Role.LA_OFFICER, f"north officer {tag}")
    _, south_officer = await person(south_id, Role.LA_OFFICER, f"south officer {tag}")
    for la_id in (north_id, south_id):
        po = await client.post("/v1/billing/purchase-orders", headers=finance,
                               json={"po_number": f"PO-{tag}", "value_pence": 5_000_000, "la_id": la_id})
        assert po.status_code == 201, po.text

    # three writers: two through the API, one from the command line; the third declares a conflict with Southshire
    writers: dict[str, dict[str, str]] = {}
    writer_ids: dict[str, str] = {}
    for n in (1, 2, 3):
        user, auth = await person(provider_id, Role.WRITER, f"writer {n} {tag}")
        writers[f"writer{n}"] = auth
        if n < 3:
            invited = await client.post("/v1/writers", headers=coordinator,
                                        json={"user_id": str(user.id), **writer_terms(skills=["new_plan"])})
            assert invited.status_code == 201 and invited.json()["status"] == "invited", invited.text
            writer_ids[f"writer{n}"] = invited.json()["id"]
            onboarded = await client.post(f"/v1/writers/{invited.json()['id']}/onboard", headers=coordinator,
                                          json={"reason": "references and DBS checked"})
            assert onboarded.status_code == 200 and onboarded.json()["status"] == "active", onboarded.text
        else:
            (tmp_path / "w3.json").write_text(json.dumps(writer_terms(skills=["new_plan", "phase_transfer"])))
            invited = await planwright(settings, "writer", "invite", "--provider", provider_id, "--user",
                                       str(user.id), "--terms", str(tmp_path / "w3.json"))
            writer_ids["writer3"] = invited["id"]
            onboarded = await planwright(settings, "writer", "onboard", "--provider", provider_id, "--writer",
                                         invited["id"], "--reason", "references and DBS checked")
            assert onboarded["status"] == "active"
    declared = await client.post("/v1/writers/me/conflicts", headers=writers["writer3"], json={"la_id": south_id})
    assert declared.status_code == 200 and declared.json()["excluded_las"] == [south_id], declared.text

    # a bundle's whole journey for each LA, each billed under its own contract
    north_bundle, _ = await journey(client, north_officer, writers, reviewer, f"N-{tag}")
    south_bundle, south_writer = await journey(client, south_officer, writers, reviewer, f"S-{tag}")
    assert south_writer != "writer3"  # the declared conflict holds
    month = clock.month_of(clock.now())
    for la_id, bundle_id, net in ((north_id, north_bundle, "400.00"), (south_id, south_bundle, "450.00")):
        invoice = await client.get(f"/v1/billing/months/{month}/invoices/{la_id}", headers=finance)
        assert invoice.status_code == 200, invoice.text
        reference = (await Bundle.get(id=bundle_id)).reference
        line = next(r for r in csv.DictReader(io.StringIO(invoice.text))
                    if r["record"] == "line" and r["bundle_reference"] == reference)
        assert line["net_gbp"] == net
    north_detail = (await client.get(f"/v1/bundles/{north_bundle}", headers=north_officer)).json()
    assert north_detail["status"] == "accepted"

    # archiving Southshire stops its new bundles and keeps its history
    archived = await client.post(f"/v1/organisations/{south_id}/archive", headers=admin)
    assert archived.status_code == 200 and archived.json()["archived_at"] is not None
    refused_bundle = await client.post("/v1/bundles", headers=south_officer,
                                       json={"reference": f"S2-{tag}", "work_type": "new_plan"})
    assert refused_bundle.status_code == 409 and "archived" in refused_bundle.json()["detail"]
    kept = await client.get(f"/v1/bundles/{south_bundle}", headers=south_officer)
    assert kept.status_code == 200 and kept.json()["status"] == "accepted"

    # everything the operator did is on the record: who (a user, or the command line), what, and from where
    ours = {provider_id, north_id, south_id, made.json()["id"], south_contract["id"], *writer_ids.values()}
    entries = await AuditEntry.filter(object_id__in=list(ours), action__in=[
        "organisation.created", "contract.version_added", "writer.invited", "writer.onboarded",
        "organisation.archived"])
    actions = {(e.action, str(e.data["origin"]).split()[0]) for e in entries}
    assert {("organisation.created", "api"), ("organisation.created", "cli"), ("contract.version_added", "api"),
            ("contract.version_added", "cli"), ("writer.invited", "api"), ("writer.invited", "cli"),
            ("writer.onboarded", "api"), ("writer.onboarded", "cli"), ("organisation.archived", "api")} <= actions
    assert await Organisation.filter(id=provider_id).exists()
