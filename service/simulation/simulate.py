"""The allocation simulator: a season or a year of arrivals, day by day, through real allocation policies.

Plain data in (a `SimulationConfig`), results out; seeded and deterministic. Nothing here touches the
database, the web layer or the broker: the simulator builds the same `Instance` the service builds for a
round and calls the same engine (`allocate`), or one of the baselines, for comparison (`POLICIES`).

The model, per working day (weekends, bank holidays: no arrivals, no work):

1. **Arrivals**: per work type a Poisson count at a seasonal rate (phase transfers peak from November to
   February ahead of the 15 February transfer deadline; new assessments rise in the spring rush), spread over
   `las` local authorities. Each bundle has pages and an area of need; its estimate is the service's own
   effort table (`service.allocation.effort.effort_hours`). `due` is the arrival plus the work type's
   turnaround in working days (express: 5, a share of bundles, weight 1.5); a school-phase transfer's draft is
   also due a week before 15 February (31 March for post-16 moves), and its weight rises by 1 when that
   statutory date is close behind the draft.
2. **True effort** differs from the estimate: each writer has a speed factor (log-normal, `speed_spread`),
   a little different per work type, stronger on long bundles (a slow writer is slower still on 150 pages),
   and each (bundle, writer) a noise factor (`effort_noise`). Both are centred so the estimate is right on
   average over the pool.
3. **Round**: the queued bundles and every writer (held work as `active_bundles` and `committed_hours`,
   planned leave and the sick days already reported as `leave`) make an `Instance`; the policy allocates.
   How the engine's policies read effort (fixed estimates, learned estimates, hindsight) is the policy's
   (`Policy`): a writer's speed factor scales their hours a day in the instance, which is exactly the same
   plan as scaling every effort for that writer.
4. **Offers**: each assignment is an offer. A writer absent today lets it time out; otherwise it is declined
   with the configured probability, or times out (`timeout_rate`: no answer within the working-day window,
   so the bundle waits a day longer). Either way the bundle goes back to the queue with that writer excluded
   for it. The instance format has no per-bundle exclusion, so the simulator expresses one exactly through
   the existing conflict-of-interest rule: the bundle is given its own LA name (``la-03#b-00042``) and every
   writer excluded for it, plus every writer already conflicted with its real LA, lists that name in
   `excluded_las`. Eligibility is then precisely "eligible and not excluded".
5. **Work**: each present writer spends `hours_per_day` on its held bundles in the order they were
   accepted (a round's bundles in the policy's `sequence`), skipping one waiting for QA's verdict.
6. **QA**: a finished draft passes first time with a probability that depends on the writer and the
   bundle's area of need; a return costs `qa_days` working days before the writer gets it back, and rework
   of `rework_share` of the draft's effort (at most `MAX_RETURNS` returns). A bundle is complete when its
   draft passes; it is on time when that day is on or before its `due`.

The platforms' rules route only to writers online today (not on leave, not off sick), as TaskRouter and
Omni-Channel route only to available agents. Offers are answered on the day they are made (one round a day;
the service's window is a working day).
A bundle no writer in the pool can take (skills, conflicts) stays queued under every policy; it is counted
(`Scenario.never_eligible`) and stays in the backlog. Sickness is not known in advance: a spell becomes
leave (known to the engine) on the day it starts, for its whole length. Held bundles stay with a sick
writer unless the policy re-plans (`Policy.replan`: unstarted bundles the spell would make late go back
to the queue, each move counted as a change).

Fairness of the comparison: arrivals, leave, sickness and writers' true speed and quality are drawn once per
scenario, before any policy runs; a decline, a timeout, an effort's noise and a QA verdict are drawn from
(seed, bundle, writer[, attempt]), so the same offer gets the same answer and the same work takes the same
time under every policy.
"""

from __future__ import annotations

import functools
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from contracts.allocation import Allocation, Instance
from service.allocation.effort import effort_hours
from service.allocation.engine import allocate, eligible, free_slots, naive_allocate
from service.allocation.fairness import over_share
from service.allocation.learning import (
    DEFAULT_PRIOR_STRENGTH,
    Estimates,
    effort_factor,
    in_weak_tail,
    keep_off,
    page_band,
    within_quality_cost,
)
from service.calendar import REGIONS, WorkingCalendar
from service.sla.clock import POST16_REQUIREMENT, derived_statutory_date

EPS = 1e-9  # hours

# The work mix: share of bundles, and the median and spread (log-normal sigma) of a bundle's pages. Medians
# put the effort table's estimates where the benchmark generator's effort ranges are (5 to 22 hours).
WORK_TYPES: tuple[tuple[str, float, tuple[float, float]], ...] = (
    ("new_plan", 0.30, (45.0, 0.7)),
    ("phase_transfer", 0.35, (38.0, 0.7)),
    ("annual_review_amendment", 0.22, (31.0, 0.7)),
    ("reassessment", 0.09, (36.0, 0.7)),
    ("statement_transfer", 0.04, (33.0, 0.7)),
)
REQUIREMENTS: tuple[tuple[str, float], ...] = (
    ("post16", 0.15),
    ("early_years", 0.08),
    ("autism_specialist", 0.10),
    ("sensory", 0.05),
)
# The SEND Code of Practice's four broad areas of need: a bundle's primary one decides QA's difficulty.
AREAS: tuple[str, ...] = ("communication_interaction", "cognition_learning", "semh", "sensory_physical")
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
# February ahead of the 15 February deadline; new assessments (new plans, reassessments) rise in the
# spring rush (March to May); everything dips in August and at Christmas. Over all work the busiest month
# (January) brings about twice the monthly mean, as in the field.
SEASON: dict[str, tuple[float, ...]] = {
    "phase_transfer": (0.0, 3.6, 1.2, 0.5, 0.25, 0.25, 0.25, 0.15, 0.05, 0.25, 0.5, 1.6, 2.2),
    "new_assessment": (0.0, 1.0, 1.0, 1.5, 1.6, 1.4, 1.0, 0.8, 0.4, 0.8, 1.0, 1.0, 0.7),
    "other": (0.0, 1.0, 1.0, 1.1, 0.9, 1.1, 1.1, 1.0, 0.5, 1.0, 1.1, 1.1, 0.8),
}
NEW_ASSESSMENT = frozenset({"new_plan", "reassessment"})
SCHOOL_PHASE_SHARE = 0.8  # of phase transfers: school-phase moves (15 February); the rest post-16 (31 March)
MIN_COVER = 2  # writers per work type and per (work type, specialism)
MEAN_SICK_SPELL = 3.0  # working days
N_LAS = 14
KNOWN_LEAVE_DAYS = 120  # how far ahead planned leave is known to a round
ARRIVALS_PER_WRITER = 90.0  # a year: the pool works about 3/4 of its hours over a year, near all at the peak
MAX_RETURNS = 2  # QA returns a bundle at most this often; the next draft passes
# The longer the bundle, the more a writer's speed shows: the speed factor is raised to this power per band.
BAND_EXPONENT: dict[str, float] = {"up_to_50": 1.0, "51_to_150": 1.3, "over_150": 1.7}
TYPE_SPREAD = 0.1  # log-normal sigma of a writer's speed per work type around their own


def _season(work_type: str) -> tuple[float, ...]:
    if work_type == "phase_transfer":
        return SEASON["phase_transfer"]
    return SEASON["new_assessment" if work_type in NEW_ASSESSMENT else "other"]


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
    las: int = N_LAS
    hours_scale: float = 1.0  # multiplies every writer's hours a day (a pool with less time for this service)
    timeout_rate: float = 0.05  # share of offers (not declined) left unanswered in the window
    speed_spread: float = 0.25  # log-normal sigma of writers' speed factors
    effort_noise: float = 0.2  # log-normal sigma of one bundle's true effort around the writer's speed
    qa_pass_rate: float = 0.8  # the pool's first-time QA pass rate
    quality_spread: float = 0.8  # sigma, in log-odds, of writers' pass rates (half that again per area)
    rework_share: float = 0.3  # of the draft's effort, for each QA return
    qa_days: int = 1  # working days before a returned draft is back with the writer
    quality_cost_limit: float = 0.02  # quality may cost a round at most this share of its planned on-time weight
    quality_weight: float = 1.0  # quality policies: a likely QA return counts this many times its rework
    fair_share_tolerance: float = 0.1  # fair-share policies: utilisation this far above the peers' is too much
    prior_strength: float = DEFAULT_PRIOR_STRENGTH  # pseudo-observations of the pool in learned figures

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
            ("las", 1 <= self.las <= 500, "between 1 and 500"),
            ("hours_scale", 0.1 <= self.hours_scale <= 3.0, "between 0.1 and 3"),
            ("timeout_rate", 0.0 <= self.timeout_rate <= 1.0, "between 0 and 1"),
            ("speed_spread", 0.0 <= self.speed_spread <= 1.0, "between 0 and 1"),
            ("effort_noise", 0.0 <= self.effort_noise <= 1.0, "between 0 and 1"),
            ("qa_pass_rate", 0.0 < self.qa_pass_rate <= 1.0, "above 0 and at most 1"),
            ("quality_spread", 0.0 <= self.quality_spread <= 3.0, "between 0 and 3"),
            ("rework_share", 0.0 <= self.rework_share <= 2.0, "between 0 and 2"),
            ("qa_days", 0 <= self.qa_days <= 20, "between 0 and 20"),
            ("quality_cost_limit", 0.0 <= self.quality_cost_limit <= 1.0, "between 0 and 1"),
            ("fair_share_tolerance", 0.0 <= self.fair_share_tolerance <= 1.0, "between 0 and 1"),
            ("prior_strength", 0.0 <= self.prior_strength <= 1000.0, "between 0 and 1000"),
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
    speed: float = 1.0  # true hours over estimated, on a short bundle of an average work type
    type_speed: tuple[tuple[str, float], ...] = ()  # per work type, multiplying `speed`; absent: 1
    pass_logit: tuple[tuple[str, float], ...] = ()  # per area of need: log-odds of a first-time pass

    @property
    def sick_days(self) -> frozenset[date]:
        return frozenset(d for _, days in self.sick_spells for d in days)

    def speed_factor(self, work_type: str, pages: int) -> float:
        """True hours over estimated for this writer on this kind of bundle (before one bundle's noise)."""
        base = self.speed * dict(self.type_speed).get(work_type, 1.0)
        return float(base ** BAND_EXPONENT[page_band(pages)])

    def pass_probability(self, area: str) -> float:
        """The true chance this writer's first draft in this area passes QA (1 when not modelled)."""
        logit = dict(self.pass_logit).get(area)
        return 1.0 if logit is None else 1.0 / (1.0 + math.exp(-logit))


@dataclass(frozen=True)
class SimBundle:
    id: str
    la: str
    work_type: str
    requires: tuple[str, ...]
    effort_hours: float  # the estimate: the service's effort table for the work type and pages
    arrival: date
    due: date
    weight: float
    express: bool
    pages: int = 0
    area: str = AREAS[0]


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

    def true_effort(self, bundle: SimBundle, writer: SimWriter) -> float:
        """The hours this bundle's first draft really takes this writer: the same under every policy."""
        noise = 1.0
        sigma = self.config.effort_noise
        if sigma > 0:
            z = random.Random(f"{self.config.seed}/effort/{bundle.id}/{writer.id}").gauss(0.0, 1.0)
            noise = math.exp(sigma * z - sigma * sigma / 2)
        return max(0.1, bundle.effort_hours * writer.speed_factor(bundle.work_type, bundle.pages) * noise)

    def passes_qa(self, bundle: SimBundle, writer: SimWriter, attempt: int) -> bool:
        """QA's verdict on this writer's `attempt`-th draft (0: the first) of this bundle."""
        if attempt >= MAX_RETURNS:
            return True
        p = writer.pass_probability(bundle.area)
        return random.Random(f"{self.config.seed}/qa/{bundle.id}/{writer.id}/{attempt}").random() < p


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
        season = _season(work_type)
        weighted_days = math.fsum(season[d.month] for d in year_days)
        rates[work_type] = config.annual_arrivals * share / weighted_days if weighted_days else 0.0
    return rates


def _make_bundles(config: SimulationConfig, cal: WorkingCalendar, rng: random.Random) -> list[SimBundle]:
    counts = np.random.default_rng(rng.getrandbits(64))
    rates = _daily_rates(config, cal)
    las = [f"la-{i:02d}" for i in range(1, config.las + 1)]
    # LAs differ in size: a few large counties and many smaller authorities.
    la_weights = [1.0 / (1 + 0.15 * i) for i in range(len(las))]
    bundles: list[SimBundle] = []
    for day in cal.working_days(config.start, config.end):
        for work_type, _, (median_pages, sigma) in WORK_TYPES:
            season = _season(work_type)
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
                pages = max(5, round(median_pages * math.exp(sigma * rng.gauss(0.0, 1.0))))
                requires = _requirement(rng)
                area = _area(requires, rng)
                bundles.append(
                    SimBundle(
                        id=f"b-{len(bundles):06d}",
                        la=rng.choices(las, la_weights)[0],
                        work_type=work_type,
                        requires=requires,
                        effort_hours=effort_hours(work_type, pages),
                        arrival=day,
                        due=due,
                        weight=weight,
                        express=express,
                        pages=pages,
                        area=area,
                    )
                )
    return bundles


def _area(requires: tuple[str, ...], rng: random.Random) -> str:
    """The primary area of need: a specialism implies one; otherwise drawn."""
    if "autism_specialist" in requires:
        return "communication_interaction"
    if "sensory" in requires:
        return "sensory_physical"
    return rng.choices(AREAS, (0.35, 0.3, 0.25, 0.1))[0]


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


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def build_scenario(config: SimulationConfig) -> Scenario:
    """Draw the arrivals, the writer pool, its speed, quality, leave and sickness from the seed."""
    config.validate()
    cal = WorkingCalendar(config.region)
    rng = random.Random(config.seed)
    bundles = _make_bundles(config, cal, random.Random(rng.getrandbits(64)))
    las = [f"la-{i:02d}" for i in range(1, config.las + 1)]
    wrng = random.Random(rng.getrandbits(64))
    horizon_end = config.end + timedelta(days=KNOWN_LEAVE_DAYS)
    # Skills as in the benchmark generator: each work type with probability 0.6, specialisms more rarely.
    skills: list[set[str]] = []
    for _ in range(config.writers):
        drawn = {wt for wt, _, _ in WORK_TYPES if wrng.random() < 0.6} or {"phase_transfer"}
        skills.append(drawn | {name for name, p in REQUIREMENTS if wrng.random() < min(0.9, 2.5 * p)})
    _cover(skills, wrng)
    writers: list[SimWriter] = []
    base_logit = _logit(config.qa_pass_rate)
    for i in range(config.writers):
        # Leave, sickness, speed and quality from their own streams, so changing one setting leaves the rest alone.
        leave = _make_leave(config, cal, random.Random(f"{config.seed}/leave/{i}"), horizon_end)
        srng = random.Random(f"{config.seed}/speed/{i}")
        s = config.speed_spread
        speed = math.exp(srng.gauss(-s * s / 2, s))
        type_speed = tuple((wt, math.exp(srng.gauss(0.0, TYPE_SPREAD) if s > 0 else 0.0)) for wt, _, _ in WORK_TYPES)
        qrng = random.Random(f"{config.seed}/quality/{i}")
        q = config.quality_spread
        own = qrng.gauss(0.0, q)
        pass_logit = tuple((area, base_logit + own + qrng.gauss(0.0, q / 2)) for area in AREAS)
        writers.append(
            SimWriter(
                id=f"w-{i:04d}",
                hours_per_day=round(wrng.choice((3.0, 4.0, 5.0, 6.0, 6.0, 7.5)) * config.hours_scale, 2),
                skills=tuple(sorted(skills[i])),
                excluded_las=tuple(sorted(wrng.sample(las, min(len(las), wrng.choice((0, 0, 1, 1, 2)))))),
                max_concurrent=wrng.randrange(4, 11),
                dbs_expires=horizon_end + timedelta(days=3 * 365),  # renewals are not modelled
                leave=leave,
                sick_spells=_make_sickness(config, cal, random.Random(f"{config.seed}/sickness/{i}"), leave),
                speed=speed,
                type_speed=type_speed,
                pass_logit=pass_logit if config.qa_pass_rate < 1.0 else (),
            )
        )
    return Scenario(config=config, writers=tuple(writers), bundles=tuple(bundles))


def declines(seed: int, bundle_id: str, writer_id: str, rate: float) -> bool:
    """Whether this writer declines this bundle: one draw per (seed, bundle, writer), policy-independent."""
    if rate <= 0:
        return False
    return random.Random(f"{seed}/{bundle_id}/{writer_id}").random() < rate


def times_out(seed: int, bundle_id: str, writer_id: str, rate: float) -> bool:
    """Whether this writer leaves this offer unanswered in its window: one draw per (seed, bundle, writer)."""
    if rate <= 0:
        return False
    return random.Random(f"{seed}/timeout/{bundle_id}/{writer_id}").random() < rate


# --- policies -------------------------------------------------------------------------------------------

Allocator = Callable[[Instance], Allocation]
Plan = list[tuple[str, str]]  # offers as (bundle, writer), each writer's in its working order


@dataclass
class _Held:
    bundle: SimBundle
    remaining: float  # true hours left on the current draft
    planned: float = 0.0  # hours the policy expects the bundle to take this writer (its estimate)
    worked: float = 0.0  # hours spent on it so far
    attempt: int = 0  # drafts returned by QA so far
    ready: date | None = None  # back from QA on this day; until then the writer works on other bundles
    draft_hours: float = 0.0  # the first draft's true effort, for the learned estimates

    @property
    def started(self) -> bool:
        return self.worked > EPS or self.attempt > 0

    @property
    def expected_left(self) -> float:
        """What a round believes is left: the plan less the hours logged (never below an hour while open)."""
        return max(min(1.0, self.remaining), self.planned - self.worked)


@dataclass
class RoundView:
    """What a policy sees on a round: the queue, who holds what, known absences, what has been learned."""

    today: date
    scenario: Scenario
    queue: list[SimBundle]  # in arrival order
    excluded: dict[str, set[str]]  # bundle -> writers who declined it or let it time out
    held: dict[str, list[_Held]]
    absences: dict[str, set[date]]  # what a round knows: planned leave, sick spells from their first day
    last_assigned: dict[str, tuple[date, int]]  # writer -> when they last accepted work (day, order that day)
    estimates: Estimates
    utilisation: dict[str, float | None]  # writer -> worked over available hours in the last 60 working days


@dataclass(frozen=True)
class Policy:
    """One way of choosing who gets what; `rule` names the chooser, the rest says what the engine reads."""

    name: str
    rule: str  # engine | naive | fcfs | longest_idle | most_available
    description: str
    estimates: str = "fixed"  # fixed | learned | hindsight
    quality: bool = False
    fair_share: bool = False
    replan: bool = False


POLICIES: dict[str, Policy] = {
    p.name: p
    for p in (
        Policy("engine", "engine", "the allocation engine on the effort table's estimates, skills only"),
        Policy("engine-learned", "engine", "the engine on learned estimates per writer", estimates="learned"),
        Policy(
            "engine-quality",
            "engine",
            "learned estimates and first-time pass rates: a likely QA return's rework counts as effort; with "
            "quality_cost_limit > 0 weaker writers for the bundle's area are also kept off it while the round "
            "loses at most that share of its planned on-time weight",
            estimates="learned",
            quality=True,
        ),
        Policy(
            "engine-fair",
            "engine",
            "engine-quality plus a soft fair-share target among writers on the same hours",
            estimates="learned",
            quality=True,
            fair_share=True,
        ),
        Policy(
            "engine-replan",
            "engine",
            "engine-quality that also moves unstarted work off a writer who is ill or running late",
            estimates="learned",
            quality=True,
            replan=True,
        ),
        Policy("naive", "naive", "earliest due first to the least-loaded eligible writer (engine.naive_allocate)"),
        Policy("fcfs", "fcfs", "first come first served (by arrival) to the least-loaded eligible writer"),
        Policy(
            "longest-idle",
            "longest_idle",
            "Twilio TaskRouter's default: oldest task first to the eligible writer with a free slot idle longest",
        ),
        Policy(
            "most-available",
            "most_available",
            "Salesforce Omni-Channel's Most Available: oldest item first to the eligible writer with the most "
            "free capacity (fewest active items on a tie)",
        ),
        Policy(
            "hindsight",
            "engine",
            "reference: the engine told each writer's true speed, expected rework and every sick day in advance",
            estimates="hindsight",
        ),
    )
}
BASELINES = ("fcfs", "longest-idle", "most-available")


def _writer_factors(view: RoundView, policy: Policy) -> dict[str, float]:
    """Per writer: expected real hours per estimated hour on the queue's bundles it could take.

    The engine's effort is per bundle, so a writer's learned speed on this round's queue (weighted by the
    estimates of the queued bundles the writer has the skills for) scales their hours a day instead.
    With quality, the expected rework hours of a QA return count as effort too.
    """
    config = view.scenario.config
    groups: dict[tuple[str, str, tuple[str, ...], str], float] = {}
    for b in view.queue:
        key = (b.work_type, page_band(b.pages), b.requires, b.area)
        groups[key] = groups.get(key, 0.0) + b.effort_hours
    factors: dict[str, float] = {}
    for w in view.scenario.writers:
        if policy.estimates == "hindsight":  # the truth, and a return's expected rework, always
            factors[w.id] = effort_factor(groups, set(w.skills), w.speed_factor, w.pass_probability,
                                          rework_share=config.rework_share)
            continue
        factors[w.id] = effort_factor(
            groups, set(w.skills), functools.partial(view.estimates.speed_value, w.id),
            functools.partial(view.estimates.pass_rate_value, w.id) if policy.quality else None,
            quality_weight=config.quality_weight, rework_share=config.rework_share)
    return factors


def _instance(
    view: RoundView,
    factors: dict[str, float] | None = None,
    absences: dict[str, set[date]] | None = None,
    closed: frozenset[str] = frozenset(),
    kept_off: dict[str, set[str]] | None = None,
) -> Instance:
    """The round's instance. `factors` scale each writer's hours a day (and held work) to estimate-hours;
    `closed` writers take no new work; `kept_off` adds per-bundle exclusions to the declined ones."""
    scenario, today = view.scenario, view.today
    known = absences or view.absences
    factors = factors or {}
    known_until = today + timedelta(days=KNOWN_LEAVE_DAYS)
    # Per-bundle exclusions as conflicts of interest with the bundle's own LA name (see the module note).
    conflicts: dict[str, list[str]] = {w.id: list(w.excluded_las) for w in scenario.writers}
    la_of: dict[str, str] = {}
    for b in view.queue:
        out = view.excluded.get(b.id, set()) | (kept_off or {}).get(b.id, set())
        if not out:
            la_of[b.id] = b.la
            continue
        own = f"{b.la}#{b.id}"
        la_of[b.id] = own
        for w in scenario.writers:
            if w.id in out or b.la in w.excluded_las:
                conflicts[w.id].append(own)
    writers = []
    for w in scenario.writers:
        f = factors.get(w.id, 1.0)
        held = view.held[w.id]
        writers.append(
            {
                "id": w.id,
                "hours_per_day": w.hours_per_day / f,
                "skills": list(w.skills),
                "excluded_las": conflicts[w.id],
                "max_concurrent": len(held) if w.id in closed else w.max_concurrent,
                "active_bundles": len(held),
                "committed_hours": round(math.fsum(h.expected_left for h in held) / f, 9),
                "leave": sorted(d for d in known[w.id] if today <= d <= known_until),
                "dbs_expires": w.dbs_expires,
            }
        )
    return Instance.model_validate(
        {
            "now": today,
            "calendar": {"region": scenario.config.region},
            "writers": writers,
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
                for b in view.queue
            ],
        }
    )


def _pairs(allocation: Allocation) -> Plan:
    return [(a.bundle, a.writer) for a in sorted(allocation.assignments, key=lambda a: (a.writer, a.sequence))]


def _kept_off_for_quality(view: RoundView) -> dict[str, set[str]]:
    """Per queued bundle: the writers in the weak tail for its area (learning.in_weak_tail), unless that would
    leave the bundle none of the writers who could take it (learning.keep_off)."""
    kept_off: dict[str, set[str]] = {}
    cache: dict[tuple[str, str], bool] = {}

    def weak(writer: str, area: str) -> bool:
        if (writer, area) not in cache:
            cache[(writer, area)] = in_weak_tail(view.estimates, writer, [area])
        return cache[(writer, area)]

    for b in view.queue:
        out = view.excluded.get(b.id, set())
        able = [
            w.id
            for w in view.scenario.writers
            if b.work_type in w.skills
            and set(b.requires) <= set(w.skills)
            and b.la not in w.excluded_las
            and w.id not in out
        ]
        below = keep_off(able, functools.partial(weak, area=b.area))
        if below:
            kept_off[b.id] = below
    return kept_off


def _over_share(view: RoundView, tolerance: float) -> frozenset[str]:
    """Writers whose recent utilisation is more than `tolerance` above the mean of writers on the same hours."""
    return over_share({w.id: view.utilisation.get(w.id) for w in view.scenario.writers},
                      {w.id: w.hours_per_day for w in view.scenario.writers}, tolerance)


@dataclass
class RoundOutcome:
    plan: Plan
    seconds: float = 0.0
    restricted_used: bool | None = None  # quality/fair-share plan kept (within the cost limit) or not
    on_time_weight: float | None = None  # the plan's planned on-time weight
    unrestricted_weight: float | None = None


def _engine_round(view: RoundView, policy: Policy, allocator: Allocator) -> RoundOutcome:
    config = view.scenario.config
    factors = None if policy.estimates == "fixed" and not policy.quality else _writer_factors(view, policy)
    absences = None
    if policy.estimates == "hindsight":
        absences = {w.id: set(view.absences[w.id]) | set(w.sick_days) for w in view.scenario.writers}
    started = time.perf_counter()
    kept_off: dict[str, set[str]] = {}
    if policy.quality and config.quality_cost_limit > 0:
        kept_off = _kept_off_for_quality(view)
    allocation = allocator(_instance(view, factors, absences))
    outcome = RoundOutcome(_pairs(allocation), on_time_weight=allocation.stats.on_time_weight)
    closed = _over_share(view, config.fair_share_tolerance) if policy.fair_share else frozenset()
    if kept_off or closed:
        restricted = allocator(_instance(view, factors, absences, closed, kept_off))
        outcome.unrestricted_weight = allocation.stats.on_time_weight
        outcome.restricted_used = within_quality_cost(
            allocation.stats.on_time_weight, restricted.stats.on_time_weight, config.quality_cost_limit,
            placed_before=allocation.stats.assigned, placed_after=restricted.stats.assigned)
        if outcome.restricted_used:
            outcome.plan = _pairs(restricted)
            outcome.on_time_weight = restricted.stats.on_time_weight
    outcome.seconds = time.perf_counter() - started
    return outcome


def platform_round(view: RoundView, policy: Policy) -> RoundOutcome:
    """The platforms' rules: work items oldest first, each to one eligible writer with a free slot."""
    started = time.perf_counter()
    instance = _instance(view)
    free = {w.id: free_slots(w) for w in instance.writers}
    load = {w.id: w.committed_hours for w in instance.writers}
    active = {w.id: w.active_bundles for w in instance.writers}
    idle_since = dict(view.last_assigned)
    order = {w.id: i for i, w in enumerate(instance.writers)}
    plan: Plan = []
    # A writer on leave or off sick is offline: the platforms route only to writers available now.
    online = [w for w in instance.writers if view.today not in view.absences[w.id]]
    for b in instance.bundles:  # the queue is in arrival order
        cands = [w for w in online if free[w.id] > 0 and eligible(w, b)]
        if not cands:
            continue
        if policy.rule == "fcfs":
            pick = min(cands, key=lambda w: (load[w.id], order[w.id]))
        elif policy.rule == "longest_idle":
            pick = min(cands, key=lambda w: (idle_since[w.id], order[w.id]))
        elif policy.rule == "most_available":
            pick = max(cands, key=lambda w: (free[w.id], -active[w.id], -order[w.id]))
        else:  # pragma: no cover - POLICIES names only known rules
            raise ValueError(policy.rule)
        plan.append((b.id, pick.id))
        free[pick.id] -= 1
        active[pick.id] += 1
        load[pick.id] += b.effort_hours
        idle_since[pick.id] = (view.today, len(plan))  # just given work: the least idle now
    return RoundOutcome(plan, time.perf_counter() - started)


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
    accepted: int = 0
    timed_out: int = 0
    changes: int = 0  # held bundles moved off their writer by re-planning

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
    lateness: int = 0  # working days after due
    returns: int = 0  # QA returns before the draft passed
    area: str = AREAS[0]

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
    writer_available: dict[str, float] = field(default_factory=dict)  # hours present over the run
    seconds: float = 0.0  # in the policy itself
    restricted_rounds: int = 0  # rounds with a quality/fair-share restriction to weigh
    restricted_kept: int = 0  # of those, rounds whose restricted plan was within the cost limit
    planned_cost: float = 0.0  # planned on-time weight given up by the restricted plans kept
    estimates: Estimates | None = None  # what the policy learned (learned-estimate policies)


def _late_unstarted(
    scenario: Scenario, w: SimWriter, items: list[_Held], today: date, absent: set[date]
) -> list[_Held]:
    """Unstarted held bundles that the writer's expected hours (known absences counted) finish after due."""
    cal = scenario.calendar
    late: list[_Held] = []
    running = 0.0
    day = today
    hours = 0.0
    for h in items:
        running += h.expected_left
        while hours + EPS < running:
            if day not in absent:
                hours += w.hours_per_day
            if hours + EPS >= running:
                break
            day = cal.add_working_days(day, 1)
            if (day - today).days > 400:
                break
        if not h.started and day > h.bundle.due:
            late.append(h)
    return late


def run_policy(scenario: Scenario, policy: str | Policy, allocator: Allocator | None = None) -> PolicyRun:
    """Run one allocation policy through the scenario, working day by working day.

    `allocator` replaces the engine (or naive) call of an engine-rule policy; tests use it to watch rounds.
    """
    chosen = policy if isinstance(policy, Policy) else POLICIES[policy]
    config = scenario.config
    default_allocator: Allocator = naive_allocate if chosen.rule == "naive" else allocate
    allocate_with = allocator or default_allocator
    cal = scenario.calendar
    writers = {w.id: w for w in scenario.writers}
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

    run = PolicyRun(
        policy=chosen.name,
        writer_hours={w.id: {} for w in scenario.writers},
        writer_available={w.id: 0.0 for w in scenario.writers},
    )
    queue: list[SimBundle] = []
    waiting: dict[date, list[SimBundle]] = {}  # offers timed out: back in the queue on that day
    excluded: dict[str, set[str]] = {}
    held: dict[str, list[_Held]] = {w.id: [] for w in scenario.writers}
    estimates = Estimates(prior_strength=config.prior_strength)
    if chosen.estimates == "learned":
        run.estimates = estimates
    last_assigned = {w.id: (config.start - timedelta(days=1), i) for i, w in enumerate(scenario.writers)}
    recent: list[tuple[dict[str, float], dict[str, float]]] = []  # last 60 days: (worked, available) per writer

    for today in cal.working_days(config.start, config.end):
        for writer_id, spell in spells_from.get(today, []):
            absences[writer_id].update(spell)
        new = arrivals.get(today, [])
        queue.extend(new)
        for back in [d for d in waiting if d <= today]:
            queue.extend(waiting.pop(back))
        queue.sort(key=lambda b: (b.arrival, b.id))

        changes = 0
        if chosen.replan:
            for w in scenario.writers:
                items = held[w.id]
                if not items or not any(not h.started for h in items):
                    continue
                for h in _late_unstarted(scenario, w, items, today, absences[w.id]):
                    items.remove(h)
                    excluded.setdefault(h.bundle.id, set()).add(w.id)
                    queue.append(h.bundle)
                    changes += 1
            queue.sort(key=lambda b: (b.arrival, b.id))

        offers = declined = timed_out = accepted = 0
        seconds = 0.0
        if queue and any(len(held[w.id]) < w.max_concurrent for w in scenario.writers):
            view = RoundView(
                today=today,
                scenario=scenario,
                queue=queue,
                excluded=excluded,
                held=held,
                absences=absences,
                last_assigned=last_assigned,
                estimates=estimates,
                utilisation=_recent_utilisation(recent),
            )
            if chosen.rule in ("engine", "naive"):
                outcome = _engine_round(view, chosen, allocate_with)
            else:
                outcome = platform_round(view, chosen)
            seconds = outcome.seconds
            if outcome.restricted_used is not None:
                run.restricted_rounds += 1
                if outcome.restricted_used:
                    run.restricted_kept += 1
                    run.planned_cost += (outcome.unrestricted_weight or 0.0) - (outcome.on_time_weight or 0.0)
            by_id = {b.id: b for b in queue}
            taken: set[str] = set()
            parked: set[str] = set()
            for bundle_id, writer_id in outcome.plan:
                offers += 1
                bundle, writer = by_id[bundle_id], writers[writer_id]
                absent = today in absences[writer_id]
                if absent or declines(config.seed, bundle_id, writer_id, config.decline_rate):
                    declined += 1
                    excluded.setdefault(bundle_id, set()).add(writer_id)
                    continue
                if times_out(config.seed, bundle_id, writer_id, config.timeout_rate):
                    # Unanswered until the window closes: back in the queue a working day later.
                    declined += 1
                    timed_out += 1
                    excluded.setdefault(bundle_id, set()).add(writer_id)
                    parked.add(bundle_id)
                    waiting.setdefault(cal.add_working_days(today, 2), []).append(bundle)
                    continue
                accepted += 1
                true_hours = scenario.true_effort(bundle, writer)
                planned = _planned(chosen, estimates, bundle, writer)
                held[writer_id].append(_Held(bundle, true_hours, planned=planned, draft_hours=true_hours))
                last_assigned[writer_id] = (today, accepted)
                taken.add(bundle_id)
            queue = [b for b in queue if b.id not in taken and b.id not in parked]
            for bundle_id in taken:
                excluded.pop(bundle_id, None)
        run.seconds += seconds

        completed: list[Completion] = []
        worked = available = 0.0
        day_worked: dict[str, float] = {}
        day_available: dict[str, float] = {}
        for w in scenario.writers:
            if today in w.leave or today in sick[w.id]:
                continue
            hours = w.hours_per_day
            available += hours
            day_available[w.id] = hours
            run.writer_available[w.id] += hours
            work = held[w.id]
            i = 0
            while i < len(work) and hours > EPS:
                item = work[i]
                if item.ready is not None and item.ready > today:
                    i += 1
                    continue
                step = min(hours, item.remaining)
                item.remaining -= step
                item.worked += step
                hours -= step
                if item.remaining > EPS:
                    continue
                # A draft is finished: QA's verdict.
                b = item.bundle
                if item.attempt == 0:
                    estimates.record_effort(w.id, b.work_type, b.pages, b.effort_hours, item.draft_hours)
                passed = scenario.passes_qa(b, w, item.attempt)
                if item.attempt == 0 and w.pass_logit:
                    estimates.record_qa(w.id, b.area, passed)
                if passed:
                    work.pop(i)
                    late = 0 if today <= b.due else cal.working_days_between(b.due, today)
                    completed.append(
                        Completion(b.id, w.id, today, b.due, b.weight, lateness=late, returns=item.attempt, area=b.area)
                    )
                    continue
                item.attempt += 1
                item.remaining = max(0.1, config.rework_share * item.draft_hours)
                item.planned += config.rework_share * item.planned
                item.ready = cal.add_working_days(today, config.qa_days) if config.qa_days else None
                i += 1
            spent = w.hours_per_day - hours
            if spent > EPS:
                run.writer_hours[w.id][today] = spent
                day_worked[w.id] = spent
            worked += spent
        recent.append((day_worked, day_available))
        if len(recent) > 60:
            recent.pop(0)
        run.completions.extend(completed)
        run.days.append(
            DayRecord(
                day=today,
                arrivals=len(new),
                offers=offers,
                declined=declined,
                queued=len(queue) + sum(len(v) for v in waiting.values()),
                in_progress=sum(len(h) for h in held.values()),
                completed=len(completed),
                on_time=sum(1 for c in completed if c.on_time),
                completed_weight=math.fsum(c.weight for c in completed),
                on_time_weight=math.fsum(c.weight for c in completed if c.on_time),
                hours_worked=worked,
                hours_available=available,
                round_seconds=seconds,
                accepted=accepted,
                timed_out=timed_out,
                changes=changes,
            )
        )
    run.queued = [b.id for b in queue] + [b.id for items in waiting.values() for b in items]
    run.in_progress = {wid: [h.bundle.id for h in items] for wid, items in held.items() if items}
    return run


def _planned(policy: Policy, estimates: Estimates, bundle: SimBundle, writer: SimWriter) -> float:
    """The hours the policy expects this bundle to take this writer, as a round will count it while held."""
    if policy.estimates == "learned":
        return bundle.effort_hours * estimates.speed(writer.id, bundle.work_type, bundle.pages).value
    if policy.estimates == "hindsight":
        return bundle.effort_hours * writer.speed_factor(bundle.work_type, bundle.pages)
    return bundle.effort_hours


def _recent_utilisation(recent: list[tuple[dict[str, float], dict[str, float]]]) -> dict[str, float | None]:
    worked: dict[str, float] = {}
    available: dict[str, float] = {}
    for day_worked, day_available in recent:
        for w, h in day_worked.items():
            worked[w] = worked.get(w, 0.0) + h
        for w, h in day_available.items():
            available[w] = available.get(w, 0.0) + h
    return {w: (worked.get(w, 0.0) / a if a > EPS else None) for w, a in available.items()}


# --- measures -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    """SLA attainment, lateness, QA, backlog and utilisation over a span of working days."""

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
    accepted: int = 0
    timed_out: int = 0
    changes: int = 0
    mean_lateness: float | None = None  # working days after due, over completed bundles (on time: 0)
    p95_lateness: float | None = None
    first_time_pass: float | None = None  # share of completed bundles whose first draft passed QA

    @property
    def offers_per_bundle(self) -> float | None:
        return _ratio(self.offers, self.accepted)

    def as_json(self) -> dict[str, object]:
        return {
            "arrivals": self.arrivals,
            "completed": self.completed,
            "on_time": self.on_time,
            "on_time_share": _r(self.on_time_share),
            "on_time_weight_share": _r(self.on_time_weight_share),
            "mean_lateness_days": _r(self.mean_lateness),
            "p95_lateness_days": _r(self.p95_lateness),
            "first_time_pass": _r(self.first_time_pass),
            "mean_backlog": round(self.mean_backlog, 2),
            "peak_backlog": self.peak_backlog,
            "peak_backlog_day": self.peak_backlog_day.isoformat() if self.peak_backlog_day else None,
            "hours_worked": round(self.hours_worked, 1),
            "hours_available": round(self.hours_available, 1),
            "utilisation": _r(self.utilisation),
            "offers": self.offers,
            "declined": self.declined,
            "timed_out": self.timed_out,
            "offers_per_bundle": _r(self.offers_per_bundle),
            "replan_changes": self.changes,
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > EPS else None


def measure(days: Iterable[DayRecord], completions: Iterable[Completion] = ()) -> Measures:
    """Measures over the days; lateness and QA over the `completions` given (those of the same days)."""
    records = list(days)
    done = list(completions)
    peak = max(records, key=lambda r: (r.backlog, -r.day.toordinal()), default=None)
    worked = math.fsum(r.hours_worked for r in records)
    available = math.fsum(r.hours_available for r in records)
    completed = sum(r.completed for r in records)
    on_time = sum(r.on_time for r in records)
    lateness = [float(c.lateness) for c in done]
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
        accepted=sum(r.accepted for r in records),
        timed_out=sum(r.timed_out for r in records),
        changes=sum(r.changes for r in records),
        mean_lateness=(math.fsum(lateness) / len(lateness)) if lateness else None,
        p95_lateness=float(np.percentile(lateness, 95)) if lateness else None,
        first_time_pass=_ratio(sum(1 for c in done if c.returns == 0), len(done)),
    )


def summary(run: PolicyRun) -> Measures:
    """The whole run's measures."""
    return measure(run.days, run.completions)


def by_month(run: PolicyRun) -> dict[str, Measures]:
    months: dict[str, list[DayRecord]] = {}
    for r in run.days:
        months.setdefault(f"{r.day:%Y-%m}", []).append(r)
    done: dict[str, list[Completion]] = {}
    for c in run.completions:
        done.setdefault(f"{c.day:%Y-%m}", []).append(c)
    return {month: measure(records, done.get(month, ())) for month, records in months.items()}


@dataclass(frozen=True)
class Spread:
    """Writers' utilisation (hours worked over hours present): its mean, standard deviation and range."""

    mean: float | None
    stdev: float | None
    p10: float | None
    p90: float | None

    def as_json(self) -> dict[str, float | None]:
        return {"mean": _r(self.mean), "stdev": _r(self.stdev), "p10": _r(self.p10), "p90": _r(self.p90)}


def utilisation_spread(run: PolicyRun) -> Spread:
    per_writer = [math.fsum(run.writer_hours[w].values()) / a for w, a in run.writer_available.items() if a > EPS]
    if not per_writer:
        return Spread(None, None, None, None)
    values = np.array(per_writer)
    return Spread(
        mean=float(values.mean()),
        stdev=float(values.std()),
        p10=float(np.percentile(values, 10)),
        p90=float(np.percentile(values, 90)),
    )


def peak_months(scenario: Scenario, share: float = 0.25) -> list[str]:
    """The months with the most arrivals (the top `share` of the simulated months, at least one)."""
    counts: dict[str, int] = {}
    for b in scenario.bundles:
        counts[f"{b.arrival:%Y-%m}"] = counts.get(f"{b.arrival:%Y-%m}", 0) + 1
    ranked = sorted(counts, key=lambda m: (-counts[m], m))
    return sorted(ranked[: max(1, round(share * len(ranked)))])


def in_months(run: PolicyRun, months: Sequence[str]) -> Measures:
    """Measures over the completions and days of the given months."""
    wanted = set(months)
    return measure(
        (r for r in run.days if f"{r.day:%Y-%m}" in wanted),
        (c for c in run.completions if f"{c.day:%Y-%m}" in wanted),
    )


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
        peaks = peak_months(self.scenario)
        return {
            "config": {
                "start": config.start.isoformat(),
                "days": config.days,
                "seed": config.seed,
                "writers": config.writers,
                "las": config.las,
                "hours_scale": config.hours_scale,
                "arrivals_per_year": config.annual_arrivals,
                "decline_rate": config.decline_rate,
                "timeout_rate": config.timeout_rate,
                "sickness_rate": config.sickness_rate,
                "leave_days_per_year": config.leave_days_per_year,
                "express_share": config.express_share,
                "speed_spread": config.speed_spread,
                "effort_noise": config.effort_noise,
                "qa_pass_rate": config.qa_pass_rate,
                "quality_spread": config.quality_spread,
                "rework_share": config.rework_share,
                "qa_days": config.qa_days,
                "quality_cost_limit": config.quality_cost_limit,
                "fair_share_tolerance": config.fair_share_tolerance,
                "prior_strength": config.prior_strength,
            },
            "working_days": len(next(iter(self.runs.values())).days) if self.runs else 0,
            "never_eligible": len(self.scenario.never_eligible()),
            "peak_months": peaks,
            "policies": {
                name: {
                    "summary": summary(run).as_json()
                    | {
                        "queued_at_end": len(run.queued),
                        "in_progress_at_end": sum(len(v) for v in run.in_progress.values()),
                        "overdue_open_at_end": overdue_open(self.scenario, run),
                        "utilisation_spread": utilisation_spread(run).as_json(),
                        "peak_months_on_time_weight_share": _r(in_months(run, peaks).on_time_weight_share),
                        "restricted_rounds": run.restricted_rounds,
                        "restricted_plans_kept": run.restricted_kept,
                        "planned_on_time_weight_given_up": round(run.planned_cost, 3),
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
    if not policies or len(set(policies)) != len(policies):
        raise InvalidSimulation("policies", "one or more distinct policy names")
    scenario = build_scenario(config)
    return SimulationResult(scenario=scenario, runs={p: run_policy(scenario, p) for p in policies})


def rolling_on_time(run: PolicyRun, window: int = 20) -> list[float | None]:
    """Per working day: the on-time share of the bundles completed in the last `window` working days."""
    shares: list[float | None] = []
    for i in range(len(run.days)):
        span = run.days[max(0, i - window + 1) : i + 1]
        shares.append(_ratio(sum(r.on_time for r in span), sum(r.completed for r in span)))
    return shares
