"""The review screen lists each item of provision in F and G with the advice it came from (issue 19, item 4)."""

from __future__ import annotations

import httpx

from service.models import Bundle, BundleStatus, Draft
from tests.factories import Tenant, bundle_in
from tests.files import DOCX, PDF, make_pdf
from tests.qa.conftest import clean_sections
from tests.qa.drafting import Sub, write_draft

SHEET = {"queries": [], "missing_advice": [], "notes": "none"}
SALT_ITEM = "A speech and language therapist will deliver a 45-minute individual session weekly"
INVENTED = "A trained TA will run a sensory circuit for 15 minutes every morning."
ADVICE = make_pdf([
    "Speech and language therapy advice\nChild A was seen in school.",
    "A speech and language therapist should deliver a 45-minute individual session weekly "
    "(NHS number 943 476 5919) and write a programme for school staff.",
])


async def _reviewed_draft(client: httpx.AsyncClient, tenant: Tenant) -> str:
    # the LA adds its advice while the bundle is a draft; the bundle then reaches its writer (set directly here)
    bundle = await bundle_in(tenant, BundleStatus.DRAFT)
    advice = await client.post(f"/v1/bundles/{bundle.id}/documents", params={"filename": "salt-advice.pdf"},
                               content=ADVICE, headers={**tenant.auth("la_officer"), "Content-Type": PDF})
    assert advice.status_code == 201, advice.text
    await Bundle.filter(id=bundle.id).update(status=BundleStatus.DRAFTING, writer=tenant.writers["writer1"])
    sections = clean_sections()
    sections["F"] = [*sections["F"], Sub("Sensory and physical"), INVENTED]
    writer = tenant.auth("writer1")
    await client.put(f"/v1/bundles/{bundle.id}/front-sheet", headers=writer, json=SHEET)
    draft = await client.post(f"/v1/bundles/{bundle.id}/drafts", params={"filename": "plan.docx"},
                              content=write_draft(sections), headers={**writer, "Content-Type": DOCX})
    assert draft.status_code == 201, draft.text
    return str(draft.json()["id"])


async def test_the_review_screen_shows_each_provision_with_its_source_excerpt(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    draft_id = await _reviewed_draft(client, tenant)
    sheet = await client.get(f"/v1/drafts/{draft_id}/review", headers=tenant.auth("qa_reviewer"))
    assert sheet.status_code == 200, sheet.text
    provision = sheet.json()["provision"]
    assert {p["section"] for p in provision} == {"F"}  # G says there is no health provision: nothing to trace
    salt = next(p for p in provision if p["text"].startswith(SALT_ITEM))
    source = salt["source"]
    advice_id = next(d for d in (await client.get(f"/v1/bundles/{(await Draft.get(id=draft_id)).bundle_id}",
                                                  headers=tenant.auth("la_officer"))).json()["documents"])["id"]
    assert (source["document_id"], source["document"], source["page"]) == (advice_id, "salt-advice.pdf", 2)
    assert source["excerpt"].startswith("A speech and language therapist should deliver a 45-minute")
    # the excerpt is the advice's own sentence, its identifiers masked as screening masks them
    assert "943" in source["excerpt"] and "476 5919" not in source["excerpt"]
    invented = next(p for p in provision if p["text"] == INVENTED)
    assert invented["source"] is None and (invented["area"], invented["row"]) == (None, None)
    # the items come from the advice not in this bundle (phonics, check-in, ELSA) have no source either
    assert sum(p["source"] is None for p in provision) == len(provision) - 1
    # the findings still say the same: the invented item is provision_not_in_advice
    found = [f for f in sheet.json()["findings"] if f["check"] == "provision_not_in_advice"]
    assert any(INVENTED in f["excerpt"] for f in found)
    assert not any(SALT_ITEM in f["excerpt"] for f in found)


async def test_a_draft_checked_before_the_list_existed_answers_null(client: httpx.AsyncClient, tenant: Tenant) -> None:
    draft_id = await _reviewed_draft(client, tenant)
    await Draft.filter(id=draft_id).update(qa_provision=None)
    sheet = await client.get(f"/v1/drafts/{draft_id}/review", headers=tenant.auth("qa_reviewer"))
    assert sheet.status_code == 200 and sheet.json()["provision"] is None


async def test_another_tenants_draft_review_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    draft_id = await _reviewed_draft(client, tenant)
    theirs = await client.get(f"/v1/drafts/{draft_id}/review", headers=other_tenant.auth("qa_reviewer"))
    assert theirs.status_code == 404
    assert theirs.headers["content-type"].startswith("application/problem+json")
    assert "salt" not in theirs.text.lower()
