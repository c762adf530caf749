"""Helpers to write small allocation instances in tests."""

from __future__ import annotations

from typing import Any

from contracts.allocation import Instance


def writer(id: str, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": id,
        "hours_per_day": 6.0,
        "skills": ["new_plan", "phase_transfer", "annual_review_amendment"],
        "max_concurrent": 5,
        "dbs_expires": "2028-01-01",
    }
    base.update(over)
    return base


def bundle(id: str, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": id,
        "la": "la-01",
        "work_type": "new_plan",
        "effort_hours": 6.0,
        "due": "2027-01-15",
    }
    base.update(over)
    return base


def instance(
    writers: list[dict[str, Any]], bundles: list[dict[str, Any]], now: str = "2027-01-11"
) -> Instance:
    return Instance.model_validate({"now": now, "writers": writers, "bundles": bundles})
