"""The SLA clocks as pure functions: contract turnaround in working days (paused while awaiting the LA) and the
statutory date.

Conventions (all dates are Europe/London calendar dates):
- The turnaround clock starts on the day the bundle was queued; day 1 is the first working day after it
  (`WorkingCalendar.add_working_days`), so a 10-day turnaround queued on a Monday is due on the Monday two weeks on.
- A pause runs from the day the bundle moved to `awaiting_la` to the day it moved out. The working days in
  (start, end] do not count: the day the writer asked still counts, the day the LA answered is given back.
  An open pause (no end yet) runs to `as_of`, so the due date slides day by day and the working days left stay put.
- A pause that starts on or after the due date gives nothing back: the turnaround was already spent.
- Statutory date: the LA's own (`Bundle.statutory_due`) when given. Otherwise, for a `phase_transfer` only, the
  phase-transfer deadline (SEND Regulations 2014, reg. 18): 31 March when the bundle requires `post16` (secondary to
  post-16), else 15 February (school-phase moves), in the academic year the bundle is in: the first such date on or
  after the day it was queued (a bundle queued in autumn is for the next September's move, whose amended plan is due
  in February or March). Other work types have no derived statutory date (the 20-week and annual-review clocks run
  from dates Planwright is not told; `twenty_week_date` gives the LA's date from its request date).
- Statutory dates count calendar days and weeks and never move: one that falls on a weekend or a bank holiday stays
  where it is, so the draft must be with the LA by the last working day on or before it (`statutory_deliver_by`).
  A turnaround due after that day puts the statutory date at risk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from service.calendar import WorkingCalendar

DEFAULT_TURNAROUND_DAYS: Mapping[str, int] = {"standard": 10, "express": 5}
SCHOOL_PHASE_DEADLINE = (2, 15)  # 15 February
POST16_DEADLINE = (3, 31)  # 31 March
POST16_REQUIREMENT = "post16"
TWENTY_WEEKS = 20


class ClockState(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"  # delivered (or beyond): the turnaround is over
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Pause:
    """The clock stood still from `start` to `end` (None: still paused)."""

    start: date
    end: date | None = None


class InvalidTurnaroundTable(ValueError):
    """A contract's turnaround table has an entry that is not a positive whole number of days."""


def contract_days(table: Mapping[str, object] | None, work_type: str, tier: str,
                  default: Mapping[str, int] = DEFAULT_TURNAROUND_DAYS) -> int:
    """Turnaround days for a work type and tier from a contract table.

    The table keeps its original shape `{"standard": n, "express": m}` and may add per-work-type entries
    `{"new_plan": {"standard": 20, "express": 10}}`; a work-type entry wins over the flat tier entry, which wins over
    `default`.
    """
    table = table or {}
    entry = table.get(work_type)
    value: object = None
    if isinstance(entry, Mapping):
        value = entry.get(tier)
    if value is None:
        value = table.get(tier)
    if value is None:
        value = default[tier]
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value <= 0:
        raise InvalidTurnaroundTable(
            f"turnaround_days for {work_type}/{tier}: {value!r} is not a positive whole number")
    return int(value)


def validate_turnaround_table(table: Mapping[str, object]) -> None:
    """Raise InvalidTurnaroundTable unless every entry is days per tier, flat or per work type."""
    tiers = set(DEFAULT_TURNAROUND_DAYS)
    for key, value in table.items():
        if key in tiers:
            contract_days({key: value}, "-", key)
        elif isinstance(value, Mapping):
            for tier in value:
                if tier not in tiers:
                    raise InvalidTurnaroundTable(f"turnaround_days.{key}: unknown tier {tier!r}")
                contract_days({key: value}, key, tier)
        else:
            raise InvalidTurnaroundTable(f"turnaround_days.{key}: expected days per tier")


def merge_pauses(pauses: Iterable[Pause], as_of: date) -> list[tuple[date, date]]:
    """Pauses as closed (start, end) date pairs, open ones ended at `as_of`, sorted and merged where they overlap."""
    spans = sorted((p.start, p.end if p.end is not None else max(as_of, p.start)) for p in pauses)
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        end = max(start, end)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def turnaround_due(queued_on: date, days: int, pauses: Iterable[Pause], calendar: WorkingCalendar,
                   *, as_of: date | None = None) -> date:
    """The date the draft is due: `days` working days after `queued_on`, pushed back by the working days paused."""
    if days < 0:
        raise ValueError(f"turnaround days must be 0 or more, not {days}")
    due = calendar.add_working_days(queued_on, days)
    for start, end in merge_pauses(pauses, as_of or date.max):
        if start >= due:
            break
        start = max(start, queued_on)
        due = calendar.add_working_days(due, calendar.working_days_between(start, end))
    return due


def working_days_left(due: date, today: date, calendar: WorkingCalendar) -> int:
    """Working days from `today` to `due`: 0 on the due date, negative once it has passed."""
    return calendar.working_days_between(today, due)


def turnaround_working_days(queued_on: date, finished_on: date, pauses: Iterable[Pause],
                            calendar: WorkingCalendar) -> int:
    """Working days the clock ran from queued to delivered, less the paused working days in between."""
    ran = calendar.working_days_between(queued_on, finished_on)
    for start, end in merge_pauses(pauses, finished_on):
        lo, hi = max(start, queued_on), min(end, finished_on)
        if hi > lo:
            ran -= calendar.working_days_between(lo, hi)
    return ran


def derived_statutory_date(work_type: str, requires: Iterable[str], queued_on: date) -> date | None:
    """The phase-transfer deadline a bundle's data implies (see the module docstring), or None."""
    if work_type != "phase_transfer":
        return None
    month, day = POST16_DEADLINE if POST16_REQUIREMENT in set(requires) else SCHOOL_PHASE_DEADLINE
    deadline = date(queued_on.year, month, day)
    return deadline if deadline >= queued_on else date(queued_on.year + 1, month, day)


def twenty_week_date(requested_on: date) -> date:
    """The final plan's statutory date for a new assessment: 20 calendar weeks from the request (SEND Regulations
    2014, reg. 13(2)); on the request's weekday, whether or not that week's day is a working one."""
    return requested_on + timedelta(weeks=TWENTY_WEEKS)


def statutory_deliver_by(statutory: date, calendar: WorkingCalendar) -> date:
    """The last working day on or before a statutory date: the day the work must be with the LA (the statutory date
    itself does not move when it falls on a weekend or a bank holiday)."""
    day = statutory
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def statutory_at_risk(due: date | None, statutory: date | None, calendar: WorkingCalendar) -> bool:
    """The turnaround ends after the last working day before the statutory date."""
    return due is not None and statutory is not None and due > statutory_deliver_by(statutory, calendar)


def statutory_date(given: date | None, work_type: str, requires: Iterable[str], queued_on: date | None) -> date | None:
    """The LA's statutory date when given, else the derived phase-transfer deadline (None before queueing)."""
    if given is not None:
        return given
    if queued_on is None:
        return None
    return derived_statutory_date(work_type, requires, queued_on)


@dataclass(frozen=True)
class Clock:
    """What a bundle shows: due dates, working days left, and whether the clock runs."""

    state: ClockState
    turnaround_due: date | None
    statutory_due: date | None
    working_days_left: int | None
    paused: bool
    # the turnaround due date falls after the last working day on or before the statutory date
    statutory_at_risk: bool


NOT_STARTED = frozenset({"draft", "held", "submitted", "screening", "rejected"})
STOPPED = frozenset({"delivered", "amendment_requested", "accepted", "closed"})


def clock(*, status: str, work_type: str, tier: str, requires: Iterable[str], queued_on: date | None,
          given_statutory: date | None, table: Mapping[str, object] | None, pauses: Iterable[Pause],
          today: date, calendar: WorkingCalendar, delivered_on: date | None = None) -> Clock:
    """A bundle's clocks on `today`, from its data and its pauses."""
    statutory = statutory_date(given_statutory, work_type, requires, queued_on)
    if status == "cancelled":
        return Clock(ClockState.CANCELLED, None, statutory, None, False, False)
    if queued_on is None or status in NOT_STARTED:
        return Clock(ClockState.NOT_STARTED, None, statutory, None, False, False)
    pauses = list(pauses)
    stopped = status in STOPPED
    as_of = (delivered_on or today) if stopped else today
    due = turnaround_due(queued_on, contract_days(table, work_type, tier), pauses, calendar, as_of=as_of)
    paused = status == "awaiting_la"
    state = ClockState.STOPPED if stopped else ClockState.PAUSED if paused else ClockState.RUNNING
    left = None if stopped else working_days_left(due, today, calendar)
    at_risk = not stopped and statutory_at_risk(due, statutory, calendar)
    return Clock(state, due, statutory, left, paused, at_risk)
