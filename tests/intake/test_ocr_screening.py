"""Scanned pages and pictures through the API: read by OCR in the screening job, judged by the contract's policy,
unreadable pages blocked until the LA confirms them (audited), and the writer's copy blanking pictures with findings.
"""

from __future__ import annotations

import io
import zipfile
from uuid import UUID

import httpx
import pytest
from PIL import Image

from service.intake.screening_service import screen_bundle
from service.models import AuditEntry, Bundle, BundleStatus, Event, LaContract
from service.runtime import current
from service.screening import ocr
from service.screening.ocr import OcrUnavailable
from tests.factories import Tenant
from tests.intake.support import create_bundle, detail, live_documents, settings_changed, submit_and_screen, upload
from tests.screening.scans import OLIVER, docx_pictures, scanned_pdf, scrawl, typed


async def clean_copy(bundle_id: str) -> bytes:
    [document] = await live_documents(bundle_id)
    assert document.clean_key is not None
    return await current().storage.read_bytes(document.clean_key, expected_sha256=document.clean_sha256)


def picture_is_blank(docx: bytes, part: str) -> bool:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return bool(Image.open(io.BytesIO(archive.read(part))).convert("L").getextrema()[0] >= 250)


async def test_a_scanned_report_is_read_and_rejected_with_ocr_findings(client: httpx.AsyncClient,
                                                                       tenant: Tenant) -> None:
    bundle_id = await create_bundle(client, tenant)
    await upload(client, tenant, bundle_id, "scanned-ep.pdf", scanned_pdf([typed([OLIVER], full_page=True)]))
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.REJECTED
    body = await detail(client, tenant, bundle_id)
    [entry] = body["rejection"]["documents"]
    assert "nhs_number on page 1" in entry["reason"]
    blocked = {(f["kind"], f["source"]) for f in entry["findings"] if f["action"] == "block"}
    assert {("nhs_number", "ocr"), ("postcode", "ocr"), ("address", "ocr")} <= blocked
    assert all("5919" not in f["excerpt"] for f in entry["findings"])
    assert {f["source"] for f in body["documents"][0]["findings"]} == {"ocr"}


async def test_a_picture_with_a_name_warns_and_is_blanked_in_the_writers_copy(client: httpx.AsyncClient,
                                                                              tenant: Tenant) -> None:
    bundle_id = await create_bundle(client, tenant)
    data = docx_pictures(["Advice for Child A", "Child A enjoys swimming."],
                         [typed(["Mother: Rosalind Whitcombe"]), typed(["Child A likes drawing."])])
    await upload(client, tenant, bundle_id, "home.docx", data)
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    [document] = (await detail(client, tenant, bundle_id))["documents"]
    assert [(f["kind"], f["action"], f["source"], f["picture"]) for f in document["findings"]] == [
        ("person_name", "warn", "ocr", "word/media/image1.jpg")]
    copy = await clean_copy(bundle_id)
    assert picture_is_blank(copy, "word/media/image1.jpg")
    assert not picture_is_blank(copy, "word/media/image2.jpg")


async def test_unreadable_content_blocks_by_default_and_warns_when_the_contract_says(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    data = docx_pictures(["Advice for Child A"], [scrawl()])
    blocked = await create_bundle(client, tenant, "UNR-1")
    await upload(client, tenant, blocked, "notes.docx", data)
    assert await submit_and_screen(client, tenant, blocked) == BundleStatus.REJECTED
    [entry] = (await detail(client, tenant, blocked))["rejection"]["documents"]
    assert [(f["kind"], f["page"], f["action"]) for f in entry["findings"]] == [("unreadable_content", 1, "block")]
    assert "unreadable_content on page 1" in entry["reason"]

    await LaContract.filter(la_id=tenant.la.id).update(screening_policy={"unreadable_content": "warn"})
    warned = await create_bundle(client, tenant, "UNR-2")
    await upload(client, tenant, warned, "notes.docx", data)
    assert await submit_and_screen(client, tenant, warned) == BundleStatus.QUEUED
    [document] = (await detail(client, tenant, warned))["documents"]
    assert [(f["kind"], f["action"]) for f in document["findings"]] == [("unreadable_content", "warn")]
    assert picture_is_blank(await clean_copy(warned), "word/media/image1.jpg")  # nobody vouched for it


async def test_the_la_confirms_an_unreadable_page_and_the_confirmation_is_audited(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id = await create_bundle(client, tenant, "UNR-3")
    document_id = await upload(client, tenant, bundle_id, "notes.docx", docx_pictures(["Child A"], [scrawl()]))
    url = f"/v1/bundles/{bundle_id}/documents/{document_id}/unreadable-confirmations"
    early = await client.post(url, headers=tenant.auth("la_officer"), json={"pages": [1], "holds_no_identifiers": True})
    assert early.status_code == 409  # nothing screened yet
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.REJECTED

    writer = await client.post(url, headers=tenant.auth("writer"), json={"pages": [1], "holds_no_identifiers": True})
    assert writer.status_code == 403
    wrong = await client.post(url, headers=tenant.auth("la_officer"), json={"pages": [2], "holds_no_identifiers": True})
    assert wrong.status_code == 422 and wrong.headers["content-type"].startswith("application/problem+json")
    assert "page 2" in wrong.json()["detail"]
    unsure = await client.post(url, headers=tenant.auth("la_officer"), json={"pages": [1],
                                                                              "holds_no_identifiers": False})
    assert unsure.status_code == 422

    confirmed = await client.post(url, headers=tenant.auth("la_officer"),
                                  json={"pages": [1], "holds_no_identifiers": True})
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json() == {"document_id": document_id, "pages": [1]}
    entry = await AuditEntry.filter(action="document.unreadable_confirmed", bundle_id=bundle_id).first()
    assert entry is not None and entry.actor_id == tenant.users["la_officer"].id
    assert entry.data["pages"] == [1] and entry.object_id == document_id
    assert await Event.filter(bundle_id=bundle_id, name="document.unreadable_confirmed").exists()

    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    [document] = (await detail(client, tenant, bundle_id))["documents"]
    assert [(f["kind"], f["action"], f["confirmed"]) for f in document["findings"]] == [
        ("unreadable_content", "warn", True)]
    assert not picture_is_blank(await clean_copy(bundle_id), "word/media/image1.jpg")  # the LA vouched for it


async def test_without_an_ocr_engine_screening_fails_and_the_bundle_waits(
    client: httpx.AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(threads: int) -> None:
        raise OcrUnavailable("the OCR engine (rapidocr) is not installed")

    bundle_id = await create_bundle(client, tenant, "UNR-4")
    await upload(client, tenant, bundle_id, "scan.pdf", scanned_pdf([typed(["Child A"], full_page=True)]))
    monkeypatch.setattr(ocr, "_engine", missing)
    with pytest.raises(OcrUnavailable):
        await submit_and_screen(client, tenant, bundle_id)
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.SCREENING
    monkeypatch.undo()
    assert await screen_bundle(UUID(bundle_id)) == BundleStatus.QUEUED


async def test_a_bundle_past_its_ocr_budget_is_rejected_not_held_or_passed(client: httpx.AsyncClient,
                                                                           tenant: Tenant) -> None:
    """A bundle too long to read within the job's limit ends with the pages not read reported, within the limit."""
    bundle_id = await create_bundle(client, tenant, "UNR-5")
    await upload(client, tenant, bundle_id, "long.pdf", scanned_pdf([typed(["Child A"], full_page=True)] * 3))
    with settings_changed(ocr_bundle_seconds=0.001):
        assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.REJECTED
    [entry] = (await detail(client, tenant, bundle_id))["rejection"]["documents"]
    assert [(f["page"], f["kind"]) for f in entry["findings"]] == [(n, "unreadable_content") for n in (1, 2, 3)]
    assert all("time limit" in f["excerpt"] for f in entry["findings"])
