"""Advice traceability: every item of provision comes from some advice, and every recommendation reaches the plan."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.qa.advice import AdviceDocument, amounts, roles
from service.qa.checks import run_checks
from service.qa.template import read_plan
from tests.benchmarks import national_drafts
from tests.qa.conftest import FRONT_SHEET, clean_sections
from tests.qa.drafting import Sub, write_draft

EP = AdviceDocument(
    "Educational psychology report",
    [
        "Child A was seen in school over two mornings. He is working below age-related expectations.",
        "I recommend daily 20-minute phonics sessions in a group of no more than four pupils, led by a teacher "
        "trained in a systematic synthetic phonics programme. Child A should meet a named key adult for a "
        "10-minute check-in at the start of each school day.",
    ],
)
SALT = AdviceDocument(
    "Speech and language therapy advice",
    [
        "Child A's expressive language is below that expected for his age.",
        "A speech and language therapist "
        "should deliver a 45-minute individual session weekly and write a programme for school staff. A trained "
        "teaching assistant should deliver the therapist's programme for 20 minutes three times a week. "
        "An ELSA should deliver a 30-minute session weekly for two terms, focusing on naming feelings.",
    ],
)


def _findings(sections: dict, advice: list[AdviceDocument]) -> list:
    return run_checks(read_plan(write_draft(sections, "headings")), FRONT_SHEET, advice=advice)


def _traced(findings: list) -> list[tuple[str, str | None]]:
    return [(f.check, f.section) for f in findings if f.check in ("provision_not_in_advice", "advice_not_in_plan")]


def test_a_plan_whose_provision_all_comes_from_the_advice_raises_nothing() -> None:
    sections = clean_sections()
    assert _traced(_findings(sections, [EP, SALT])) == []


def test_amounts_and_deliverers_are_read_in_the_forms_advice_writes_them() -> None:
    assert amounts("3 x 30 minutes per week") == amounts("three times a week for 30 minutes") == {"3", "30", "week"}
    assert roles("the SaLT and a TA") == {"speech and language therapist", "teaching assistant"}


def test_invented_provision_is_reported_and_a_changed_amount_names_its_source() -> None:
    sections = clean_sections()
    sections["F"] += [
        Sub("Sensory and physical"),
        "A trained TA will run a sensory circuit for 15 minutes every morning.",
    ]
    sections["F"][2] = (
        "A trained teaching assistant will deliver the therapist's programme for 40 minutes five times a week."
    )
    findings = [f for f in _findings(sections, [EP, SALT]) if f.check == "provision_not_in_advice"]
    assert [f.severity for f in findings] == ["warning", "warning"]
    changed = next(f for f in findings if f.source is not None)
    assert "'40'" in changed.message and "'5'" in changed.message
    assert changed.source.startswith("Speech and language therapy advice, page 2: ")
    assert any("no advice in the bundle mentions" in f.message and "sensory circuit" in f.excerpt for f in findings)


def test_a_recommendation_the_plan_leaves_out_is_reported_with_its_document_and_page() -> None:
    sections = clean_sections()
    sections["F"] = [item for item in sections["F"] if "ELSA" not in str(item)]
    missing = [f for f in _findings(sections, [EP, SALT]) if f.check == "advice_not_in_plan"]
    assert len(missing) == 1 and "ELSA" in missing[0].excerpt
    assert missing[0].source is not None and missing[0].source.startswith("Speech and language therapy advice, page 2")
    assert "page 2" in missing[0].message


def test_a_recommendation_moved_to_another_document_is_still_found() -> None:
    elsa = "An ELSA should deliver a 30-minute session weekly for two terms, focusing on naming feelings."
    school = AdviceDocument("SENCo advice", ["Background on the school day.", elsa])
    salt = AdviceDocument(SALT.name, [SALT.pages[0], SALT.pages[1].replace(elsa, "")])
    assert _traced(_findings(clean_sections(), [EP, salt, school])) == []


def test_without_advice_nothing_is_traced() -> None:
    sections = clean_sections()
    sections["F"].append("A trained TA will run a sensory circuit for 15 minutes every morning.")
    assert _traced(_findings(sections, [])) != []
    assert _traced(run_checks(read_plan(write_draft(sections)), FRONT_SHEET)) == []


def _planwright(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *map(str, args)], capture_output=True, text=True, check=False
    )


def test_qa_traces_provision_to_advice_files_given_on_the_command_line(tmp_path: Path) -> None:
    draft = tmp_path / "draft.docx"
    sections = clean_sections()
    sections["F"].append("A trained TA will run a sensory circuit for 15 minutes every morning.")
    draft.write_bytes(write_draft(sections))
    sheet = tmp_path / "sheet.json"
    sheet.write_text(json.dumps(FRONT_SHEET.model_dump()), encoding="utf-8")
    ep = tmp_path / "ep.txt"
    ep.write_text("\f".join(EP.pages), encoding="utf-8")
    salt = tmp_path / "salt.txt"
    salt.write_text("\f".join(SALT.pages), encoding="utf-8")
    result = _planwright("qa", draft, "--front-sheet", sheet, "--advice", ep, salt)
    assert result.returncode == 0, result.stderr  # warnings only
    report = json.loads(result.stdout)
    assert [f["check"] for f in report["findings"]] == ["provision_not_in_advice"]
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 truncated")
    refused = _planwright("qa", draft, "--advice", bad)
    assert refused.returncode == 2 and "advice" in refused.stderr and refused.stdout == ""


def test_the_review_list_gives_each_item_its_source_or_none_and_masks_identifiers() -> None:
    from service.qa.checks import check_plan

    sections = clean_sections()
    sections["F"].append("A trained TA will run a sensory circuit for 15 minutes every morning.")
    nhs = "943 476 5919"
    salt = AdviceDocument(SALT.name, [SALT.pages[0], SALT.pages[1].replace("weekly and", f"weekly (NHS {nhs}) and")],
                          "doc-1")
    result = check_plan(read_plan(write_draft(sections, "headings")), FRONT_SHEET, advice=[EP, salt])
    # the same items the findings were raised on: the invented one alone has no source
    assert [p.text for p in result.provision if p.source is None] == [sections["F"][-1]]
    salt_item = next(p for p in result.provision if p.text.startswith("A speech and language therapist"))
    assert salt_item.section == "F" and salt_item.source is not None
    assert (salt_item.source.document, salt_item.source.document_id, salt_item.source.page) == (SALT.name, "doc-1", 2)
    assert "943" in salt_item.source.excerpt and nhs not in salt_item.source.excerpt
    phonics = next(p for p in result.provision if "phonics" in p.text)
    assert phonics.source is not None and (phonics.source.document, phonics.source.document_id) == (EP.name, None)
    assert result.findings == run_checks(read_plan(write_draft(sections, "headings")), FRONT_SHEET, advice=[EP, salt])
    # a finding's source is masked the same way
    sections["F"] = [item for item in sections["F"] if "speech and language therapist" not in str(item)]
    dropped = [f for f in _findings(sections, [EP, salt]) if f.check == "advice_not_in_plan"]
    assert dropped and all(nhs not in f.source and nhs not in f.excerpt for f in dropped)  # type: ignore[operator]


def test_without_advice_every_item_is_listed_with_no_source() -> None:
    from service.qa.checks import check_plan

    provision = check_plan(read_plan(write_draft(clean_sections())), FRONT_SHEET).provision
    assert len(provision) == 5 and all(p.source is None and p.section == "F" for p in provision)


@pytest.mark.skipif(
    not national_drafts.TEMPLATE.exists() and os.environ.get("CI") != "true",
    reason=f"the national template is not at {national_drafts.TEMPLATE} (../shared/templates/)",
)
def test_an_item_in_a_side_by_side_row_keeps_its_area_and_row() -> None:
    import random

    from service.qa.checks import check_plan
    from service.qa.profiles import read_with

    draft = national_drafts.build(random.Random(3), [])
    plan, _ = read_with(draft.data)
    first = check_plan(plan, draft.front_sheet).provision
    in_rows = [p for p in first if p.section == "F" and p.area is not None and p.row is not None]
    assert in_rows
    chosen = in_rows[-1]
    advice = AdviceDocument("Advice", ["Background.", f"We recommend the following. {chosen.text}"], "doc-9")
    traced = next(p for p in check_plan(plan, draft.front_sheet, advice=[advice]).provision if p.text == chosen.text)
    assert (traced.area, traced.row) == (chosen.area, chosen.row)
    assert traced.source is not None and (traced.source.document_id, traced.source.page) == ("doc-9", 2)
