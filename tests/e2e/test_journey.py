"""One bundle's whole journey over HTTP with real tokens: submitted by the LA to a line in the month's CSV."""

from __future__ import annotations

import base64
import csv
import hashlib
import io

import httpx
from docx import Document
from pypdf import PdfReader

from service import clock
from service.models import Bundle
from tests.factories import Tenant
from tests.files import DOCX, DRAFT_PLAN, EP_REPORT, PDF, SALT_REPORT
from tests.service_fixtures import eventually


async def status_of(client: httpx.AsyncClient, tenant: Tenant, bundle_id: str) -> str:
    response = await client.get(f"/v1/bundles/{bundle_id}", headers=tenant.auth("la_officer"))
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


async def test_a_bundle_goes_from_submission_to_a_billing_line(
    client: httpx.AsyncClient, tenant: Tenant, worker: None
) -> None:
    la = tenant.auth("la_officer")
    created = await client.post("/v1/bundles", headers={**la, "Idempotency-Key": "journey-1"},
                                json={"reference": "DCC-2027-0042", "work_type": "new_plan"})
    assert created.status_code == 201, created.text
    bundle_id = created.json()["id"]
    assert created.json()["status"] == "draft"

    for name, body, media in (("ep-report.pdf", EP_REPORT, PDF), ("salt.docx", SALT_REPORT, DOCX)):
        uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": name},
                                     content=body, headers={**la, "Content-Type": media})
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.json()["sha256"] == hashlib.sha256(body).hexdigest()

    submitted = await client.post(f"/v1/bundles/{bundle_id}/submit", headers=la)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"

    # the worker screens it (queued) and the round that follows offers it to a writer
    async def offered() -> bool:
        return await status_of(client, tenant, bundle_id) == "offered"

    await eventually(offered)
    detail = (await client.get(f"/v1/bundles/{bundle_id}", headers=la)).json()
    assert detail["page_count"] == 3
    assert detail["turnaround_due"] is not None

    writer_key, offer = None, None
    for key in ("writer1", "writer2", "writer3"):
        offers = (await client.get("/v1/offers", headers=tenant.auth(key))).json()["items"]
        mine = [o for o in offers if o["bundle_id"] == bundle_id]
        if mine:
            writer_key, offer = key, mine[0]
    assert writer_key is not None and offer is not None
    writer = tenant.auth(writer_key)

    accepted = await client.post(f"/v1/offers/{offer['id']}/accept", headers=writer)
    assert accepted.status_code == 200, accepted.text
    assert await status_of(client, tenant, bundle_id) == "allocated"

    document = detail["documents"][0]
    download = await client.get(f"/v1/bundles/{bundle_id}/documents/{document['id']}/content", headers=writer)
    assert download.status_code == 200
    # the writer gets the metadata-stripped copy screening made, never the LA's original bytes
    assert download.headers["x-checksum-sha256"] == hashlib.sha256(download.content).hexdigest()
    assert download.headers["x-checksum-sha256"] == document["clean_sha256"] != document["sha256"]
    assert "working memory" in PdfReader(io.BytesIO(download.content)).pages[0].extract_text()
    assert await status_of(client, tenant, bundle_id) == "drafting"

    sheet = await client.put(f"/v1/bundles/{bundle_id}/front-sheet", headers=writer,
                             json={"queries": [], "missing_advice": ["No social care advice in the bundle"],
                                   "notes": "Section I left for the LA."})
    assert sheet.status_code == 200, sheet.text
    draft = await client.post(f"/v1/bundles/{bundle_id}/drafts", params={"filename": "draft.docx"},
                              content=DRAFT_PLAN, headers={**writer, "Content-Type": DOCX})
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["id"]
    # the writer sees the automated findings at once: the draft is only two sections long
    findings = draft.json()["qa_findings"]
    assert "section_missing" in {f["check"] for f in findings}
    assert "front_sheet_missing" not in {f["check"] for f in findings}
    assert await status_of(client, tenant, bundle_id) == "in_qa"

    reviewer = tenant.auth("qa_reviewer")
    queue = (await client.get("/v1/qa/queue", headers=reviewer)).json()["items"]
    assert draft_id in [d["id"] for d in queue]
    refused = await client.post(f"/v1/drafts/{draft_id}/pass", headers=reviewer, json={"checklist": {}})
    assert refused.status_code == 409  # claim first
    assert (await client.post(f"/v1/drafts/{draft_id}/claim", headers=reviewer)).status_code == 200
    sheet_for_review = (await client.get(f"/v1/drafts/{draft_id}/review", headers=reviewer)).json()
    assert sheet_for_review["front_sheet"]["missing_advice"] == ["No social care advice in the bundle"]
    checklist = {item["key"]: True for item in sheet_for_review["manual_items"]}
    blocked = await client.post(f"/v1/drafts/{draft_id}/pass", headers=reviewer, json={"checklist": checklist})
    assert blocked.status_code == 409 and "dismiss" in blocked.json()["detail"]
    for finding in sheet_for_review["findings"]:
        if finding["severity"] == "error":
            dismissed = await client.post(f"/v1/drafts/{draft_id}/findings/{finding['index']}/dismiss",
                                          headers=reviewer, json={"reason": "a short test plan, by design"})
            assert dismissed.status_code == 200, dismissed.text
    passed = await client.post(f"/v1/drafts/{draft_id}/pass", headers=reviewer, json={"checklist": checklist})
    assert passed.status_code == 200, passed.text
    assert await status_of(client, tenant, bundle_id) == "delivered"

    returned = await client.get(f"/v1/bundles/{bundle_id}/delivered-draft", headers=la)
    assert returned.status_code == 200
    digest = base64.b64encode(hashlib.sha256(returned.content).digest()).decode()
    assert returned.headers["repr-digest"] == f"sha-256=:{digest}:"
    returned_doc = Document(io.BytesIO(returned.content))
    assert [p.text for p in returned_doc.paragraphs][:2] == ["Section A: Views, interests and aspirations",
                                                             "Child A enjoys drawing and wants to be an artist."]
    assert returned_doc.core_properties.author == "" and returned_doc.core_properties.last_modified_by == ""

    accept = await client.post(f"/v1/bundles/{bundle_id}/accept", headers=la)
    assert accept.status_code == 200 and accept.json()["status"] == "accepted"

    month = clock.month_of(clock.now())
    finance = tenant.auth("finance")
    invoice_csv = await client.get(f"/v1/billing/months/{month}/invoices/{tenant.la.id}", headers=finance)
    assert invoice_csv.status_code == 200, invoice_csv.text
    records = list(csv.DictReader(io.StringIO(invoice_csv.text)))
    assert records[0]["record"] == "invoice" and records[0]["document_status"] == "draft"
    invoice = next(r for r in records if r["record"] == "line" and r["bundle_reference"] == "DCC-2027-0042")
    assert (invoice["net_gbp"], invoice["vat_gbp"], invoice["gross_gbp"]) == ("420.00", "84.00", "504.00")
    assert invoice["po_number"].startswith("PO-") and invoice["pages"] == "3"
    payouts_csv = await client.get(f"/v1/billing/months/{month}/payouts", headers=finance)
    payout = next(r for r in csv.DictReader(io.StringIO(payouts_csv.text))
                  if r["record"] == "line" and r["bundle_reference"] == "DCC-2027-0042")
    assert payout["net_gbp"] == "280.00" and payout["writer_id"] == str(tenant.writers[writer_key].id)

    timeline = (await client.get(f"/v1/bundles/{bundle_id}", headers=la)).json()["timeline"]
    statuses = [e["to_status"] for e in timeline if e["to_status"]]
    assert statuses == ["submitted", "screening", "queued", "offered", "allocated", "drafting", "in_qa",
                        "delivered", "accepted"]
    names = [e["name"] for e in timeline]
    assert "qa.claimed" in names and "qa.finding_dismissed" in names
    bundle = await Bundle.get(id=bundle_id)
    assert bundle.delivered_at is not None
