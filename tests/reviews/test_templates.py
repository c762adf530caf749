"""The LA's template profile over the API: a coordinator learns it from a blank template, corrects it and names it
on the LA's contract; uploaded drafts are then read with it."""

from __future__ import annotations

import io

import docx
import httpx

from contracts.api import FrontSheetIn
from service.drafts import service as drafts
from service.drafts.checks import run_qa
from service.models import AuditEntry, BundleStatus, LaContract
from tests.factories import Tenant, bundle_in, chunks_of, principal
from tests.files import DOCX
from tests.qa.conftest import clean_sections
from tests.qa.drafting import write_draft
from tests.qa.test_profiles import _blank

LEARN = "/v1/qa/templates/learn"
DOCX_TYPE = {"Content-Type": DOCX}


async def test_a_coordinator_learns_corrects_and_names_the_las_profile(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    coordinator = {**tenant.auth("coordinator"), **DOCX_TYPE}
    learned = await client.post(f"{LEARN}?name=county", headers=coordinator, content=_blank("left-column"))
    assert learned.status_code == 200, learned.text
    profile = learned.json()
    assert profile["name"] == "county" and profile["layout"] == "left-column" and "J" in profile["labels"]
    # the coordinator corrects it: J is called "Direct payments" in this LA's template
    profile["labels"]["J"] = ["J. Direct payments"]
    path = f"/v1/qa/templates/{tenant.la.id}"
    named = await client.put(path, headers=tenant.auth("coordinator"), json={"profile": profile})
    assert named.status_code == 200, named.text
    assert named.json()["profile"]["labels"]["J"] == ["J. Direct payments"]
    read = await client.get(path, headers=tenant.auth("qa_reviewer"))
    assert read.status_code == 200 and read.json()["profile"]["name"] == "county"
    assert "dfe-national" in read.json()["shipped"]
    contract = await LaContract.get(la_id=tenant.la.id)
    assert contract.qa_template is not None and contract.qa_template["name"] == "county"
    assert await AuditEntry.filter(action="qa.template_set", object_id=str(contract.id)).count() == 1
    assert await AuditEntry.filter(action="qa.template_set", la_id=tenant.la.id).count() == 1  # the LA's chain
    # another writing service's LA is not there to see
    assert (await client.get(f"/v1/qa/templates/{other_tenant.la.id}", headers=tenant.auth("coordinator"))
            ).status_code == 404


async def test_a_shipped_profile_by_name_and_back_to_detection(client: httpx.AsyncClient, tenant: Tenant) -> None:
    path = f"/v1/qa/templates/{tenant.la.id}"
    coordinator = tenant.auth("coordinator")
    shipped = await client.put(path, headers=coordinator, json={"name": "dfe-national"})
    assert shipped.status_code == 200 and shipped.json()["profile"]["layout"] == "side-by-side"
    unknown = await client.put(path, headers=coordinator, json={"name": "nowhere"})
    assert unknown.status_code == 422 and unknown.headers["content-type"].startswith("application/problem+json")
    both = await client.put(path, headers=coordinator, json={"name": "dfe-national", "profile": {"name": "x"}})
    assert both.status_code == 422
    cleared = await client.put(path, headers=coordinator, json={})
    assert cleared.status_code == 200 and cleared.json()["profile"] is None


async def test_only_coordinators_learn_or_name_profiles_and_bad_blanks_are_refused(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for role in ("writer1", "qa_reviewer", "la_officer"):
        refused = await client.post(f"{LEARN}?name=x", headers={**tenant.auth(role), **DOCX_TYPE},
                                    content=_blank("headings"))
        assert refused.status_code == 403, role
    put = await client.put(f"/v1/qa/templates/{tenant.la.id}", headers=tenant.auth("qa_reviewer"), json={})
    assert put.status_code == 403
    coordinator = {**tenant.auth("coordinator"), **DOCX_TYPE}
    not_docx = await client.post(f"{LEARN}?name=x", headers=coordinator, content=b"plain text, not a template")
    assert not_docx.status_code == 415
    bad_name = await client.post(f"{LEARN}?name=Bad%20Name", headers=coordinator, content=_blank("headings"))
    assert bad_name.status_code == 422


async def test_an_uploaded_draft_is_read_with_the_profile_the_contract_names(tenant: Tenant) -> None:
    # a profile whose J label is this LA's own ("Direct payments"), which the built-in reading does not know
    await LaContract.filter(la_id=tenant.la.id).update(qa_template={"name": "county", "labels": {"J": ["Money"]}})
    sections = clean_sections()
    bundle = await bundle_in(tenant, BundleStatus.ALLOCATED, writer="writer1")
    writer = await principal(tenant, "writer1")
    await drafts.set_front_sheet(writer, bundle.id, FrontSheetIn(queries=[], missing_advice=[], notes="n"))
    document = docx.Document(io.BytesIO(write_draft(sections, "headings")))
    heading = next(p for p in document.paragraphs if p.text == "Section J: Personal budget")
    heading.text = "Money"
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    qa = run_qa(data, {"queries": [], "missing_advice": [], "notes": "n"})
    unnamed = [(f["check"], f["section"]) for f in qa.findings]
    assert ("section_missing", "J") in unnamed  # the built-in reading does not know this LA's label
    draft = await drafts.upload(writer, bundle.id, chunks_of(data), filename="plan.docx", content_type=DOCX)
    assert [f for f in draft.qa_findings if f["severity"] == "error"] == []


async def test_an_uploaded_drafts_provision_is_traced_to_the_bundles_advice(tenant: Tenant) -> None:
    from service.models import Document
    from service.runtime import current
    from service.storage import new_object_key

    bundle = await bundle_in(tenant, BundleStatus.ALLOCATED, writer="writer1")
    advice = (
        b"Child A was seen in school.\fA speech and language therapist should deliver a 45-minute individual "
        b"session weekly and write a programme for school staff."
    )
    stored = await current().storage.put_bytes(new_object_key("documents"), advice)
    await Document.create(bundle=bundle, filename="salt-advice.txt", kind="txt", media_type="text/plain",
                          size=stored.size, sha256=stored.sha256, storage_key=stored.key,
                          uploaded_by=tenant.users["la_officer"])
    writer = await principal(tenant, "writer1")
    await drafts.set_front_sheet(writer, bundle.id, FrontSheetIn(queries=[], missing_advice=[], notes="n"))
    draft = await drafts.upload(writer, bundle.id, chunks_of(write_draft(clean_sections())), filename="plan.docx",
                                content_type=DOCX)
    traced = [f for f in draft.qa_findings if f["check"] == "provision_not_in_advice"]
    # the SALT item comes from the advice; the phonics, check-in and ELSA items come from advice not in the bundle
    assert traced and all(f["severity"] == "warning" for f in traced)
    assert not any("speech and language therapist will deliver" in f["excerpt"] for f in traced)
    missing = [f for f in draft.qa_findings if f["check"] == "advice_not_in_plan"]
    assert missing == []
