"""QA review, through the service: claim, dismiss a finding with a reason, pass with the checklist, or return."""

from __future__ import annotations

import pydantic
import pytest

from contracts.api import DismissFinding, FrontSheetIn
from service.drafts import service as drafts
from service.errors import Conflict, InvalidInput
from service.models import Bundle, BundleStatus, Draft, DraftStatus, QaReview, ReviewOutcome
from service.reviews import service as reviews
from tests.factories import Tenant, bundle_in, chunks_of, principal
from tests.files import DOCX
from tests.qa.conftest import clean_sections
from tests.qa.drafting import write_draft

CHECKLIST = dict.fromkeys(reviews.MANUAL_ITEMS, True)


async def _in_qa(tenant: Tenant, *, front_sheet: bool = True) -> Draft:
    """A clean draft uploaded by writer1; without a front sheet it carries one error finding."""
    bundle = await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1")
    writer = await principal(tenant, "writer1")
    if front_sheet:
        await drafts.set_front_sheet(writer, bundle.id, FrontSheetIn(notes="Drafted from the full bundle."))
    return await drafts.upload(writer, bundle.id, chunks_of(write_draft(clean_sections())), filename="plan.docx",
                               content_type=DOCX)


async def test_a_draft_is_claimed_by_one_reviewer_only(tenant: Tenant) -> None:
    draft = await _in_qa(tenant)
    reviewer = await principal(tenant, "qa_reviewer")
    claimed = await reviews.claim(reviewer, draft.id)
    assert claimed.reviewer_id == reviewer.user_id  # type: ignore[attr-defined]
    assert (await reviews.claim(reviewer, draft.id)).id == draft.id  # claiming again is harmless
    with pytest.raises(Conflict, match="another reviewer"):
        await reviews.claim(await principal(tenant, "admin"), draft.id)


async def test_a_draft_must_be_claimed_before_it_is_reviewed(tenant: Tenant) -> None:
    draft = await _in_qa(tenant)
    with pytest.raises(Conflict, match="claim the draft"):
        await reviews.pass_draft(await principal(tenant, "qa_reviewer"), draft.id, CHECKLIST)


async def test_an_error_finding_blocks_the_pass_until_dismissed_with_its_reason(tenant: Tenant) -> None:
    draft = await _in_qa(tenant, front_sheet=False)
    reviewer = await principal(tenant, "qa_reviewer")
    await reviews.claim(reviewer, draft.id)
    with pytest.raises(Conflict, match="front_sheet_missing"):
        await reviews.pass_draft(reviewer, draft.id, CHECKLIST)
    [error] = [f for f in reviews.findings_of(draft) if f["severity"] == "error"]
    dismissed = await reviews.dismiss(reviewer, draft.id, error["index"], "front sheet sent by e-mail")
    assert reviews.findings_of(dismissed)[error["index"]]["dismissal_reason"] == "front sheet sent by e-mail"
    passed = await reviews.pass_draft(reviewer, draft.id, CHECKLIST)
    assert passed.status == DraftStatus.PASSED


def test_a_dismissal_needs_a_reason() -> None:
    with pytest.raises(pydantic.ValidationError):
        DismissFinding(reason="")
    assert DismissFinding(reason="the LA asked for this wording").reason


async def test_passing_needs_every_manual_item_confirmed_and_then_delivers(tenant: Tenant) -> None:
    draft = await _in_qa(tenant)
    reviewer = await principal(tenant, "qa_reviewer")
    await reviews.claim(reviewer, draft.id)
    with pytest.raises(InvalidInput, match="plain_language"):
        await reviews.pass_draft(reviewer, draft.id, {**CHECKLIST, "plain_language": False})
    passed = await reviews.pass_draft(reviewer, draft.id, CHECKLIST)
    assert passed.status == DraftStatus.PASSED
    assert passed.delivered_key  # the LA's copy, without author metadata
    bundle = await Bundle.get(id=draft.bundle_id)  # type: ignore[attr-defined]
    assert bundle.status == BundleStatus.DELIVERED and bundle.delivered_at is not None
    assert await QaReview.filter(draft_id=draft.id, outcome=ReviewOutcome.PASS).count() == 1


async def test_returning_a_draft_sends_the_bundle_back_to_the_writer(tenant: Tenant) -> None:
    draft = await _in_qa(tenant)
    reviewer = await principal(tenant, "qa_reviewer")
    await reviews.claim(reviewer, draft.id)
    returned = await reviews.return_draft(reviewer, draft.id, "Section F needs frequencies.")
    assert returned.status == DraftStatus.RETURNED
    assert (await Bundle.get(id=draft.bundle_id)).status == BundleStatus.RETURNED  # type: ignore[attr-defined]
    review = await QaReview.get(draft_id=draft.id)
    assert (review.outcome, review.comments) == (ReviewOutcome.RETURN, "Section F needs frequencies.")
    with pytest.raises(Conflict):
        await reviews.pass_draft(reviewer, draft.id, CHECKLIST)  # reviewed once only
