"""The automated QA job on an uploaded draft: runs the QA engine on its bytes and stores the findings."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from service.models import Draft, DraftStatus
from service.runtime import current


async def check_draft(draft_id: UUID) -> None:
    draft = await Draft.filter(id=draft_id, qa_findings__isnull=True).first()
    if draft is None or draft.status != DraftStatus.IN_QA:
        return  # already checked, or reviewed meanwhile
    data = await current().storage.read_bytes(draft.storage_key, expected_sha256=draft.sha256)
    findings = run_qa(data, draft.front_sheet)
    await Draft.filter(id=draft.id, qa_findings__isnull=True).update(qa_findings=findings)


def run_qa(data: bytes, front_sheet: dict[str, object] | None) -> list[dict[str, object]]:
    """The same engine as `planwright qa`, on the stored bytes; an unreadable draft is itself a finding."""
    from contracts.qa import FrontSheet
    from service.qa.checks import run_checks
    from service.qa.template import UnreadableDraft, read_plan

    try:
        plan = read_plan(data)
    except UnreadableDraft as exc:
        return [{"check": "unreadable", "severity": "error", "section": None, "excerpt": "", "message": exc.reason}]
    sheet = FrontSheet.model_validate(front_sheet) if front_sheet is not None else None
    return [asdict(finding) for finding in run_checks(plan, sheet)]
