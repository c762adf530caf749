"""Bad input gets a typed problem and loses nothing: no half-written rows, no orphaned objects."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from service.models import Bundle, Document, Event, User
from service.runtime import current
from tests.factories import Tenant
from tests.files import DOCX, EP_REPORT, PDF, SALT_REPORT, TXT
from tests.service.test_tenancy import new_bundle


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return dict(body)


async def test_unknown_and_invalid_fields_answer_422_with_field_paths(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    la = tenant.auth("la_officer")
    body = problem(await client.post("/v1/bundles", headers=la, json={"reference": "X-1", "work_type": "novel",
                                                                        "colour": "red"}), 422)
    fields = {e["field"] for e in body["errors"]}  # type: ignore[union-attr]
    assert {"body.work_type", "body.colour"} <= fields
    body = problem(await client.get("/v1/bundles", headers=la, params={"limit": "0"}), 422)
    assert body["errors"][0]["field"] == "query.limit"  # type: ignore[index]
    body = problem(await client.get("/v1/bundles", headers=la, params={"cursor": "garbage!"}), 422)
    assert body["errors"] == [{"field": "query.cursor", "message": "not a cursor this API issued"}]
    assert not await Bundle.filter(la_id=tenant.la.id).exists()


async def test_malformed_json_is_400_malformed_json(client: httpx.AsyncClient, tenant: Tenant) -> None:
    la = tenant.auth("la_officer")
    for raw in (b"{not json", b'{"reference": "X-1",', b"\xff\xfe"):
        body = problem(await client.post("/v1/bundles", headers=la, content=raw), 400)
        assert body["type"] == "/problems/malformed-json"
    # well-formed JSON of the wrong shape is still a 422 with field paths
    body = problem(await client.post("/v1/bundles", headers=la, content=b"[1, 2]"), 422)
    assert body["errors"]
    assert not await Bundle.filter(la_id=tenant.la.id).exists()


async def test_nul_characters_answer_422_on_every_database(client: httpx.AsyncClient, tenant: Tenant) -> None:
    """Found by the API fuzzer: PostgreSQL text cannot hold NUL, so a body or query carrying one was a 500 there."""
    la = tenant.auth("la_officer")
    bundle_id, _ = await new_bundle(client, tenant, with_document=False)
    body = problem(await client.post("/v1/admin/users", headers=tenant.auth("la_admin"), json={
        "email": "nul@example.org", "name": "A\u0000B", "role": "la_officer"}), 422)
    assert "NUL" in str(body["detail"])
    assert not await User.filter(email="nul@example.org").exists()
    problem(await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep\x00.pdf"},
                              content=EP_REPORT, headers={**la, "Content-Type": PDF}), 422)
    assert await Bundle.filter(la_id=tenant.la.id).count() == 1
    assert not await Document.filter(bundle_id=bundle_id).exists()


async def test_idempotency_key_returns_the_same_bundle_or_409(client: httpx.AsyncClient, tenant: Tenant) -> None:
    la = {**tenant.auth("la_officer"), "Idempotency-Key": "same-key"}
    first = await client.post("/v1/bundles", headers=la, json={"reference": "IDEM-1", "work_type": "new_plan"})
    again = await client.post("/v1/bundles", headers=la, json={"work_type": "new_plan", "reference": "IDEM-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    problem(await client.post("/v1/bundles", headers=la, json={"reference": "IDEM-2", "work_type": "new_plan"}), 409)
    assert await Bundle.filter(la_id=tenant.la.id).count() == 1
    # another LA may use the same key for its own bundle
    assert (await client.post("/v1/bundles", headers={**la, **tenant.auth("la_admin")},
                              json={"reference": "IDEM-1", "work_type": "new_plan"})).status_code == 200


async def _stored_keys() -> set[str]:
    settings = current().settings
    if settings.storage == "local":
        return {p.relative_to(settings.storage_dir).as_posix() for p in settings.storage_dir.rglob("*") if p.is_file()}
    import boto3

    s3 = boto3.client("s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region,
                      aws_access_key_id=settings.s3_access_key_id,
                      aws_secret_access_key=settings.s3_secret_access_key.get_secret_value())  # type: ignore[union-attr]
    listing = s3.list_objects_v2(Bucket=settings.s3_bucket)
    return {o["Key"] for o in listing.get("Contents", [])}


async def test_over_cap_upload_is_413_before_reading_and_leaves_nothing(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id, _ = await new_bundle(client, tenant, with_document=False)
    la = tenant.auth("la_officer")
    before = await _stored_keys()
    limit = current().settings.max_document_bytes
    read = 0

    async def endless() -> object:
        nonlocal read
        chunk = b"%PDF-1.7\n" + b"0" * (1024 * 1024)
        while read < limit * 3:
            read += len(chunk)
            yield chunk

    # declared length over the cap: refused from the header alone
    response = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "big.pdf"},
                                 content=endless(), headers={**la, "Content-Type": PDF,
                                                             "Content-Length": str(limit + 1)})
    problem(response, 413)
    assert read <= 2 * 1024 * 1024
    # no declared length: refused while streaming, as soon as the cap is passed
    read = 0
    response = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "big.pdf"},
                                 content=endless(), headers={**la, "Content-Type": PDF})
    problem(response, 413)
    assert read < limit + 4 * 1024 * 1024
    assert not await Document.filter(bundle_id=bundle_id).exists()
    assert await _stored_keys() == before


async def test_disallowed_or_lying_content_is_415_and_leaves_nothing(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id, _ = await new_bundle(client, tenant, with_document=False)
    la = tenant.auth("la_officer")
    before = await _stored_keys()
    url = f"/v1/bundles/{bundle_id}/documents"
    problem(await client.post(url, params={"filename": "x.png"}, content=b"\x89PNG....",
                              headers={**la, "Content-Type": "image/png"}), 415)
    # says PDF, is a DOCX
    problem(await client.post(url, params={"filename": "x.pdf"}, content=SALT_REPORT,
                              headers={**la, "Content-Type": PDF}), 415)
    # a PDF named .docx
    problem(await client.post(url, params={"filename": "x.docx"}, content=EP_REPORT,
                              headers={**la, "Content-Type": PDF}), 415)
    # binary junk declared as text
    problem(await client.post(url, params={"filename": "x.txt"}, content=b"\x00\x01\x02binary",
                              headers={**la, "Content-Type": TXT}), 415)
    assert not await Document.filter(bundle_id=bundle_id).exists()
    assert await _stored_keys() == before
    ok = await client.post(url, params={"filename": "notes.txt"}, content=b"Plain notes about Child A.",
                           headers={**la, "Content-Type": TXT})
    assert ok.status_code == 201
    assert ok.json()["sha256"] == hashlib.sha256(b"Plain notes about Child A.").hexdigest()


async def test_an_upload_sent_as_octet_stream_is_typed_by_its_content_and_still_checked(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """Generated clients send a binary body as application/octet-stream: the content decides the type, and the
    name must still agree with it; what is not an accepted type is 415 and leaves nothing."""
    bundle_id, _ = await new_bundle(client, tenant, with_document=False)
    la = {**tenant.auth("la_officer"), "Content-Type": "application/octet-stream"}
    url = f"/v1/bundles/{bundle_id}/documents"
    before = await _stored_keys()
    problem(await client.post(url, params={"filename": "x.png"}, content=b"\x89PNG....", headers=la), 415)
    problem(await client.post(url, params={"filename": "x.docx"}, content=EP_REPORT, headers=la), 415)
    assert await _stored_keys() == before
    ok = await client.post(url, params={"filename": "advice.pdf"}, content=EP_REPORT, headers=la)
    assert ok.status_code == 201, ok.text
    assert ok.json()["media_type"] == PDF and ok.json()["kind"] == "pdf"
    problem(await client.post(url, params={"filename": "x.pdf"}, content=EP_REPORT,
                              headers={**la, "Content-Type": "application/zip"}), 415)


async def test_unknown_ids_are_404(client: httpx.AsyncClient, tenant: Tenant) -> None:
    la = tenant.auth("la_officer")
    problem(await client.get("/v1/bundles/00000000-0000-4000-8000-00000000dead", headers=la), 404)
    problem(await client.get("/v1/no/such/route", headers=la), 404)
    problem(await client.post("/v1/offers/00000000-0000-4000-8000-00000000dead/accept",
                              headers=tenant.auth("writer1")), 404)


async def test_a_transition_not_allowed_is_409_naming_the_status(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id, _ = await new_bundle(client, tenant)
    la = tenant.auth("la_officer")
    body = problem(await client.post(f"/v1/bundles/{bundle_id}/accept", headers=la), 409)
    assert body["current_status"] == "draft" and "draft" in str(body["detail"])
    assert (await client.post(f"/v1/bundles/{bundle_id}/cancel", headers=la)).status_code == 200
    body = problem(await client.post(f"/v1/bundles/{bundle_id}/submit", headers=la), 409)
    assert body["current_status"] == "cancelled"
    body = problem(await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "a.pdf"},
                                     content=EP_REPORT, headers={**la, "Content-Type": PDF}), 409)
    assert body["current_status"] == "cancelled"
    assert [e.to_status for e in await Event.filter(bundle_id=bundle_id).order_by("id")
            if e.to_status] == ["cancelled"]


async def test_submitting_with_no_documents_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id, _ = await new_bundle(client, tenant, with_document=False)
    problem(await client.post(f"/v1/bundles/{bundle_id}/submit", headers=tenant.auth("la_officer")), 409)


async def test_the_list_pages_with_a_cursor_and_filters_by_status(client: httpx.AsyncClient, tenant: Tenant) -> None:
    la = tenant.auth("la_officer")
    ids = [(await client.post("/v1/bundles", headers=la, json={"reference": f"P-{n}", "work_type": "new_plan"}))
           .json()["id"] for n in range(5)]
    await client.post(f"/v1/bundles/{ids[0]}/cancel", headers=la)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/bundles", headers=la, params=params)).json()
        seen += [b["id"] for b in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    cancelled = (await client.get("/v1/bundles", headers=la, params={"status": "cancelled"})).json()["items"]
    assert [b["id"] for b in cancelled] == [ids[0]]
    problem(await client.get("/v1/bundles", headers=la, params={"status": "lost"}), 422)


async def test_a_draft_must_be_a_docx_and_leaves_nothing_when_refused(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    from service.models import Bundle, BundleStatus, Draft

    bundle_id, _ = await new_bundle(client, tenant, with_document=False)
    await Bundle.filter(id=bundle_id).update(status=BundleStatus.DRAFTING, writer_id=tenant.writers["writer1"].id)
    before = await _stored_keys()
    writer = tenant.auth("writer1")
    url = f"/v1/bundles/{bundle_id}/drafts"
    problem(await client.post(url, params={"filename": "d.pdf"}, content=EP_REPORT,
                              headers={**writer, "Content-Type": PDF}), 415)
    problem(await client.post(url, params={"filename": "d.docx"}, content=EP_REPORT,
                              headers={**writer, "Content-Type": DOCX}), 415)
    assert not await Draft.filter(bundle_id=bundle_id).exists()
    assert await _stored_keys() == before
    # another writer of the same service cannot upload to it at all
    problem(await client.post(url, params={"filename": "d.docx"}, content=SALT_REPORT,
                              headers={**tenant.auth("writer2"), "Content-Type": DOCX}), 404)


async def test_a_tampered_stored_document_is_refused_not_served(client: httpx.AsyncClient, tenant: Tenant) -> None:
    from service.models import AuditEntry

    bundle_id, document_id = await new_bundle(client, tenant)
    document = await Document.get(id=document_id)
    await Document.filter(id=document_id).update(sha256="0" * 64)  # the recorded hash no longer matches the bytes
    response = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content",
                                headers=tenant.auth("la_officer"))
    problem(response, 503)
    assert await AuditEntry.filter(object_id=str(document.id), action="document.download").exists()


async def test_the_allowed_document_types_are_configurable(client: httpx.AsyncClient, tenant: Tenant) -> None:
    from tests.intake.support import settings_changed

    bundle_id, _ = await new_bundle(client, tenant, with_document=False)
    la = tenant.auth("la_officer")
    with settings_changed(document_types=frozenset({"pdf"})):
        refused = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "salt.docx"},
                                    content=SALT_REPORT, headers={**la, "Content-Type": DOCX})
        problem(refused, 415)
        assert "application/pdf" in refused.json()["detail"]
        accepted = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep.pdf"},
                                     content=EP_REPORT, headers={**la, "Content-Type": PDF})
        assert accepted.status_code == 201


async def test_a_database_connection_lost_under_a_request_is_a_retryable_503(
    client: httpx.AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncpg

    from service.bundles import service

    async def lost(*args: object, **kwargs: object) -> None:
        raise asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation")

    monkeypatch.setattr(service, "list_bundles", lost)
    response = await client.get("/v1/bundles", headers=tenant.auth("la_officer"))
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "database" in response.json()["detail"]


async def test_numbers_too_big_for_the_database_are_not_found_or_refused_not_a_500(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    huge = str(2**64)
    credit = await client.post(f"/v1/billing/lines/{huge}/credit", headers=tenant.auth("finance"),
                               json={"reason": "typo"})
    assert credit.status_code == 404, credit.text
    export = await client.get("/v1/audit/export", params={"after": huge}, headers=tenant.auth("la_admin"))
    assert export.status_code == 422, export.text


async def test_a_report_period_off_the_calendar_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for params in ({"to": "0001-01-05"}, {"from": "9999-12-31"}):
        response = await client.get("/v1/reports/turnaround", params=params, headers=tenant.auth("coordinator"))
        assert response.status_code == 422, response.text
