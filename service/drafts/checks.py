"""The automated QA checks on an uploaded draft's bytes: the same engine as `planwright qa`."""

from __future__ import annotations

from dataclasses import asdict
from typing import NamedTuple


class DraftQa(NamedTuple):
    """The findings, and each item of provision in F and G with its source (as stored on the draft)."""

    findings: list[dict[str, object]]
    provision: list[dict[str, object]]


def run_qa(
    data: bytes,
    front_sheet: dict[str, object] | None,
    template: dict[str, object] | None = None,
    advice: list[tuple[str, str, list[str]]] | None = None,
) -> DraftQa:
    """The same engine as `planwright qa`, on the stored bytes, read with the template profile the LA's
    contract names (None: the best-fitting shipped one), each item of provision traced to the bundle's advice
    ((document id, name, pages); None: not traced); an unreadable draft is itself a finding."""
    from contracts.qa import FrontSheet, TemplateProfile
    from service.qa.advice import AdviceDocument
    from service.qa.checks import check_plan
    from service.qa.profiles import read_with
    from service.qa.template import UnreadableDraft
    from service.screening.safety import UnsafeDocument, check_docx_archive

    try:
        check_docx_archive(data)  # the archive limits screening applies, before python-docx unpacks anything
        named = TemplateProfile.model_validate(template) if template is not None else None
        plan, _ = read_with(data, named)
    except (UnsafeDocument, UnreadableDraft) as exc:
        unreadable: dict[str, object] = {
            "check": "unreadable", "severity": "error", "section": None, "excerpt": "", "message": exc.reason
        }
        return DraftQa([unreadable], [])
    sheet = FrontSheet.model_validate(front_sheet) if front_sheet is not None else None
    documents = [AdviceDocument(name, pages, key) for key, name, pages in advice] if advice is not None else None
    result = check_plan(plan, sheet, advice=documents)
    return DraftQa([asdict(f) for f in result.findings], [asdict(p) for p in result.provision])
