"""Per-contract screening policy: for each finding kind, block the bundle or warn the people who work on it.

Pure: data in, data out. Defaults: identifiers and contact details block; names (which the gazetteer and the
labels find with less certainty, and which a pseudonymised bundle may legitimately carry) warn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, get_args

from contracts.screening import FindingKind, ScreeningFinding

Action = Literal["block", "warn"]
KINDS: tuple[str, ...] = get_args(FindingKind)
DEFAULT_POLICY: dict[str, Action] = {
    "nhs_number": "block", "upn": "block", "ni_number": "block", "postcode": "block", "phone": "block",
    "email": "block", "date_of_birth": "block", "address": "block", "denylisted": "block",
    "person_name": "warn", "metadata_person": "warn",
    # a picture or page OCR cannot read with confidence: nobody has checked it holds no identifiers
    "unreadable_content": "block",
}  # fmt: skip


class PolicyError(ValueError):
    """A contract's policy names a kind or an action that does not exist."""


def resolve_policy(overrides: Mapping[str, object] | None) -> dict[str, Action]:
    """The defaults with the contract's overrides on top; PolicyError names the first bad entry."""
    policy = dict(DEFAULT_POLICY)
    for kind, action in (overrides or {}).items():
        if kind not in DEFAULT_POLICY:
            raise PolicyError(f"screening_policy.{kind}: not a finding kind; one of {', '.join(KINDS)}")
        if action not in ("block", "warn"):
            raise PolicyError(f"screening_policy.{kind}: must be 'block' or 'warn'")
        policy[kind] = "block" if action == "block" else "warn"
    return policy


def lenient_policy(overrides: Mapping[str, object] | None) -> tuple[dict[str, Action], list[str]]:
    """Like resolve_policy, but a bad entry keeps the default for that kind and is reported, never fatal."""
    policy = dict(DEFAULT_POLICY)
    problems = []
    for kind, action in (overrides or {}).items():
        try:
            policy[kind] = resolve_policy({kind: action})[kind]
        except PolicyError as exc:
            problems.append(str(exc))
    return policy, problems


def judge(findings: Iterable[ScreeningFinding], policy: Mapping[str, Action]) -> list[dict[str, object]]:
    """Each finding as stored and shown: page, kind, masked excerpt, confidence, and the action it takes."""
    return [
        {"page": f.page, "kind": f.kind, "excerpt": f.excerpt, "confidence": f.confidence,
         "action": policy.get(f.kind, "block"), "source": f.source,
         **({"picture": f.picture} if f.picture is not None else {})}
        for f in findings
    ]


def blocking(judged: Iterable[Mapping[str, object]]) -> list[Mapping[str, object]]:
    return [f for f in judged if f["action"] == "block"]
