"""The allocation instance and allocation JSON of ALLOCATION.md, as pydantic models."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NonEmpty = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class CalendarSpec(_Strict):
    region: Literal["england-and-wales", "scotland", "northern-ireland"] = "england-and-wales"
    extra_closures: list[date] = Field(default_factory=list)


class InstanceWriter(_Strict):
    id: NonEmpty
    hours_per_day: float = Field(ge=0)
    skills: list[NonEmpty]
    excluded_las: list[NonEmpty] = Field(default_factory=list)
    max_concurrent: int = Field(ge=0)
    active_bundles: int = Field(default=0, ge=0)
    committed_hours: float = Field(default=0.0, ge=0)
    leave: list[date] = Field(default_factory=list)
    dbs_expires: date


class InstanceBundle(_Strict):
    id: NonEmpty
    la: NonEmpty
    work_type: NonEmpty
    requires: list[NonEmpty] = Field(default_factory=list)
    effort_hours: float = Field(ge=0)
    due: date
    weight: float = Field(default=1.0, gt=0)
    preferred_writer: NonEmpty | None = None


def _duplicates(ids: list[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


class Instance(_Strict):
    now: date
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    writers: list[InstanceWriter]
    bundles: list[InstanceBundle]

    @model_validator(mode="after")
    def _ids_are_unique(self) -> Instance:
        for field, ids in (
            ("writers", [w.id for w in self.writers]),
            ("bundles", [b.id for b in self.bundles]),
        ):
            dup = _duplicates(ids)
            if dup:
                raise ValueError(f"{field}: duplicate id(s) {', '.join(dup)}")
        return self


class Assignment(_Strict):
    bundle: str
    writer: str
    sequence: int = Field(ge=1)
    projected_completion: date | None
    on_time: bool


class Unassigned(_Strict):
    bundle: str
    reason: Literal["no_eligible_writer", "no_free_slot"]


class AllocationStats(_Strict):
    bundles: int
    assigned: int
    on_time: int
    on_time_weight: float
    seconds: float


class Allocation(_Strict):
    assignments: list[Assignment]
    unassigned: list[Unassigned]
    stats: AllocationStats
