"""A ceiling for a season: the LP relaxation of allocating it with perfect information.

Every policy the simulator runs is bounded by what a planner could do knowing the whole season in advance:
every arrival, every writer's true effort on every bundle (speed and noise), every QA verdict (so the rework
hours), every decline and timeout (a writer who would refuse a bundle never takes it) and every sick day. The
exact problem (each bundle to one writer, each writer's work in the days of its windows) is a large integer
programme; its linear relaxation is solved instead, which is an upper bound on the on-time weight any policy
can reach in the season:

    maximise  sum of weight(b) * y[b, w, t]
    subject to  sum over w, t of y[b, w, t] <= 1                     for each bundle b
                sum over b of hours(b, w) * y[b, w, t] <= hours(w)   for each writer w and working day t
                0 <= y[b, w, t]

where y[b, w, t] is the share of bundle b that writer w does on day t, t running over the working days from
b's arrival to its due date (or the season's last day), less w's leave and sick days, and hours(b, w) is b's
true first draft with w plus the rework of the returns QA would make. A pair whose whole window holds fewer
hours than the work is left out (it can never be on time). What the relaxation drops is what makes it a
bound rather than a plan: a bundle may be split among writers, slots are not limited, and QA's days away
are not waited for. So a policy's ratio to it is a floor on its ratio to the true optimum.

HiGHS solves it (the solver the engine's column generation uses); a season of 3,000 bundles and 60 writers has
about 650,000 columns and takes 30 s (alone on a core) to 2 minutes.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import highspy
import numpy as np

from service.simulation.simulate import (
    MAX_RETURNS,
    Scenario,
    SimBundle,
    SimWriter,
    declines,
    times_out,
)


@dataclass(frozen=True)
class SeasonBound:
    on_time_weight: float  # the LP's optimum: no policy puts more weight on time in the season
    weight_arrived: float  # the weight of every bundle arriving in the season
    columns: int
    seconds: float

    @property
    def share(self) -> float | None:
        return self.on_time_weight / self.weight_arrived if self.weight_arrived > 0 else None


def true_work(scenario: Scenario, bundle: SimBundle, writer: SimWriter) -> float:
    """The hours this writer really spends on this bundle: the first draft and the rework of QA's returns."""
    draft = scenario.true_effort(bundle, writer)
    hours = draft
    for attempt in range(MAX_RETURNS):
        if scenario.passes_qa(bundle, writer, attempt):
            break
        hours += max(0.1, scenario.config.rework_share * draft)
    return hours


def would_take(scenario: Scenario, bundle: SimBundle, writer: SimWriter) -> bool:
    """Eligible (skills, requirements, no conflict) and would neither decline the offer nor let it time out."""
    config = scenario.config
    return (
        bundle.work_type in writer.skills
        and set(bundle.requires) <= set(writer.skills)
        and bundle.la not in writer.excluded_las
        and not declines(config.seed, bundle.id, writer.id, config.decline_rate)
        and not times_out(config.seed, bundle.id, writer.id, config.timeout_rate)
    )


def season_bound(scenario: Scenario, months: Collection[str] | None = None) -> SeasonBound:
    """The LP relaxation's optimum on-time weight for the season (see the module note).

    With `months` ("2027-01", ...) only the bundles arriving in those months count: the bound is then on their
    on-time weight (the other bundles are left out, which only relaxes the programme further)."""
    started = time.perf_counter()
    config = scenario.config
    days: list[date] = list(scenario.calendar.working_days(config.start, config.end))
    day_index = {d: i for i, d in enumerate(days)}
    nw, nd = len(scenario.writers), len(days)
    present = np.ones((nw, nd), dtype=np.bool_)
    for i, w in enumerate(scenario.writers):
        for d in w.leave | w.sick_days:
            if d in day_index:
                present[i, day_index[d]] = False
    hours = np.array([w.hours_per_day for w in scenario.writers], dtype=np.float64)

    nb = len(scenario.bundles)
    cost: list[float] = []
    bundle_row: list[int] = []
    day_row: list[int] = []
    coef: list[float] = []
    weight_arrived = 0.0
    for j, b in enumerate(scenario.bundles):
        first = day_index.get(b.arrival)
        if first is None or (months is not None and f"{b.arrival:%Y-%m}" not in months):
            continue
        last = next((i for i in range(nd - 1, first - 1, -1) if days[i] <= b.due), None)
        if last is None:
            continue
        weight_arrived += b.weight
        for i, w in enumerate(scenario.writers):
            if not would_take(scenario, b, w):
                continue
            window = np.flatnonzero(present[i, first : last + 1]) + first
            work = true_work(scenario, b, w)
            if window.size == 0 or work > hours[i] * window.size + 1e-9:
                continue
            for t in window.tolist():
                cost.append(b.weight)
                bundle_row.append(j)
                day_row.append(nb + i * nd + t)
                coef.append(work)
    n = len(cost)
    if n == 0:  # nothing can be on time
        return SeasonBound(0.0, weight_arrived, 0, time.perf_counter() - started)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = nb + nw * nd
    lp.col_cost_ = np.array(cost, dtype=np.float64)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.full(lp.num_row_, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.ones(nb), np.repeat(hours, nd)])
    lp.sense_ = highspy.ObjSense.kMaximize
    # Column-wise: each column has its bundle's row, then its writer-day's row.
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * n + 1, 2, dtype=np.int32)
    index = np.empty(2 * n, dtype=np.int32)
    index[0::2], index[1::2] = bundle_row, day_row
    value = np.empty(2 * n, dtype=np.float64)
    value[0::2], value[1::2] = 1.0, coef
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    # The interior point method, without crossover to a vertex: about four times faster than simplex here,
    # and the optimum's value (all a bound needs) agrees to HiGHS's tolerance (1e-8 relative).
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")
    h.passModel(lp)
    if h.run() == highspy.HighsStatus.kError or h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError("HiGHS did not solve the season's LP bound")
    return SeasonBound(
        on_time_weight=float(h.getInfo().objective_function_value),
        weight_arrived=weight_arrived,
        columns=n,
        seconds=time.perf_counter() - started,
    )
