"""Draft serialisers: a draft row into its API body, and the QA reviewer's sheet for it."""

from __future__ import annotations

from contracts.api import ChecklistItem, DraftOut, FindingOut, ReviewSheet
from service.models import Draft
from service.reviews import service as reviews


def draft_out(d: Draft) -> DraftOut:
    return DraftOut(id=d.id, bundle_id=d.bundle_id, cycle=d.cycle, status=d.status.value, size=d.size,  # type: ignore[attr-defined]
                    sha256=d.sha256, qa_findings=d.qa_findings, created_at=d.created_at,
                    rendition_sha256=d.rendition_sha256)


def review_sheet_out(draft: Draft) -> ReviewSheet:
    return ReviewSheet(
        draft=draft_out(draft), front_sheet=draft.front_sheet,
        findings=[FindingOut(**f) for f in reviews.findings_of(draft)],
        manual_items=[ChecklistItem(key=k, text=t) for k, t in reviews.MANUAL_ITEMS.items()],
    )
