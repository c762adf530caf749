"""The screening job runs the identifier engine on every document and applies the contract's policy."""

from __future__ import annotations

from uuid import UUID

import httpx
import pytest

from service.intake.policy import DEFAULT_POLICY, PolicyError, lenient_policy, resolve_policy
from service.intake.screening_service import screen_bundle
from service.models import BundleStatus, Event, LaContract
from tests.factories import Tenant
from tests.files import make_docx, make_pdf
from tests.intake.support import create_bundle, detail, live_documents, submit_and_screen, upload

NHS = "943 476 5919"


async def test_a_bundle_with_a_planted_nhs_number_is_rejected_with_a_report_naming_the_page(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id = await create_bundle(client, tenant)
    pdf = make_pdf(["Advice for Child A\nCognition is a strength.",
                    "Background\nThe child's NHS number: " + NHS + " was given by the GP.",
                    "Recommendations\nSmall group literacy."])
    document_id = await upload(client, tenant, bundle_id, "ep.pdf", pdf)
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.REJECTED

    body = await detail(client, tenant, bundle_id)
    assert body["status"] == "rejected"
    [entry] = body["rejection"]["documents"]
    assert entry["document_id"] == document_id
    assert "nhs_number on page 2" in entry["reason"]
    nhs = [f for f in entry["findings"] if f["kind"] == "nhs_number"]
    assert [(f["page"], f["action"]) for f in nhs] == [(2, "block")]
    # the same findings are on the document, and neither shows the identifier itself
    assert [f["kind"] for f in body["documents"][0]["findings"]] == [f["kind"] for f in entry["findings"]]
    assert "4765919" not in str(body).replace(" ", "")
    assert "476 5919" not in str(body)


async def test_names_only_warn_the_bundle_is_queued_and_the_coordinator_sees_the_findings(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id = await create_bundle(client, tenant)
    await upload(client, tenant, bundle_id, "salt.docx", make_docx([
        "Speech and language therapy advice", "Mother: Rosalind Whitcombe attended the appointment.",
        "Child A has a receptive language difficulty."]))
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED

    seen = await detail(client, tenant, bundle_id, role="coordinator")
    findings = seen["documents"][0]["findings"]
    assert findings and {f["kind"] for f in findings} == {"person_name"}
    assert {f["action"] for f in findings} == {"warn"}
    assert "Whitcombe" not in str(findings)
    assert seen["rejection"] is None
    queued = await Event.filter(bundle_id=bundle_id, to_status="queued").first()
    assert queued is not None and queued.data["warnings"] == len(findings)


async def test_contact_details_in_a_docx_block_by_default(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id = await create_bundle(client, tenant)
    await upload(client, tenant, bundle_id, "school.docx", make_docx([
        "Advice from the school", "Contact the family on 07700 900123 or at parent.carer@example.com.",
        "The family live near LS6 2QT."]))
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.REJECTED
    [entry] = (await detail(client, tenant, bundle_id))["rejection"]["documents"]
    assert {"phone", "email", "postcode"} <= {f["kind"] for f in entry["findings"] if f["action"] == "block"}


async def test_the_contract_policy_can_make_names_block_and_postcodes_warn(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await LaContract.filter(la_id=tenant.la.id).update(screening_policy={"person_name": "block", "postcode": "warn"})
    names = await create_bundle(client, tenant, "POL-1")
    await upload(client, tenant, names, "a.docx", make_docx(["Mother: Rosalind Whitcombe", "Child A is 8."]))
    assert await submit_and_screen(client, tenant, names) == BundleStatus.REJECTED

    postcode = await create_bundle(client, tenant, "POL-2")
    await upload(client, tenant, postcode, "b.docx", make_docx(["Child A lives near LS6 2QT."]))
    assert await submit_and_screen(client, tenant, postcode) == BundleStatus.QUEUED
    [document] = await live_documents(postcode)
    assert [(f["kind"], f["action"]) for f in document.findings or []] == [("postcode", "warn")]


async def test_a_bad_policy_entry_keeps_the_default_for_that_kind(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await LaContract.filter(la_id=tenant.la.id).update(screening_policy={"nhs_number": "ignore", "email": "warn"})
    bundle_id = await create_bundle(client, tenant)
    await upload(client, tenant, bundle_id, "a.txt", f"NHS number {NHS}\nWrite to a.parent@example.com\n".encode())
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.REJECTED
    [entry] = (await detail(client, tenant, bundle_id))["rejection"]["documents"]
    assert {(f["kind"], f["action"]) for f in entry["findings"]} == {("nhs_number", "block"), ("email", "warn")}


async def test_a_clean_bundle_gets_no_findings_and_its_page_count(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id = await create_bundle(client, tenant)
    await upload(client, tenant, bundle_id, "ep.pdf", make_pdf(["Working memory is below average.", "Page two."]))
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    body = await detail(client, tenant, bundle_id)
    assert body["page_count"] == 2 and body["documents"][0]["findings"] == []
    assert await screen_bundle(UUID(bundle_id)) is None  # screened once


def test_policy_defaults_block_identifiers_and_warn_on_names() -> None:
    assert {k for k, v in DEFAULT_POLICY.items() if v == "warn"} == {"person_name", "metadata_person"}
    assert resolve_policy({"address": "warn"})["address"] == "warn"
    assert resolve_policy(None) == DEFAULT_POLICY
    with pytest.raises(PolicyError, match=r"screening_policy\.shoe_size"):
        resolve_policy({"shoe_size": "block"})
    with pytest.raises(PolicyError, match="'block' or 'warn'"):
        resolve_policy({"email": "maybe"})
    policy, problems = lenient_policy({"email": "warn", "phone": 3, "upn": "warn"})
    assert (policy["email"], policy["phone"], policy["upn"]) == ("warn", "block", "warn")
    assert len(problems) == 1


async def test_an_identifier_in_a_file_name_is_found_like_one_in_the_text(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """Writers see file names beside the documents: a name carrying an NHS number blocks, a person's name warns."""
    clean = make_pdf(["Advice for Child A\nCognition is a strength."])
    blocked = await create_bundle(client, tenant)
    await upload(client, tenant, blocked, f"EP advice NHS {NHS}.pdf", clean)
    assert await submit_and_screen(client, tenant, blocked) == BundleStatus.REJECTED
    [entry] = (await detail(client, tenant, blocked))["rejection"]["documents"]
    [finding] = entry["findings"]
    assert (finding["kind"], finding["action"]) == ("nhs_number", "block")
    assert finding["excerpt"].startswith("file name:") and "476 5919" not in finding["excerpt"]

    warned = await create_bundle(client, tenant)
    await upload(client, tenant, warned, "Jane_Smith_EP_report.pdf", clean)
    assert await submit_and_screen(client, tenant, warned) == BundleStatus.QUEUED
    [seen] = (await detail(client, tenant, warned, role="coordinator"))["documents"]
    assert [(f["kind"], f["action"]) for f in seen["findings"]] == [("person_name", "warn")]
    assert "Smith" not in seen["findings"][0]["excerpt"]
