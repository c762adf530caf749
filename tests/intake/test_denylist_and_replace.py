"""The LA's deny-list flags its real identifiers without disclosing them; the LA replaces a flagged document."""

from __future__ import annotations

import json

import httpx

from service.models import Bundle, BundleStatus, Document, Event
from service.runtime import current
from service.screening.denylist import make_denylist
from tests.factories import Tenant
from tests.files import DOCX, PDF, make_docx, make_pdf
from tests.intake.support import create_bundle, detail, submit_and_screen, upload

SCHOOL = "Thistlewood Academy"


async def test_a_listed_identifier_rejects_the_bundle_and_the_plain_value_is_never_stored(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    la = tenant.auth("la_officer")
    bundle_id = await create_bundle(client, tenant)
    await upload(client, tenant, bundle_id, "ep.pdf", make_pdf(["Child A attends " + SCHOOL + " in Year 4."]))
    deny = make_denylist([SCHOOL, "Quentin Abernathy-Lowe"])
    attached = await client.put(f"/v1/bundles/{bundle_id}/deny-list", headers=la, json=deny)
    assert attached.status_code == 200, attached.text
    assert attached.json() == {"bundle_id": bundle_id, "hashes": 2}
    assert (await detail(client, tenant, bundle_id))["deny_list_hashes"] == 2

    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.REJECTED
    [entry] = (await detail(client, tenant, bundle_id))["rejection"]["documents"]
    listed = [f for f in entry["findings"] if f["kind"] == "denylisted"]
    assert listed and listed[0]["page"] == 1 and listed[0]["action"] == "block"
    assert "Thistlewood Academy" not in json.dumps(entry)
    stored = await Bundle.get(id=bundle_id)
    assert "thistlewood" not in json.dumps(stored.deny_list).lower()
    timeline = [e.name for e in await Event.filter(bundle_id=bundle_id)]
    assert "deny_list.attached" in timeline


async def test_the_deny_list_is_validated_and_only_the_la_may_attach_it_before_submission(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    la = tenant.auth("la_officer")
    bundle_id = await create_bundle(client, tenant)
    url = f"/v1/bundles/{bundle_id}/deny-list"
    good = make_denylist(["Quentin Abernathy-Lowe"])
    not_hex = await client.put(url, headers=la, json={"salt": "zz", "hashes": good["hashes"]})
    assert not_hex.status_code == 422 and "body.salt" in not_hex.text
    short = await client.put(url, headers=la, json={"salt": good["salt"], "hashes": ["abc123"]})
    assert short.status_code == 422 and "body.hashes.0" in short.text
    plain = await client.put(url, headers=la, json={**good, "values": ["Quentin"]})
    assert plain.status_code == 422
    assert (await client.put(url, headers=tenant.auth("coordinator"), json=good)).status_code == 403

    await upload(client, tenant, bundle_id, "ep.pdf", make_pdf(["Nothing identifying here."]))
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    late = await client.put(url, headers=la, json=good)
    assert late.status_code == 409 and late.json()["current_status"] == "queued"


async def test_the_deny_list_can_be_removed_while_draft(client: httpx.AsyncClient, tenant: Tenant) -> None:
    la = tenant.auth("la_officer")
    bundle_id = await create_bundle(client, tenant)
    await client.put(f"/v1/bundles/{bundle_id}/deny-list", headers=la, json=make_denylist([SCHOOL]))
    removed = await client.delete(f"/v1/bundles/{bundle_id}/deny-list", headers=la)
    assert removed.status_code == 204
    assert (await Bundle.get(id=bundle_id)).deny_list is None
    await upload(client, tenant, bundle_id, "ep.pdf", make_pdf([f"Child A attends {SCHOOL}."]))
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED


async def test_the_la_replaces_a_flagged_document_the_old_one_is_deleted_and_the_resubmission_passes(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    la = tenant.auth("la_officer")
    bundle_id = await create_bundle(client, tenant)
    flagged = make_docx(["Advice", "NHS number 943 476 5919", "Child A needs support with reading."])
    old_id = await upload(client, tenant, bundle_id, "advice.docx", flagged)
    kept_id = await upload(client, tenant, bundle_id, "ep.pdf", make_pdf(["Working memory is below average."]))
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.REJECTED
    old = await Document.get(id=old_id)

    fixed = make_docx(["Advice", "Child A needs support with reading."])
    replaced = await client.put(f"/v1/bundles/{bundle_id}/documents/{old_id}/content",
                                params={"filename": "advice.docx"}, content=fixed,
                                headers={**la, "Content-Type": DOCX})
    assert replaced.status_code == 201, replaced.text
    new_id = replaced.json()["id"]
    assert new_id != old_id

    assert not await current().storage.exists(old.storage_key)
    tombstone = await Document.get(id=old_id)
    assert tombstone.deleted_at is not None
    event = await Event.filter(bundle_id=bundle_id, name="document.replaced").first()
    assert event is not None and event.data["replaces"] == old_id and event.data["document_id"] == new_id
    body = await detail(client, tenant, bundle_id)
    assert {d["id"] for d in body["documents"]} == {kept_id, new_id}
    gone = await client.get(f"/v1/bundles/{bundle_id}/documents/{old_id}/content", headers=la)
    assert gone.status_code == 404

    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    assert (await detail(client, tenant, bundle_id))["rejection"] is None


async def test_a_document_cannot_be_replaced_once_queued_or_with_the_wrong_type(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    la = tenant.auth("la_officer")
    bundle_id = await create_bundle(client, tenant)
    document_id = await upload(client, tenant, bundle_id, "ep.pdf", make_pdf(["Reading is a strength."]))
    url = f"/v1/bundles/{bundle_id}/documents/{document_id}/content"
    mismatched = await client.put(url, params={"filename": "ep.pdf"}, content=b"plain words\n",
                                  headers={**la, "Content-Type": PDF})
    assert mismatched.status_code == 415
    assert (await Document.get(id=document_id)).deleted_at is None  # the old version is kept on failure
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    late = await client.put(url, params={"filename": "ep.pdf"}, content=make_pdf(["x"]),
                            headers={**la, "Content-Type": PDF})
    assert late.status_code == 409
    other = await client.put(url, params={"filename": "ep.pdf"}, content=make_pdf(["x"]),
                             headers={**tenant.auth("writer1"), "Content-Type": PDF})
    assert other.status_code == 403
