"""Writers and QA reviewers receive only the metadata-stripped copy; the LA gets its original back."""

from __future__ import annotations

import hashlib
import io
import zipfile

import httpx
from docx import Document as WordDocument
from pypdf import PdfReader

from service.models import Bundle, BundleStatus, Document
from service.runtime import current
from tests.factories import Tenant
from tests.files import make_pdf
from tests.intake.support import (
    create_bundle,
    detail,
    docx_with_people,
    hand_to_writer,
    pdf_with_author,
    submit_and_screen,
    upload,
)

AUTHOR = "Dr Perpetua Ravenscroft"


async def test_the_writer_downloads_a_docx_with_no_author_comments_or_properties(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id = await create_bundle(client, tenant)
    original = docx_with_people(["Speech and language advice", "Child A has a receptive language difficulty."],
                                author=AUTHOR, comment_by="Ignatius Pemberton")
    document_id = await upload(client, tenant, bundle_id, "salt.docx", original)
    # the people in the metadata only warn by default: the bundle goes on, with the finding shown
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    shown = (await detail(client, tenant, bundle_id, role="coordinator"))["documents"][0]
    assert {f["kind"] for f in shown["findings"]} == {"metadata_person"}
    await hand_to_writer(tenant, bundle_id)
    # the assigned writer sees the warnings too (masked), before opening the document
    as_writer = (await detail(client, tenant, bundle_id, role="writer1"))["documents"][0]["findings"]
    assert as_writer == shown["findings"] and "Ravenscroft" not in str(as_writer)

    got = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content",
                           headers=tenant.auth("writer1"))
    assert got.status_code == 200
    assert got.content != original
    assert got.headers["x-checksum-sha256"] == hashlib.sha256(got.content).hexdigest() == shown["clean_sha256"]
    opened = WordDocument(io.BytesIO(got.content))
    assert opened.core_properties.author == "" and opened.core_properties.last_modified_by == ""
    assert "receptive language difficulty" in "\n".join(p.text for p in opened.paragraphs)
    names = zipfile.ZipFile(io.BytesIO(got.content)).namelist()
    assert not any("comments" in name for name in names)
    everything = b"".join(zipfile.ZipFile(io.BytesIO(got.content)).read(n) for n in names)
    assert b"Ravenscroft" not in everything and b"Pemberton" not in everything

    # the LA gets exactly what it sent
    mine = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content",
                            headers=tenant.auth("la_officer"))
    assert mine.content == original


async def test_the_writer_downloads_a_pdf_with_no_document_information(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id = await create_bundle(client, tenant)
    original = pdf_with_author(["Educational psychology advice", "Working memory is below average."], AUTHOR)
    assert PdfReader(io.BytesIO(original)).metadata.author == AUTHOR  # type: ignore[union-attr]
    document_id = await upload(client, tenant, bundle_id, "ep.pdf", original)
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    await hand_to_writer(tenant, bundle_id)

    got = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content",
                           headers=tenant.auth("writer1"))
    assert got.status_code == 200
    reader = PdfReader(io.BytesIO(got.content))
    assert reader.metadata is None or not reader.metadata.get("/Author")
    assert "/Metadata" not in reader.root_object
    assert b"Ravenscroft" not in got.content
    assert "Working memory" in reader.pages[1].extract_text()
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.DRAFTING


async def test_a_qa_reviewer_also_gets_only_the_stripped_copy(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id = await create_bundle(client, tenant)
    original = pdf_with_author(["Advice"], AUTHOR)
    document_id = await upload(client, tenant, bundle_id, "ep.pdf", original)
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    await Bundle.filter(id=bundle_id).update(status=BundleStatus.IN_QA, writer_id=tenant.writers["writer1"].id)
    got = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content",
                           headers=tenant.auth("qa_reviewer"))
    assert got.status_code == 200 and got.content != original
    assert b"Ravenscroft" not in got.content


async def test_without_a_stripped_copy_a_writer_gets_nothing(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id = await create_bundle(client, tenant)
    document_id = await upload(client, tenant, bundle_id, "ep.pdf", make_pdf(["Advice"]))
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    document = await Document.get(id=document_id)
    assert document.clean_key is not None and await current().storage.exists(document.clean_key)
    # a document screened before stripping existed (or whose copy was lost) is never served in the original
    await Document.filter(id=document_id).update(clean_key=None, clean_sha256=None)
    await hand_to_writer(tenant, bundle_id)
    refused = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content",
                               headers=tenant.auth("writer1"))
    assert refused.status_code == 409
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.ALLOCATED
