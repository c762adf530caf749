"""The allocation simulator: a season or a year of arrivals, day by day, through a real allocation policy.

Plain data in (a `SimulationConfig`), results out; seeded and deterministic. Nothing here touches the
database, the web layer or the broker: the simulator builds the same `Instance` the service builds for a
round and calls the same engine (`allocate`), or the naive baseline (`naive_allocate`) for comparison.

The model, per working day (weekends, bank holidays: no arrivals, no work):

1. **Arrivals**: per work type a Poisson count at a seasonal rate (phase transfers peak from November to
   February). `due` is the arrival plus the work type's turnaround in working days (express: 5, a share of
   bundles, weight 1.5); a school-phase transfer's draft is also due a week before 15 February (31 March for
   post-16 moves), and its weight rises by 1 when that statutory date is close behind the draft.
2. **Round**: the queued bundles and every writer (held work as `active_bundles` and `committed_hours`,
   planned leave and the sick days already reported as `leave`) make an `Instance`; the policy allocates.
3. **Offers**: each assignment is an offer. A writer absent today lets it time out; otherwise it is declined
   with the configured probability. Either way the bundle goes back to the queue with that writer excluded
   for it. The instance format has no per-bundle exclusion, so the simulator expresses one exactly through
   the existing conflict-of-interest rule: the bundle is given its own LA name (``la-03#b-00042``) and every
   writer excluded for it, plus every writer already conflicted with its real LA, lists that name in
   `excluded_las`. Eligibility is then precisely "eligible and not excluded".
4. **Work**: each present writer spends `hours_per_day` on its held bundles in the order they were
   accepted (a round's bundles in the policy's `sequence`), as the engine's model assumes (held work first).
   A bundle completed on or before its `due` is on time.

Offers are answered on the day they are made (one round a day; the service's window is a working day).
A bundle no writer in the pool can take (skills, conflicts) stays queued under every policy; it is counted
(`Scenario.never_eligible`) and stays in the backlog. Sickness is not known in advance: a spell becomes
leave (known to the engine) on the day it starts, for its whole length. Held bundles stay with a sick
writer (no coordinator reassignment is modelled).

Fairness of the comparison: arrivals, leave and sickness are drawn once per scenario, before any policy
runs; a decline is drawn from (seed, bundle, writer), so the same offer gets the same answer under either
policy.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from contracts.allocation import Allocation, Instance
from service.allocation.engine import allocate, naive_allocate
from service.calendar import REGIONS, WorkingCalendar
from service.sla.clock import POST16_REQUIREMENT, derived_statutory_date

EPS = 1e-9  # hours

# The work mix and effort ranges of the allocation benchmark's instance generator
# (tests/benchmarks/allocation_instances.py): share of bundles, effort hours (low, high).
WORK_TYPES: tuple[tuple[str, float, tuple[float, float]], ...] = (
    ("new_plan", 0.30, (10.0, 22.0)),
    ("phase_transfer", 0.35, (5.0, 12.0)),
    ("annual_review_amendment", 0.22, (2.5, 8.0)),
    ("reassessment", 0.09, (9.0, 18.0)),
    ("statement_transfer", 0.04, (6.0, 12.0)),
)
REQUIREMENTS: tuple[tuple[str, float], ...] = (
    ("post16", 0.15),
    ("early_years", 0.08),
    ("autism_specialist", 0.10),
    ("sensory", 0.05),
)
# Contract turnaround in working days per work type; express bundles get EXPRESS_TURNAROUND.
TURNAROUND: dict[str, int] = {
    "new_plan": 15,
    "phase_transfer": 10,
    "annual_review_amendment": 10,
    "reassessment": 15,
    "statement_transfer": 10,
}
EXPRESS_TURNAROUND = 5
EXPRESS_WEIGHT = 1.5
STATUTORY_CLOSE_WORKING_DAYS = 15  # statutory date this close behind the draft: weight + 1
# Arrival rate multipliers per calendar month (index 1-12). Phase transfers bunch from November to
# February ahead of the 15 February deadline; other work dips in August and at Christmas.
SEASON: dict[str, tuple[float, ...]] = {
    "phase_transfer": (0.0, 2.4, 1.2, 0.6, 0.3, 0.3, 0.3, 0.2, 0.1, 0.3, 0.6, 1.6, 1.8),
    "other": (0.0, 1.0, 1.0, 1.1, 0.9, 1.1, 1.1, 1.0, 0.5, 1.0, 1.1, 1.1, 0.8),
}
SCHOOL_PHASE_SHARE = 0.8  # of phase transfers: school-phase moves (15 February); the rest post-16 (31 March)
MIN_COVER = 2  # writers per work type and per (work type, specialism)
MEAN_SICK_SPELL = 3.0  # working days
N_LAS = 14
KNOWN_LEAVE_DAYS = 120  # how far ahead planned leave is known to a round
ARRIVALS_PER_WRITER = 90.0  # a year: the pool works about 3/4 of its hours over a year, near all at the peak

Allocator = Callable[[Instance], Allocation]
POLICIES: dict[str, Allocator] = {"engine": allocate, "naive": naive_allocate}


class InvalidSimulation(ValueError):
    """A simulation setting out of range; `setting` names it (a `SimulationConfig` field)."""

    def __init__(self, setting: str, expected: str) -> None:
        super().__init__(f"{setting} must be {expected}")
        self.setting = setting
        self.expected = expected


@dataclass(frozen=True)
class SimulationConfig:
    start: date = date(2026, 9, 1)
    days: int = 365  # calendar days simulated
    seed: int = 1
    writers: int = 30
    arrivals_per_year: float | None = None  # None: ARRIVALS_PER_WRITER per writer
    decline_rate: float = 0.1
    sickness_rate: float = 0.03  # share of working days lost to sickness
    leave_days_per_year: int = 25
    express_share: float = 0.1
    region: str = "england-and-wales"

    @property
    def annual_arrivals(self) -> float:
        if self.arrivals_per_year is None:
            return ARRIVALS_PER_WRITER * self.writers
        return self.arrivals_per_year

    @property
    def end(self) -> date:
        """The last simulated day."""
        return self.start + timedelta(days=self.days - 1)

    def validate(self) -> None:
        checks: list[tuple[str, bool, str]] = [
            ("days", 1 <= self.days <= 3660, "between 1 and 3660"),
            ("writers", 1 <= self.writers <= 5000, "between 1 and 5000"),
            ("arrivals_per_year", self.annual_arrivals >= 0 and math.isfinite(self.annual_arrivals), ">= 0"),
            ("decline_rate", 0.0 <= self.decline_rate <= 1.0, "between 0 and 1"),
            ("sickness_rate", 0.0 <= self.sickness_rate <= 0.5, "between 0 and 0.5"),
            ("leave_days_per_year", 0 <= self.leave_days_per_year <= 100, "between 0 and 100"),
            ("express_share", 0.0 <= self.express_share <= 1.0, "between 0 and 1"),
            ("region", self.region in REGIONS, f"one of {', '.join(sorted(REGIONS))}"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise InvalidSimulation(name, expected)


# --- the scenario: everything random, drawn once, shared by every policy ----------------------------------


@dataclass(frozen=True)
class SimWriter:
    id: str
    hours_per_day: float
    skills: tuple[str, ...]
    excluded_las: tuple[str, ...]
    max_concurrent: int
    dbs_expires: date
    leave: frozenset[date]  # planned, known ahead
    sick_spells: tuple[tuple[date, tuple[date, ...]], ...]  # (first day, its working days)

    @property
    def sick_days(self) -> frozenset[date]:
        return frozenset(d for _, days in self.sick_spells for d in days)


@dataclass(frozen=True)
class SimBundle:
    id: str
    la: str
    work_type: str
    requires: tuple[str, ...]
    effort_hours: float
    arrival: date
    due: date
    weight: float
    express: bool


@dataclass(frozen=True)
class Scenario:
    config: SimulationConfig
    writers: tuple[SimWriter, ...]
    bundles: tuple[SimBundle, ...]  # in arrival order

    @property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.config.region)

    def never_eligible(self) -> list[str]:
        """Bundles no writer in the pool can ever take (skills or conflicts): they stay queued under any policy."""
        return [
            b.id
            for b in self.bundles
            if not any(
                b.work_type in w.skills and set(b.requires) <= set(w.skills) and b.la not in w.excluded_las
                for w in self.writers
            )
        ]


def _pick_work_type(rng: random.Random) -> tuple[str, tuple[float, float]]:
    r, acc = rng.random(), 0.0
    for work_type, share, effort in WORK_TYPES:
        acc += share
        if r <= acc:
            return work_type, effort
    return WORK_TYPES[-1][0], WORK_TYPES[-1][2]


def _requirement(rng: random.Random) -> tuple[str, ...]:
    """At most one specialism per bundle (shares as REQUIREMENTS), so the recruited pool can cover every need."""
    r, acc = rng.random(), 0.0
    for name, share in REQUIREMENTS:
        acc += share
        if r < acc:
            return (name,)
    return ()


def _statutory_date(arrival: date, school_phase: bool) -> date:
    """The phase-transfer deadline this bundle works towards: the next 15 February or 31 March (the SLA clock's)."""
    deadline = derived_statutory_date("phase_transfer", () if school_phase else (POST16_REQUIREMENT,), arrival)
    assert deadline is not None  # a phase transfer always has one
    return deadline


def _daily_rates(config: SimulationConfig, cal: WorkingCalendar) -> dict[str, float]:
    """Per work type: expected arrivals on a working day whose month multiplier is 1."""
    year_days = list(cal.working_days(config.start, config.start + timedelta(days=364)))
    rates: dict[str, float] = {}
    for work_type, share, _ in WORK_TYPES:
        season = SEASON["phase_transfer" if work_type == "phase_transfer" else "other"]
        weighted_days = math.fsum(season[d.month] for d in year_days)
        rates[work_type] = config.annual_arrivals * share / weighted_days if weighted_days else 0.0
    return rates


def _make_bundles(config: SimulationConfig, cal: WorkingCalendar, rng: random.Random) -> list[SimBundle]:
    counts = np.random.default_rng(rng.getrandbits(64))
    rates = _daily_rates(config, cal)
    las = [f"la-{i:02d}" for i in range(1, N_LAS + 1)]
    bundles: list[SimBundle] = []
    for day in cal.working_days(config.start, config.end):
        for work_type, _, (lo, hi) in WORK_TYPES:
            season = SEASON["phase_transfer" if work_type == "phase_transfer" else "other"]
            for _ in range(int(counts.poisson(rates[work_type] * season[day.month]))):
                express = rng.random() < config.express_share
                turnaround = EXPRESS_TURNAROUND if express else TURNAROUND[work_type]
                due = cal.add_working_days(day, turnaround)
                weight = EXPRESS_WEIGHT if express else 1.0
                if work_type == "phase_transfer":
                    statutory = _statutory_date(day, rng.random() < SCHOOL_PHASE_SHARE)
                    # The LA finalises after the draft: the draft is wanted a working week before.
                    draft_by = cal.add_working_days(statutory, -5)
                    due = max(min(due, draft_by), cal.add_working_days(day, 3))
                    if cal.working_days_between(due, statutory) <= STATUTORY_CLOSE_WORKING_DAYS:
                        weight += 1.0
                elif rng.random() < 0.15:
                    weight += 1.0  # a statutory date close behind the draft (20-week or review clock)
                bundles.append(
                    SimBundle(
                        id=f"b-{len(bundles):06d}",
                        la=rng.choice(las),
                        work_type=work_type,
                        requires=_requirement(rng),
                        effort_hours=round(rng.uniform(lo, hi) * rng.choice((0.8, 1.0, 1.0, 1.25)), 1),
                        arrival=day,
                        due=due,
                        weight=weight,
                        express=express,
                    )
                )
    return bundles


def _make_leave(
    config: SimulationConfig, cal: WorkingCalendar, rng: random.Random, horizon_end: date
) -> frozenset[date]:
    """Planned leave: a summer block and short blocks spread over the year, `leave_days_per_year` a year."""
    span = (horizon_end - config.start).days + 1
    allowance = round(config.leave_days_per_year * span / 365)
    days = list(cal.working_days(config.start, horizon_end))
    if not days or allowance <= 0:
        return frozenset()
    leave: set[date] = set()
    summer = [d for d in days if d.month in (7, 8) and (d.month == 8 or d.day >= 20)]
    if summer and allowance >= 10:
        first = rng.randrange(len(summer))
        leave.update(summer[first : first + min(10, allowance // 2)])
    attempts = 0
    while len(leave) < allowance and attempts < 1000:
        attempts += 1
        first = rng.randrange(len(days))
        leave.update(days[first : first + min(rng.randint(1, 5), allowance - len(leave))])
    return frozenset(leave)


def _make_sickness(
    config: SimulationConfig, cal: WorkingCalendar, rng: random.Random, leave: frozenset[date]
) -> tuple[tuple[date, tuple[date, ...]], ...]:
    start_p = config.sickness_rate / MEAN_SICK_SPELL
    spells: list[tuple[date, tuple[date, ...]]] = []
    days = [d for d in cal.working_days(config.start, config.end) if d not in leave]
    i = 0
    while i < len(days):
        if rng.random() < start_p:
            # Geometric length with mean MEAN_SICK_SPELL working days.
            length = 1
            while rng.random() < 1 - 1 / MEAN_SICK_SPELL:
                length += 1
            spell = tuple(days[i : i + length])
            spells.append((spell[0], spell))
            i += length
        else:
            i += 1
    return tuple(spells)


def _cover(skills: list[set[str]], rng: random.Random) -> None:
    """A provider recruits for its contracts: each work type, alone and with each specialism, gets MIN_COVER writers."""
    need = min(MIN_COVER, len(skills))
    for work_type, _, _ in WORK_TYPES:
        for combo in ({work_type}, *({work_type, name} for name, _ in REQUIREMENTS)):
            have = [i for i, s in enumerate(skills) if combo <= s]
            while len(have) < need:
                i = rng.choice([i for i in range(len(skills)) if i not in have])
                skills[i] |= combo
                have.append(i)


def build_scenario(config: SimulationConfig) -> Scenario:
    """Draw the arrivals, the writer pool, its leave and its sickness from the seed."""
    config.validate()
    cal = WorkingCalendar(config.region)
    rng = random.Random(config.seed)
    bundles = _make_bundles(config, cal, random.Random(rng.getrandbits(64)))
    las = [f"la-{i:02d}" for i in range(1, N_LAS + 1)]
    wrng = random.Random(rng.getrandbits(64))
    horizon_end = config.end + timedelta(days=KNOWN_LEAVE_DAYS)
    # Skills as in the benchmark generator: each work type with probability 0.6, specialisms more rarely.
    skills: list[set[str]] = []
    for _ in range(config.writers):
        drawn = {wt for wt, _, _ in WORK_TYPES if wrng.random() < 0.6} or {"phase_transfer"}
        skills.append(drawn | {name for name, p in REQUIREMENTS if wrng.random() < min(0.9, 2.5 * p)})
    _cover(skills, wrng)
    writers: list[SimWriter] = []
    for i in range(config.writers):
        # Leave and sickness from their own streams, so changing their rates leaves the pool itself unchanged.
        leave = _make_leave(config, cal, random.Random(f"{config.seed}/leave/{i}"), horizon_end)
        writers.append(
            SimWriter(
                id=f"w-{i:04d}",
                hours_per_day=wrng.choice((3.0, 4.0, 5.0, 6.0, 6.0, 7.5)),
                skills=tuple(sorted(skills[i])),
                excluded_las=tuple(sorted(wrng.sample(las, wrng.choice((0, 0, 1, 1, 2))))),
                max_concurrent=wrng.randrange(4, 11),
                dbs_expires=horizon_end + timedelta(days=3 * 365),  # renewals are not modelled
                leave=leave,
                sick_spells=_make_sickness(config, cal, random.Random(f"{config.seed}/sickness/{i}"), leave),
            )
        )
    return Scenario(config=config, writers=tuple(writers), bundles=tuple(bundles))


def declines(seed: int, bundle_id: str, writer_id: str, rate: float) -> bool:
    """Whether this writer declines this bundle: one draw per (seed, bundle, writer), policy-independent."""
    if rate <= 0:
        return False
    return random.Random(f"{seed}/{bundle_id}/{writer_id}").random() < rate


# --- one policy through the scenario -------------------------------------------------------------------


@dataclass(frozen=True)
class DayRecord:
    day: date
    arrivals: int
    offers: int
    declined: int  # declined or timed out
    queued: int  # at the end of the day: not held by any writer
    in_progress: int  # held by a writer, not yet complete
    completed: int
    on_time: int
    completed_weight: float
    on_time_weight: float
    hours_worked: float
    hours_available: float
    round_seconds: float

    @property
    def backlog(self) -> int:
        return self.queued + self.in_progress


@dataclass(frozen=True)
class Completion:
    bundle: str
    writer: str
    day: date
    due: date
    weight: float

    @property
    def on_time(self) -> bool:
        return self.day <= self.due


@dataclass
class PolicyRun:
    policy: str
    days: list[DayRecord] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)  # at the end
    in_progress: dict[str, list[str]] = field(default_factory=dict)  # writer -> held bundles, at the end
    writer_hours: dict[str, dict[date, float]] = field(default_factory=dict)  # hours worked per writer per day
    seconds: float = 0.0  # in the policy itself


@dataclass
class _Held:
    bundle: SimBundle
    remaining: float


def _instance(
    scenario: Scenario,
    today: date,
    queue: Sequence[SimBundle],
    excluded: dict[str, set[str]],
    held: dict[str, list[_Held]],
    absences: dict[str, set[date]],
) -> Instance:
    known_until = today + timedelta(days=KNOWN_LEAVE_DAYS)
    # Per-bundle exclusions as conflicts of interest with the bundle's own LA name (see the module note).
    conflicts: dict[str, list[str]] = {w.id: list(w.excluded_las) for w in scenario.writers}
    la_of: dict[str, str] = {}
    for b in queue:
        out = excluded.get(b.id)
        if not out:
            la_of[b.id] = b.la
            continue
        own = f"{b.la}#{b.id}"
        la_of[b.id] = own
        for w in scenario.writers:
            if w.id in out or b.la in w.excluded_las:
                conflicts[w.id].append(own)
    return Instance.model_validate(
        {
            "now": today,
            "calendar": {"region": scenario.config.region},
            "writers": [
                {
                    "id": w.id,
                    "hours_per_day": w.hours_per_day,
                    "skills": list(w.skills),
                    "excluded_las": conflicts[w.id],
                    "max_concurrent": w.max_concurrent,
                    "active_bundles": len(held[w.id]),
                    "committed_hours": round(math.fsum(h.remaining for h in held[w.id]), 9),
                    "leave": sorted(d for d in absences[w.id] if today <= d <= known_until),
                    "dbs_expires": w.dbs_expires,
                }
                for w in scenario.writers
            ],
            "bundles": [
                {
                    "id": b.id,
                    "la": la_of[b.id],
                    "work_type": b.work_type,
                    "requires": list(b.requires),
                    "effort_hours": b.effort_hours,
                    "due": b.due,
                    "weight": b.weight,
                }
                for b in queue
            ],
        }
    )


def run_policy(scenario: Scenario, policy: str, allocator: Allocator | None = None) -> PolicyRun:
    """Run one allocation policy through the scenario, working day by working day."""
    config = scenario.config
    allocate_with = allocator or POLICIES[policy]
    cal = scenario.calendar
    arrivals: dict[date, list[SimBundle]] = {}
    for b in scenario.bundles:
        arrivals.setdefault(b.arrival, []).append(b)
    # What a round knows of absences: planned leave always; a sick spell from its first day on.
    absences: dict[str, set[date]] = {w.id: set(w.leave) for w in scenario.writers}
    spells_from: dict[date, list[tuple[str, tuple[date, ...]]]] = {}
    for w in scenario.writers:
        for first, spell in w.sick_spells:
            spells_from.setdefault(first, []).append((w.id, spell))
    sick: dict[str, frozenset[date]] = {w.id: w.sick_days for w in scenario.writers}

    run = PolicyRun(policy=policy, writer_hours={w.id: {} for w in scenario.writers})
    queue: list[SimBundle] = []
    excluded: dict[str, set[str]] = {}
    held: dict[str, list[_Held]] = {w.id: [] for w in scenario.writers}

    for today in cal.working_days(config.start, config.end):
        for writer_id, spell in spells_from.get(today, []):
            absences[writer_id].update(spell)
        new = arrivals.get(today, [])
        queue.extend(new)

        offers = declined = 0
        seconds = 0.0
        if queue and any(len(held[w.id]) < w.max_concurrent for w in scenario.writers):
            instance = _instance(scenario, today, queue, excluded, held, absences)
            started = time.perf_counter()
            allocation = allocate_with(instance)
            seconds = time.perf_counter() - started
            by_id = {b.id: b for b in queue}
            taken: set[str] = set()
            for a in sorted(allocation.assignments, key=lambda a: (a.writer, a.sequence)):
                offers += 1
                absent = today in absences[a.writer]
                if absent or declines(config.seed, a.bundle, a.writer, config.decline_rate):
                    declined += 1
                    excluded.setdefault(a.bundle, set()).add(a.writer)
                    continue
                held[a.writer].append(_Held(by_id[a.bundle], by_id[a.bundle].effort_hours))
                taken.add(a.bundle)
            queue = [b for b in queue if b.id not in taken]
            for bundle_id in taken:
                excluded.pop(bundle_id, None)
        run.seconds += seconds

        completed: list[Completion] = []
        worked = available = 0.0
        for w in scenario.writers:
            if today in w.leave or today in sick[w.id]:
                continue
            hours = w.hours_per_day
            available += hours
            work = held[w.id]
            while work and hours > EPS:
                step = min(hours, work[0].remaining)
                work[0].remaining -= step
                hours -= step
                if work[0].remaining <= EPS:
                    done = work.pop(0).bundle
                    completed.append(Completion(done.id, w.id, today, done.due, done.weight))
            spent = w.hours_per_day - hours
            if spent > EPS:
                run.writer_hours[w.id][today] = spent
            worked += spent
        run.completions.extend(completed)
        run.days.append(
            DayRecord(
                day=today,
                arrivals=len(new),
                offers=offers,
                declined=declined,
                queued=len(queue),
                in_progress=sum(len(h) for h in held.values()),
                completed=len(completed),
                on_time=sum(1 for c in completed if c.on_time),
                completed_weight=math.fsum(c.weight for c in completed),
                on_time_weight=math.fsum(c.weight for c in completed if c.on_time),
                hours_worked=worked,
                hours_available=available,
                round_seconds=seconds,
            )
        )
    run.queued = [b.id for b in queue]
    run.in_progress = {wid: [h.bundle.id for h in items] for wid, items in held.items() if items}
    return run


# --- measures -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    """SLA attainment, backlog and utilisation over a span of working days."""

    arrivals: int
    completed: int
    on_time: int
    on_time_share: float | None  # of the bundles completed
    on_time_weight_share: float | None
    mean_backlog: float
    peak_backlog: int
    peak_backlog_day: date | None
    hours_worked: float
    hours_available: float
    utilisation: float | None
    offers: int
    declined: int

    def as_json(self) -> dict[str, object]:
        return {
            "arrivals": self.arrivals,
            "completed": self.completed,
            "on_time": self.on_time,
            "on_time_share": _r(self.on_time_share),
            "on_time_weight_share": _r(self.on_time_weight_share),
            "mean_backlog": round(self.mean_backlog, 2),
            "peak_backlog": self.peak_backlog,
            "peak_backlog_day": self.peak_backlog_day.isoformat() if self.peak_backlog_day else None,
            "hours_worked": round(self.hours_worked, 1),
            "hours_available": round(self.hours_available, 1),
            "utilisation": _r(self.utilisation),
            "offers": self.offers,
            "declined": self.declined,
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > EPS else None


def measure(days: Iterable[DayRecord]) -> Measures:
    records = list(days)
    peak = max(records, key=lambda r: (r.backlog, -r.day.toordinal()), default=None)
    worked = math.fsum(r.hours_worked for r in records)
    available = math.fsum(r.hours_available for r in records)
    completed = sum(r.completed for r in records)
    on_time = sum(r.on_time for r in records)
    return Measures(
        arrivals=sum(r.arrivals for r in records),
        completed=completed,
        on_time=on_time,
        on_time_share=_ratio(on_time, completed),
        on_time_weight_share=_ratio(
            math.fsum(r.on_time_weight for r in records), math.fsum(r.completed_weight for r in records)
        ),
        mean_backlog=(sum(r.backlog for r in records) / len(records)) if records else 0.0,
        peak_backlog=peak.backlog if peak else 0,
        peak_backlog_day=peak.day if peak else None,
        hours_worked=worked,
        hours_available=available,
        utilisation=_ratio(worked, available),
        offers=sum(r.offers for r in records),
        declined=sum(r.declined for r in records),
    )


def by_month(run: PolicyRun) -> dict[str, Measures]:
    months: dict[str, list[DayRecord]] = {}
    for r in run.days:
        months.setdefault(f"{r.day:%Y-%m}", []).append(r)
    return {month: measure(records) for month, records in months.items()}


def overdue_open(scenario: Scenario, run: PolicyRun) -> int:
    """Bundles still open at the end whose due date has passed: late already, though not yet completed."""
    due = {b.id: b.due for b in scenario.bundles}
    open_ids = [*run.queued, *(b for items in run.in_progress.values() for b in items)]
    return sum(1 for b in open_ids if due[b] < scenario.config.end)


@dataclass
class SimulationResult:
    scenario: Scenario
    runs: dict[str, PolicyRun]

    def as_json(self) -> dict[str, object]:
        config = self.scenario.config
        return {
            "config": {
                "start": config.start.isoformat(),
                "days": config.days,
                "seed": config.seed,
                "writers": config.writers,
                "arrivals_per_year": config.annual_arrivals,
                "decline_rate": config.decline_rate,
                "sickness_rate": config.sickness_rate,
                "leave_days_per_year": config.leave_days_per_year,
                "express_share": config.express_share,
            },
            "working_days": len(next(iter(self.runs.values())).days) if self.runs else 0,
            "never_eligible": len(self.scenario.never_eligible()),
            "policies": {
                name: {
                    "summary": measure(run.days).as_json()
                    | {
                        "queued_at_end": len(run.queued),
                        "in_progress_at_end": sum(len(v) for v in run.in_progress.values()),
                        "overdue_open_at_end": overdue_open(self.scenario, run),
                        "policy_seconds": round(run.seconds, 3),
                    },
                    "months": {m: x.as_json() for m, x in by_month(run).items()},
                }
                for name, run in self.runs.items()
            },
        }


def simulate(config: SimulationConfig, policies: Sequence[str] = ("engine", "naive")) -> SimulationResult:
    """Build the scenario once and run each policy through it."""
    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        raise InvalidSimulation("policies", f"among {', '.join(POLICIES)} (got {', '.join(unknown)})")
    scenario = build_scenario(config)
    return SimulationResult(scenario=scenario, runs={p: run_policy(scenario, p) for p in policies})


def rolling_on_time(run: PolicyRun, window: int = 20) -> list[float | None]:
    """Per working day: the on-time share of the bundles completed in the last `window` working days."""
    shares: list[float | None] = []
    for i in range(len(run.days)):
        span = run.days[max(0, i - window + 1) : i + 1]
        shares.append(_ratio(sum(r.on_time for r in span), sum(r.completed for r in span)))
    return shares
