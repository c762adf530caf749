"""Shared draft content: a clean plan that every check should pass, and helpers to plant defects."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from contracts.qa import FrontSheet
from service.qa.checks import Finding, run_checks
from service.qa.template import read_plan
from tests.qa.drafting import Content, Row, Sub, write_draft

Sections = dict[str, list[Content]]


def clean_sections() -> Sections:
    return {
        "A": [
            "Child A is a cheerful eight-year-old who loves dinosaurs, swimming and building with Lego.",
            "Child A says: 'I like it when my teacher shows me pictures. I want to be a zookeeper.'",
            "His parents would like him to make friends and to read for pleasure.",
        ],
        "B": [
            Sub("Communication and interaction"),
            "Child A has a diagnosis of autism. He finds it hard to start and keep a conversation with peers "
            "and his expressive language is below that expected for his age.",
            Sub("Cognition and learning"),
            "Child A is working below age-related expectations in reading and writing; his phonic "
            "knowledge is "
            "secure to Phase 3.",
            Sub("Social, emotional and mental health"),
            "Child A becomes anxious at unstructured times and can leave the classroom when overwhelmed.",
        ],
        "C": ["Child A has no identified health needs related to his special educational needs."],
        "D": ["Child A has no identified social care needs."],
        "E": [
            Sub("Communication and interaction"),
            "By the end of Key Stage 2, Child A will start a conversation with a familiar peer and "
            "take three "
            "turns in 4 out of 5 observed sessions.",
            Sub("Cognition and learning"),
            "By July 2027, Child A will read and spell all Phase 5 phonemes accurately.",
            Sub("Social, emotional and mental health"),
            "Within 12 months, Child A will use his calm box independently to regulate himself when anxious.",
        ],
        "F": [
            Sub("Communication and interaction"),
            "A speech and language therapist will deliver a 45-minute individual session weekly, and write a "
            "programme for school staff.",
            "A trained teaching assistant will deliver the therapist's programme for 20 minutes three times a week.",
            Sub("Cognition and learning"),
            "Daily 20-minute phonics sessions in a group of no more than four pupils, led by a "
            "teacher trained "
            "in a systematic synthetic phonics programme.",
            Sub("Social, emotional and mental health"),
            "A named key adult will meet Child A for a 10-minute check-in at the start of each school day.",
            "An ELSA will deliver a 30-minute session weekly for two terms, focusing on naming feelings.",
        ],
        "G": ["Child A has no health needs, so there is no health provision."],
        "H1": ["No social care provision is made under section 2 of the CSDPA 1970."],
        "H2": ["No other social care provision is required."],
        "I": ["To be named in the final plan following consultation."],
        "J": ["No personal budget has been requested."],
        "K": [
            "Appendix 1: Parental advice",
            "Appendix 2: Educational psychology advice",
            "Appendix 3: Speech and language therapy advice",
        ],
    }


FRONT_SHEET = FrontSheet(queries=[], missing_advice=[], notes="Drafted from the full bundle.")


@pytest.fixture
def sections() -> Sections:
    return copy.deepcopy(clean_sections())


@pytest.fixture
def check() -> Callable[..., list[Finding]]:
    def run(sections: Sections, style: str = "headings", front_sheet: FrontSheet | None = FRONT_SHEET) -> list[Finding]:
        return run_checks(read_plan(write_draft(sections, style)), front_sheet)

    return run


@pytest.fixture
def front_sheet_file(tmp_path: Path) -> Path:
    path = tmp_path / "front-sheet.json"
    path.write_text(json.dumps(FRONT_SHEET.model_dump()), encoding="utf-8")
    return path


def save(tmp_path: Path, sections: Sections, style: str = "headings", name: str = "draft.docx") -> Path:
    path = tmp_path / name
    path.write_bytes(write_draft(sections, style))
    return path


__all__ = ["Row", "Sub", "io"]
