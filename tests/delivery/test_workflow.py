"""Drafts, review, queries and secure return, over HTTP with real tokens."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta

import httpx
from docx import Document

from service import clock
from service.auth.tokens import issue_token, revoke_token
from service.delivery.links import LinkClaims, sign_link
from service.models import AuditEntry, Bundle, BundleStatus, DownloadLink, Draft, Event, User, WorkType
from service.runtime import current
from tests.factories import Tenant
from tests.files import DOCX, make_docx

SHEET = {"queries": [], "missing_advice": [], "notes": "none"}
VAGUE_PLAN = make_docx([
    "Section A: Views, interests and aspirations", "Child A wants to be a vet.",
    "Section B: Special educational needs", "Communication and interaction: Child A has a language disorder.",
    "Section C: Health needs", "Child A has no health needs.",
    "Section D: Social care needs", "Child A has no social care needs.",
    "Section E: Outcomes", "By July 2028 Child A will follow two-step instructions in class 4 times out of 5.",
    "Section F: Special educational provision",
    "Child A will have access to a literacy programme as appropriate.",
    "Section G: Health provision", "Speech and language therapy from the NHS team, 6 sessions a term.",
    "Section H1: Social care provision under s.2 CSDPA", "None.",
    "Section H2: Other social care provision", "None.",
    "Section I: Placement", "",
    "Section J: Personal budget", "No personal budget has been requested.",
    "Section K: Advice and information", "Appendix 1: EP advice.",
])


async def drafting_bundle(tenant: Tenant, writer: str = "writer1") -> str:
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference="WF-1", work_type=WorkType.NEW_PLAN, status=BundleStatus.DRAFTING,
                                 writer=tenant.writers[writer], turnaround_due=clock.today() + timedelta(days=10))
    return str(bundle.id)


async def upload(client: httpx.AsyncClient, tenant: Tenant, bundle_id: str, body: bytes = VAGUE_PLAN) -> dict:  # type: ignore[type-arg]
    await client.put(f"/v1/bundles/{bundle_id}/front-sheet", headers=tenant.auth("writer1"), json=SHEET)
    response = await client.post(f"/v1/bundles/{bundle_id}/drafts", params={"filename": "plan.docx"}, content=body,
                                 headers={**tenant.auth("writer1"), "Content-Type": DOCX})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def pass_it(client: httpx.AsyncClient, tenant: Tenant, draft_id: str) -> httpx.Response:
    reviewer = tenant.auth("qa_reviewer")
    await client.post(f"/v1/drafts/{draft_id}/claim", headers=reviewer)
    sheet = (await client.get(f"/v1/drafts/{draft_id}/review", headers=reviewer)).json()
    for f in sheet["findings"]:
        if f["severity"] == "error":
            await client.post(f"/v1/drafts/{draft_id}/findings/{f['index']}/dismiss", headers=reviewer,
                              json={"reason": "accepted for this test"})
    return await client.post(f"/v1/drafts/{draft_id}/pass", headers=reviewer,
                             json={"checklist": {i["key"]: True for i in sheet["manual_items"]}})


async def test_vague_provision_in_f_and_therapy_only_in_g_are_flagged(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    draft = await upload(client, tenant, await drafting_bundle(tenant))
    found = {(f["check"], f["section"]) for f in draft["qa_findings"]}
    assert ("vague_provision", "F") in found
    assert ("therapy_outside_f", "G") in found
    vague = next(f for f in draft["qa_findings"] if f["check"] == "vague_provision")
    assert "access to" in vague["excerpt"]


async def test_review_needs_a_claim_reasons_for_dismissals_and_the_whole_checklist(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    draft_id = (await upload(client, tenant, await drafting_bundle(tenant)))["id"]
    reviewer = tenant.auth("qa_reviewer")
    assert (await client.post(f"/v1/drafts/{draft_id}/claim", headers=reviewer)).status_code == 200
    # a second reviewer of the same service cannot take it
    from service.auth.tokens import issue_token
    from service.models import Role, User

    other = await User.create(organisation=tenant.provider, name="second reviewer", role=Role.QA_REVIEWER)
    second = {"Authorization": f"Bearer {(await issue_token(other)).token}"}
    assert (await client.post(f"/v1/drafts/{draft_id}/claim", headers=second)).status_code == 409
    no_reason = await client.post(f"/v1/drafts/{draft_id}/findings/0/dismiss", headers=reviewer, json={"reason": ""})
    assert no_reason.status_code == 422
    missing = await client.post(f"/v1/drafts/{draft_id}/findings/99/dismiss", headers=reviewer,
                                json={"reason": "not a finding"})
    assert missing.status_code == 404
    superscript = await client.post(f"/v1/drafts/{draft_id}/findings/\u00b9/dismiss", headers=reviewer,
                                    json={"reason": "not a number"})  # '1'.isdigit() but not int(): was a 500
    assert superscript.status_code == 404
    partial = await client.post(f"/v1/drafts/{draft_id}/pass", headers=reviewer,
                                json={"checklist": {"views_reflected": True}})
    assert partial.status_code == 422 and "advice_used" in partial.json()["detail"]
    assert (await Draft.get(id=draft_id)).status.value == "in_qa"


async def test_the_answer_to_a_dismissal_shows_the_dismissal(client: httpx.AsyncClient, tenant: Tenant) -> None:
    draft = await upload(client, tenant, await drafting_bundle(tenant))
    reviewer = tenant.auth("qa_reviewer")
    await client.post(f"/v1/drafts/{draft['id']}/claim", headers=reviewer)
    index = next(i for i, f in enumerate(draft["qa_findings"]) if f["severity"] == "error")
    answer = await client.post(f"/v1/drafts/{draft['id']}/findings/{index}/dismiss", headers=reviewer,
                               json={"reason": "the LA's template words it so"})
    assert answer.status_code == 200, answer.text
    (dismissal,) = answer.json()["dismissals"]
    assert dismissal["index"] == index and dismissal["reason"] == "the LA's template words it so"
    assert dismissal["check"] == draft["qa_findings"][index]["check"]
    assert datetime.fromisoformat(dismissal["at"]) <= clock.now()
    assert draft["dismissals"] == []  # before any dismissal


async def test_a_returned_draft_comes_back_as_a_new_cycle_on_the_timeline_and_in_the_quality_figures(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id = await drafting_bundle(tenant)
    first = (await upload(client, tenant, bundle_id))["id"]
    reviewer = tenant.auth("qa_reviewer")
    await client.post(f"/v1/drafts/{first}/claim", headers=reviewer)
    returned = await client.post(f"/v1/drafts/{first}/return", headers=reviewer,
                                 json={"comments": "Quantify the therapy in F and move it out of G."})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    second = await upload(client, tenant, bundle_id)
    assert second["cycle"] == 2
    assert (await pass_it(client, tenant, second["id"])).status_code == 200
    timeline = (await client.get(f"/v1/bundles/{bundle_id}", headers=tenant.auth("la_officer"))).json()["timeline"]
    cycles = [(e["name"], e["data"].get("cycle")) for e in timeline if e["name"] in {"qa.returned", "qa.passed"}]
    assert cycles == [("qa.returned", 1), ("qa.passed", 2)]
    quality = await client.get(f"/v1/writers/{tenant.writers['writer1'].id}/quality",
                               headers=tenant.auth("coordinator"))
    assert quality.status_code == 200
    figures = quality.json()
    assert figures["bundles_passed"] == 1 and figures["first_time_pass_rate"] == 0.0
    assert figures["cycles_per_bundle"] == 2.0
    # "access to" and "as appropriate" are two flag phrases, in each of the two drafts
    assert figures["frequent_findings"][0] == {"check": "vague_provision", "count": 4}


async def test_a_query_pauses_the_bundle_until_the_la_answers(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    bundle_id = await drafting_bundle(tenant)
    asked = await client.post(f"/v1/bundles/{bundle_id}/queries", headers=tenant.auth("writer1"),
                              json={"question": "The EP and SALT reports disagree on receptive language: which?"})
    assert asked.status_code == 201, asked.text
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.AWAITING_LA
    query_id = asked.json()["id"]
    stranger = await client.post(f"/v1/queries/{query_id}/answer", headers=other_tenant.auth("la_officer"),
                                 json={"answer": "x"})
    assert stranger.status_code == 404
    answered = await client.post(f"/v1/queries/{query_id}/answer", headers=tenant.auth("la_officer"),
                                 json={"answer": "Use the SALT report of March."})
    assert answered.status_code == 200 and answered.json()["answer"] == "Use the SALT report of March."
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.DRAFTING
    again = await client.post(f"/v1/queries/{query_id}/answer", headers=tenant.auth("la_officer"),
                              json={"answer": "twice"})
    assert again.status_code == 409
    names = [e.name for e in await Event.filter(bundle_id=bundle_id).order_by("id")]
    assert names[-2:] == ["query.raised", "query.answered"]
    listed = (await client.get(f"/v1/bundles/{bundle_id}/queries", headers=tenant.auth("writer1"))).json()["items"]
    assert [q["id"] for q in listed] == [query_id]


async def delivered(client: httpx.AsyncClient, tenant: Tenant) -> str:
    bundle_id = await drafting_bundle(tenant)
    draft = await upload(client, tenant, bundle_id, make_docx(["Section A: Views", "Likes art."], author="A Writer"))
    assert (await pass_it(client, tenant, draft["id"])).status_code == 200
    return bundle_id


async def test_links_expire_and_revocation_kills_them_at_once(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id = await delivered(client, tenant)
    la = tenant.auth("la_officer")
    link = await client.post(f"/v1/bundles/{bundle_id}/delivered-draft/link", headers=la)
    assert link.status_code == 200
    body = link.json()
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(0) < expires - clock.now() <= timedelta(minutes=5)
    got = await client.get(body["url"])  # no bearer token: the link is the authority
    assert got.status_code == 200 and got.headers["x-checksum-sha256"] == body["sha256"]
    assert Document(io.BytesIO(got.content)).core_properties.author == ""
    assert await AuditEntry.filter(action="delivered_draft.download_by_link", bundle_id=bundle_id).exists()
    # an expired link refuses
    draft = await Draft.get(bundle_id=bundle_id, status="passed")
    stale = sign_link(current().link_key, LinkClaims(link_id=uuid.uuid4(), draft_id=draft.id,
                                                     user_id=tenant.users["la_officer"].id,
                                                     access_version=1, expires=int(clock.now().timestamp()) - 1))
    assert (await client.get(f"/v1/downloads/{stale}")).status_code == 404
    # a tampered link refuses
    outstanding = (await client.post(f"/v1/bundles/{bundle_id}/delivered-draft/link", headers=la)).json()
    assert (await client.get(outstanding["url"][:-3] + "abc")).status_code == 404
    # revocation kills the outstanding link and the bearer download at once
    revoked = await client.post(f"/v1/bundles/{bundle_id}/access/revoke", headers=tenant.auth("la_admin"))
    assert revoked.status_code == 200
    assert (await client.get(outstanding["url"])).status_code == 404
    assert (await client.get(f"/v1/bundles/{bundle_id}/delivered-draft", headers=la)).status_code == 403
    # restoring opens new links, but the old one stays dead
    await client.post(f"/v1/bundles/{bundle_id}/access/restore", headers=tenant.auth("la_admin"))
    fresh = (await client.post(f"/v1/bundles/{bundle_id}/delivered-draft/link", headers=la)).json()
    assert (await client.get(fresh["url"])).status_code == 200
    assert (await client.get(outstanding["url"])).status_code == 404


async def test_a_link_downloads_once_and_its_use_is_audited_with_the_client_address(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id = await delivered(client, tenant)
    body = (await client.post(f"/v1/bundles/{bundle_id}/delivered-draft/link",
                              headers=tenant.auth("la_officer"))).json()
    assert (await client.get(body["url"])).status_code == 200
    again = await client.get(body["url"])
    assert again.status_code == 404 and "used" in again.json()["detail"]
    entries = await AuditEntry.filter(action="delivered_draft.download_by_link", bundle_id=bundle_id)
    assert len(entries) == 1
    (entry,) = entries
    link = await DownloadLink.get(id=entry.data["link_id"])
    assert entry.actor_id is None  # the holder of a link is nobody's login
    assert entry.data["made_by"] == str(tenant.users["la_officer"].id)
    assert entry.data["client"] == link.used_from and link.used_from  # the test client's address
    assert link.used_at is not None


async def test_a_link_dies_when_the_token_that_made_it_is_revoked(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id = await delivered(client, tenant)
    officer = tenant.users["la_officer"]
    spare = await issue_token(officer, label="spare")
    body = (await client.post(f"/v1/bundles/{bundle_id}/delivered-draft/link",
                              headers={"Authorization": f"Bearer {spare.token}"})).json()
    await revoke_token(spare.id)
    assert (await client.get(body["url"])).status_code == 404
    # another token of the same user still makes links that work
    other = (await client.post(f"/v1/bundles/{bundle_id}/delivered-draft/link",
                               headers=tenant.auth("la_officer"))).json()
    assert (await client.get(other["url"])).status_code == 200


async def test_a_link_dies_when_its_maker_is_deactivated(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id = await delivered(client, tenant)
    body = (await client.post(f"/v1/bundles/{bundle_id}/delivered-draft/link",
                              headers=tenant.auth("la_officer"))).json()
    await User.filter(id=tenant.users["la_officer"].id).update(active=False)
    assert (await client.get(body["url"])).status_code == 404
    assert not await AuditEntry.filter(action="delivered_draft.download_by_link", bundle_id=bundle_id).exists()


async def test_the_la_cannot_download_before_the_pass(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id = await drafting_bundle(tenant)
    await upload(client, tenant, bundle_id)
    la = tenant.auth("la_officer")
    assert (await client.get(f"/v1/bundles/{bundle_id}/delivered-draft", headers=la)).status_code == 409
    assert (await client.post(f"/v1/bundles/{bundle_id}/delivered-draft/link", headers=la)).status_code == 409


async def test_an_amendment_goes_back_to_the_same_writer_ahead_of_new_work(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    newer = await drafting_bundle(tenant)  # already in progress, due sooner
    await Bundle.filter(id=newer).update(turnaround_due=clock.today() + timedelta(days=1))
    bundle_id = await delivered(client, tenant)
    amended = await client.post(f"/v1/bundles/{bundle_id}/amendments", headers=tenant.auth("la_officer"),
                                json={"reason": "Section F needs the SALT hours from the March report."})
    assert amended.status_code == 200 and amended.json()["status"] == "amendment_requested"
    event = await Event.filter(bundle_id=bundle_id, name="amendment.requested").first()
    assert event is not None and event.data["free"] is True
    work = (await client.get("/v1/work", headers=tenant.auth("writer1"))).json()["items"]
    assert [b["id"] for b in work][:2] == [bundle_id, newer]
    again = await upload(client, tenant, bundle_id)
    assert again["cycle"] == 2 and (await Bundle.get(id=bundle_id)).status == BundleStatus.IN_QA


async def test_the_la_answers_with_documents_that_are_screened_before_the_writer_sees_them(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    from service.intake.screening_service import screen_added_document
    from service.models import Document
    from tests.files import PDF, make_pdf

    bundle_id = await drafting_bundle(tenant)
    asked = await client.post(f"/v1/bundles/{bundle_id}/queries", headers=tenant.auth("writer1"),
                              json={"question": "Is there an up-to-date SALT report?"})
    la = tenant.auth("la_officer")
    clean = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "salt-2027.pdf"},
                              content=make_pdf(["SALT report for Child A", "Receptive language: delayed."]),
                              headers={**la, "Content-Type": PDF})
    leaky = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "letter.pdf"},
                              content=make_pdf(["Letter", "NHS number: 943 476 5919"]),
                              headers={**la, "Content-Type": PDF})
    assert clean.status_code == 201 and leaky.status_code == 201
    writer = tenant.auth("writer1")
    # not yet screened: the writer cannot open it
    early = await client.get(f"/v1/bundles/{bundle_id}/documents/{clean.json()['id']}/content", headers=writer)
    assert early.status_code == 409
    assert await screen_added_document(clean.json()["id"]) == "screened"
    assert await screen_added_document(leaky.json()["id"]) == "refused"
    assert await screen_added_document(clean.json()["id"]) is None  # idempotent
    opened = await client.get(f"/v1/bundles/{bundle_id}/documents/{clean.json()['id']}/content", headers=writer)
    assert opened.status_code == 200
    refused = await client.get(f"/v1/bundles/{bundle_id}/documents/{leaky.json()['id']}/content", headers=writer)
    assert refused.status_code == 404
    assert (await Document.get(id=leaky.json()["id"])).deleted_at is not None
    timeline = (await client.get(f"/v1/bundles/{bundle_id}", headers=la)).json()["timeline"]
    refusal = next(e for e in timeline if e["name"] == "document.refused")
    assert "nhs_number" in refusal["data"]["reason"] and "943 476 5919" not in str(refusal)
    await client.post(f"/v1/queries/{asked.json()['id']}/answer", headers=la, json={"answer": "Attached."})
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.DRAFTING


async def test_an_optional_pdf_rendition_reaches_the_la_without_its_metadata(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    from pypdf import PdfReader, PdfWriter

    from tests.files import PDF

    bundle_id = await drafting_bundle(tenant)
    draft = await upload(client, tenant, bundle_id, make_docx(["Section A: Views", "Likes art."]))
    la = tenant.auth("la_officer")
    writer = tenant.auth("writer1")
    none_yet = await client.get(f"/v1/bundles/{bundle_id}/delivered-draft/rendition", headers=la)
    assert none_yet.status_code == 409  # not passed yet
    source = PdfWriter()
    source.add_blank_page(width=595, height=842)
    source.add_metadata({"/Author": "Writer Person", "/Title": "Plan for a named child"})
    buffer = io.BytesIO()
    source.write(buffer)
    url = f"/v1/drafts/{draft['id']}/rendition"
    wrong = await client.put(url, params={"filename": "plan.docx"}, content=make_docx(["x"]),
                             headers={**writer, "Content-Type": DOCX})
    assert wrong.status_code == 415
    stranger = await client.put(url, params={"filename": "plan.pdf"}, content=buffer.getvalue(),
                                headers={**tenant.auth("writer2"), "Content-Type": PDF})
    assert stranger.status_code == 404
    added = await client.put(url, params={"filename": "plan.pdf"}, content=buffer.getvalue(),
                             headers={**writer, "Content-Type": PDF})
    assert added.status_code == 200, added.text
    assert (await pass_it(client, tenant, draft["id"])).status_code == 200
    got = await client.get(f"/v1/bundles/{bundle_id}/delivered-draft/rendition", headers=la)
    assert got.status_code == 200
    assert got.headers["x-checksum-sha256"] == added.json()["rendition_sha256"]
    reader = PdfReader(io.BytesIO(got.content))
    assert len(reader.pages) == 1
    assert not reader.metadata or "/Author" not in reader.metadata
    assert await AuditEntry.filter(action="delivered_rendition.download", bundle_id=bundle_id).exists()


async def test_the_delivered_draft_comes_as_its_own_type_or_as_octet_stream_when_accept_prefers_that(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """The contract offers each download as its own type and as application/octet-stream (the binary type client
    generators read); the server sends octet-stream only to a caller whose Accept header prefers it."""
    bundle_id = await delivered(client, tenant)
    la = tenant.auth("la_officer")
    url = f"/v1/bundles/{bundle_id}/delivered-draft"
    answers = {accept: await client.get(url, headers={**la, **({"Accept": accept} if accept else {})})
               for accept in ("", "*/*", DOCX, "application/octet-stream",
                              f"application/octet-stream;q=0.5, {DOCX}", "application/octet-stream, */*;q=0.1",
                              "text/html")}
    types = {accept: answer.headers["content-type"] for accept, answer in answers.items()}
    assert types == {"": DOCX, "*/*": DOCX, DOCX: DOCX, "application/octet-stream": "application/octet-stream",
                     f"application/octet-stream;q=0.5, {DOCX}": DOCX,
                     "application/octet-stream, */*;q=0.1": "application/octet-stream", "text/html": DOCX}, types
    assert len({answer.content for answer in answers.values()}) == 1  # the same bytes whichever type they carry
    assert next(iter(answers.values())).content.startswith(b"PK")
