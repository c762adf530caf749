"""Drafts, through the service: the writer holding the bundle uploads a DOCX, the QA checks run, the bundle is in QA."""

from __future__ import annotations

import pytest

from contracts.api import FrontSheetIn
from service.drafts import service as drafts
from service.errors import Conflict, NotFound
from service.models import Bundle, BundleStatus, Draft, DraftStatus, Event
from tests.factories import Tenant, bundle_in, chunks_of, principal
from tests.files import DOCX, make_docx
from tests.qa.conftest import clean_sections
from tests.qa.drafting import write_draft

SHEET = FrontSheetIn(queries=[], missing_advice=[], notes="Drafted from the full bundle.")


async def test_uploading_a_draft_moves_the_bundle_to_qa_with_the_check_findings(tenant: Tenant) -> None:
    bundle = await bundle_in(tenant, BundleStatus.ALLOCATED, writer="writer1")
    writer = await principal(tenant, "writer1")
    await drafts.set_front_sheet(writer, bundle.id, SHEET)
    draft = await drafts.upload(writer, bundle.id, chunks_of(write_draft(clean_sections())),
                                filename="plan.docx", content_type=DOCX)
    await bundle.refresh_from_db()
    assert bundle.status == BundleStatus.IN_QA
    assert (draft.cycle, draft.status, draft.writer_id) == (1, DraftStatus.IN_QA, tenant.writers["writer1"].id)  # type: ignore[attr-defined]
    assert not [f for f in draft.qa_findings if f["severity"] == "error"]
    assert draft.front_sheet == SHEET.model_dump()
    moves = await Event.filter(bundle_id=bundle.id, to_status__isnull=False).order_by("id").values_list(
        "to_status", flat=True)
    assert moves[-2:] == [BundleStatus.DRAFTING.value, BundleStatus.IN_QA.value]  # allocated -> drafting -> in_qa


async def test_a_draft_without_a_front_sheet_carries_that_error_into_qa(tenant: Tenant) -> None:
    bundle = await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1")
    draft = await drafts.upload(await principal(tenant, "writer1"), bundle.id,
                                chunks_of(write_draft(clean_sections())), filename="plan.docx", content_type=DOCX)
    assert [f["check"] for f in draft.qa_findings if f["severity"] == "error"] == ["front_sheet_missing"]


async def test_a_returned_draft_is_uploaded_again_as_the_next_cycle(tenant: Tenant) -> None:
    bundle = await bundle_in(tenant, BundleStatus.RETURNED, writer="writer1")
    await Draft.create(bundle=bundle, writer=tenant.writers["writer1"], cycle=1, filename="v1.docx", size=1,
                       sha256="0" * 64, storage_key="", status=DraftStatus.RETURNED, qa_findings=[])
    draft = await drafts.upload(await principal(tenant, "writer1"), bundle.id, chunks_of(make_docx(["Section A"])),
                                filename="v2.docx", content_type=DOCX)
    assert draft.cycle == 2


async def test_only_the_writer_holding_the_bundle_uploads_and_only_while_writing(tenant: Tenant) -> None:
    held = await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1")
    with pytest.raises(NotFound):
        await drafts.upload(await principal(tenant, "writer2"), held.id, chunks_of(make_docx(["x"])),
                            filename="plan.docx", content_type=DOCX)
    in_qa = await bundle_in(tenant, BundleStatus.IN_QA, writer="writer1")
    with pytest.raises(Conflict, match="in_qa"):
        await drafts.upload(await principal(tenant, "writer1"), in_qa.id, chunks_of(make_docx(["x"])),
                            filename="plan.docx", content_type=DOCX)
    assert not await Draft.filter(bundle_id__in=[held.id, in_qa.id]).exists()
    assert (await Bundle.get(id=held.id)).status == BundleStatus.DRAFTING
