"""Template profiles: the national template read as written, profiles learned from blank templates, --template."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from service.qa.checks import run_checks
from service.qa.profiles import learn, read_with, shipped_profiles
from service.qa.template import read_plan
from tests.benchmarks import national_drafts
from tests.qa.conftest import FRONT_SHEET, clean_sections
from tests.qa.drafting import TITLES, Row, Sub, write_draft

NATIONAL = national_drafts.TEMPLATE

needs_template = pytest.mark.skipif(
    not NATIONAL.exists() and os.environ.get("CI") != "true",
    reason=f"the national template is not at {NATIONAL} (../shared/templates/)",
)


def _errors(findings: list) -> list[tuple[str, str | None, str]]:
    return [(f.check, f.section, f.message) for f in findings if f.severity == "error"]


@needs_template
def test_learning_the_national_template_finds_every_section_its_tables_and_the_las_fields() -> None:
    profile = learn(NATIONAL.read_bytes(), "national")
    assert profile.layout == "side-by-side"
    assert set(profile.labels) == {"A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K"}
    assert profile.row_tables.count(["B", "F", "E"]) == 4
    assert ["C", "G", "E"] in profile.row_tables and ["D", "H1", "H2", "E"] in profile.row_tables
    assert {"Name:", "Date of Birth:", "NHS Number (if available)", "Email:"} <= set(profile.personal_fields)
    assert profile.placeholders == [r"\{\{[^{}]*\}\}"]


@needs_template
def test_the_shipped_national_profile_is_the_learned_one_plus_the_a2_label_a_coordinator_added() -> None:
    learned = learn(NATIONAL.read_bytes(), "dfe-national").model_dump()
    shipped = shipped_profiles()["dfe-national"].model_dump()
    assert shipped["labels"]["A"][:1] == learned["labels"]["A"]
    assert shipped["labels"]["A"][1].startswith("A2 SUMMARY")
    for key in ("row_tables", "personal_fields", "placeholders", "template_text"):
        assert shipped[key] == learned[key], key


@needs_template
@pytest.mark.parametrize("seed", range(8))
def test_a_clean_draft_on_the_national_template_passes_and_the_profile_is_detected(seed: int) -> None:
    draft = national_drafts.build(random.Random(seed), [])
    plan, chosen = read_with(draft.data)
    assert (chosen.name, chosen.chosen) == ("dfe-national", "detected") and (chosen.fit or 0) > 0.9
    assert _errors(run_checks(plan, FRONT_SHEET)) == []


@needs_template
def test_the_blank_national_template_read_as_the_built_in_layout_would_fail_everywhere() -> None:
    """Why profiles: without one, the template's own words and fields look like an unfinished plan."""
    findings = run_checks(read_plan(NATIONAL.read_bytes()), FRONT_SHEET)
    assert {f.check for f in findings} >= {"placeholder_text"}


@needs_template
def test_personal_details_the_la_fills_never_give_placeholder_or_identifier_findings() -> None:
    draft = national_drafts.build(random.Random(3), [])
    document = docx.Document(io.BytesIO(draft.data))
    details = document.tables[0]
    details.rows[1].cells[1].text = "Jane Smith"
    details.rows[2].cells[1].text = "03/04/2016"
    details.rows[7].cells[1].text = "jane.parent@example.com"
    details.rows[1].cells[3].text = "{{ preferred_name }}"
    document.tables[1].rows[3].cells[1].text = "Held by the LA"
    out = io.BytesIO()
    document.save(out)
    plan, _ = read_with(out.getvalue())
    checks = {f.check for f in run_checks(plan, FRONT_SHEET)}
    assert not checks & {"placeholder_text", "pii_leak"}


@needs_template
def test_a_need_without_provision_beside_it_is_reported_with_its_area_and_row() -> None:
    rng = random.Random(11)
    draft = national_drafts.build(rng, ["golden_thread_gap"])
    plan, _ = read_with(draft.data)
    gaps = [f for f in run_checks(plan, draft.front_sheet) if f.check == "golden_thread_gap"]
    assert gaps and all(f.area and f.row for f in gaps)
    assert f"{gaps[0].area}, row {gaps[0].row}" in gaps[0].message


@needs_template
def test_vague_provision_in_a_row_names_its_area_and_row() -> None:
    draft = national_drafts.build(random.Random(5), ["vague_provision"])
    plan, _ = read_with(draft.data)
    vague = [f for f in run_checks(plan, draft.front_sheet) if f.check == "vague_provision"]
    assert vague and vague[0].area is not None and vague[0].row is not None


def test_what_who_how_often_how_long_in_separate_cells_counts_as_quantified() -> None:
    sections = clean_sections()
    sections["F"] = [
        Sub("Cognition and learning"),
        Row(("What", "By whom", "How often", "For how long")),
        Row(("Precision teaching of key words", "Trained TA", "Daily", "10 minutes")),
        Row(("Phonics catch-up in a group of three", "Class teacher", "", "")),
    ]
    findings = run_checks(read_plan(write_draft(sections, "headings")), FRONT_SHEET)
    unquantified = [f.excerpt for f in findings if f.check == "unquantified_provision"]
    assert unquantified == ["Phonics catch-up in a group of three | Class teacher"]


# -- blank templates in other layouts --------------------------------------------------------------


def _blank(layout: str) -> bytes:
    document = docx.Document()
    document.add_heading("Education, Health and Care Plan", level=0)
    details = document.add_table(rows=0, cols=2)
    for label in ("Child's name:", "Date of birth:", "NHS number:"):
        details.add_row().cells[0].text = label
    codes = list(TITLES)
    if layout == "one-table":
        table = document.add_table(rows=0, cols=1)
        for code in codes:
            table.add_row().cells[0].text = f"Section {code}: {TITLES[code]}"
            table.add_row().cells[0].text = "[Insert text]"
    elif layout == "left-column":
        table = document.add_table(rows=0, cols=2)
        for code in codes:
            cells = table.add_row().cells
            cells[0].text = f"{code}. {TITLES[code]}"
            cells[1].text = "Click or tap here to enter text."
    else:
        for number, code in enumerate(codes, start=1):
            text = f"{number}. Section {code} - {TITLES[code]}" if layout == "numbered" else f"{code}: {TITLES[code]}"
            document.add_heading(text, level=1)
            document.add_paragraph("Guidance: write in plain English, in the child's own words where possible.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("layout", "kind"),
    [("headings", "headings"), ("numbered", "numbered"), ("one-table", "table"), ("left-column", "left-column")],
)
def test_learning_a_blank_template_in_other_layouts_finds_every_section(layout: str, kind: str) -> None:
    profile = learn(_blank(layout), f"la-{layout}")
    assert profile.layout == kind
    assert set(profile.labels) == set(TITLES)
    assert any(field.startswith("Child's name") for field in profile.personal_fields)
    # the template's guidance is its own text: a draft that keeps it is not thereby "written"
    if layout in ("headings", "numbered"):
        assert any(t.startswith("Guidance:") for t in profile.template_text)


# -- the command ------------------------------------------------------------------------------------


def _planwright(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *map(str, args)], capture_output=True, text=True, check=False
    )


def test_template_learn_writes_a_profile_that_qa_can_be_told_to_use(tmp_path: Path) -> None:
    blank = tmp_path / "county-blank.docx"
    blank.write_bytes(_blank("left-column"))
    learned = _planwright("template", "learn", blank)
    assert learned.returncode == 0, learned.stderr
    profile = json.loads(learned.stdout)
    assert profile["name"] == "county-blank" and profile["layout"] == "left-column"
    path = tmp_path / "profile.json"
    path.write_text(learned.stdout, encoding="utf-8")
    draft = tmp_path / "draft.docx"
    draft.write_bytes(write_draft(clean_sections(), "table_column"))
    sheet = tmp_path / "sheet.json"
    sheet.write_text(json.dumps(FRONT_SHEET.model_dump()), encoding="utf-8")
    result = _planwright("qa", draft, "--front-sheet", sheet, "--template", path)
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["profile"] == {"name": "county-blank", "chosen": "named", "fit": 0.0}


def test_qa_refuses_an_unknown_template_or_a_broken_profile_with_status_2(tmp_path: Path) -> None:
    draft = tmp_path / "draft.docx"
    draft.write_bytes(write_draft(clean_sections(), "headings"))
    unknown = _planwright("qa", draft, "--template", "no-such-profile")
    assert unknown.returncode == 2 and "neither a shipped profile" in unknown.stderr
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"name": "Bad Name!", "placeholders": ["("]}), encoding="utf-8")
    refused = _planwright("qa", draft, "--template", broken)
    assert refused.returncode == 2 and "name" in refused.stderr and "placeholders" in refused.stderr
    assert refused.stdout == ""


def test_template_learn_refuses_a_file_that_is_not_a_word_document(tmp_path: Path) -> None:
    bad = tmp_path / "blank.docx"
    bad.write_bytes(b"not a zip")
    result = _planwright("template", "learn", bad)
    assert result.returncode == 2 and "not a readable Word" in result.stderr


# -- the field's validators' checks -----------------------------------------------------------------


def test_a_drafting_tools_leftovers_are_errors() -> None:
    sections = clean_sections()
    sections["A"].append("As an AI language model, I cannot verify the family's views.")
    sections["C"] = ["Information not provided in the source documents."]
    findings = run_checks(read_plan(write_draft(sections, "headings")), FRONT_SHEET)
    found = [(f.check, f.section, f.severity) for f in findings if f.check == "drafting_tool_text"]
    assert found == [("drafting_tool_text", "A", "error"), ("drafting_tool_text", "C", "error")]


@needs_template
def test_a_name_prompt_is_a_leftover_where_the_template_has_a_name_field() -> None:
    draft = national_drafts.build(random.Random(2), [])
    document = docx.Document(io.BytesIO(draft.data))
    document.tables[2].rows[1].cells[1].paragraphs[0].runs[0].text = "[Child's name] lives with his mother."
    out = io.BytesIO()
    document.save(out)
    plan, _ = read_with(out.getvalue())
    assert [f.section for f in run_checks(plan, FRONT_SHEET) if f.check == "drafting_tool_text"] == ["A"]


def test_the_same_need_under_two_areas_and_a_named_medicine_are_warnings() -> None:
    sections = clean_sections()
    repeated = "Child A becomes anxious at unstructured times and can leave the classroom when overwhelmed."
    sections["B"].insert(2, repeated)  # under communication and interaction as well as SEMH
    sections["G"] = ["The school will give Child A his methylphenidate at lunchtime, as his GP prescribes."]
    findings = run_checks(read_plan(write_draft(sections, "headings")), FRONT_SHEET)
    warned = {(f.check, f.section, f.severity) for f in findings if f.check in ("need_in_two_areas", "named_medicine")}
    assert warned == {("need_in_two_areas", "B", "warning"), ("named_medicine", "G", "warning")}
    assert all(f.severity == "warning" for f in findings)
