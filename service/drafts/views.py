"""Draft serialisers: a draft row into its API body, and the QA reviewer's sheet for it."""

from __future__ import annotations

from datetime import datetime

from contracts.api import ChecklistItem, DismissalOut, DraftOut, FindingOut, ProvisionOut, ReviewSheet
from service.models import Draft
from service.reviews import service as reviews


def draft_out(d: Draft) -> DraftOut:
    return DraftOut(id=d.id, bundle_id=d.bundle_id, cycle=d.cycle, status=d.status.value, size=d.size,  # type: ignore[attr-defined]
                    sha256=d.sha256, qa_findings=d.qa_findings, created_at=d.created_at,
                    rendition_sha256=d.rendition_sha256, dismissals=_dismissals(d))


def _dismissals(d: Draft) -> list[DismissalOut]:
    findings = d.qa_findings or []
    return [DismissalOut(index=int(index), reason=given["reason"], at=datetime.fromisoformat(given["at"]),
                         check=str(findings[int(index)].get("check")) if int(index) < len(findings) else None)
            for index, given in sorted((d.dismissals or {}).items(), key=lambda item: int(item[0]))]


def review_sheet_out(draft: Draft) -> ReviewSheet:
    return ReviewSheet(
        draft=draft_out(draft), front_sheet=draft.front_sheet,
        findings=[FindingOut(**f) for f in reviews.findings_of(draft)],
        manual_items=[ChecklistItem(key=k, text=t) for k, t in reviews.MANUAL_ITEMS.items()],
        provision=None if draft.qa_provision is None else [ProvisionOut.model_validate(p) for p in draft.qa_provision],
    )
