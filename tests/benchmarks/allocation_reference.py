"""The exact reference for the allocation benchmark: ALLOCATION.md's MIP and a column-generation bound.

Both work on the instance scaled to integers (efforts and hours in the smallest unit that makes every effort
whole, weights likewise), which is exact, not rounded: a set of whole efforts fits within C hours exactly when
it fits within floor(C) units. Integral data lets HiGHS derive integral cuts and prune on the objective's grid,
which proves optima several times faster than the same model in floats.

- `solve_mip`: binary x[b, w] over eligible pairs that could be on time alone; each bundle at most once; free
  slots per writer; per writer and distinct due date D, the effort due by D within the hours by D. Solved with
  HiGHS (highspy), started from the engine's on-time assignment, under a time limit. Returns the best solution,
  HiGHS's dual bound and whether it proved optimality.
- `column_generation_bound`: the Dantzig-Wolfe relaxation (a column is one writer's on-time set). Its pricing
  problem, one writer's best set under duals, is solved exactly by Lawler and Moore's dynamic programme over
  earliest-due order with a slot count. The Lagrangian bound sum(pi) + sum over writers of the best reduced
  value is a valid upper bound at every iteration, whether or not the LP has converged.

An upper bound is rounded down to the objective's grid (with weights in halves, an optimum is a multiple of 0.5).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import highspy
import numpy as np

from contracts.allocation import Instance
from service.allocation.engine import _prepare, _Prepared


@dataclass(frozen=True)
class Scaled:
    """The instance's eligible pairs in whole units, and its objective's grid."""

    p: _Prepared
    pairs: list[tuple[int, int]]  # (bundle, writer), on time alone
    size: list[int]  # per bundle: effort in units
    cap: np.ndarray  # writers x due dates: hours by each due date, in whole units (floored)
    value: list[int]  # per bundle: weight on the grid
    grid: int  # weight = value / grid


@dataclass(frozen=True)
class Reference:
    best: float  # the best on-time weight found
    bound: float  # an upper bound on the optimum (the least of those known), on the grid
    proved: bool  # best == bound
    mip_seconds: float
    mip_bound: float
    cg_bound: float
    cg_seconds: float


def _denominator(values: list[float], limit: int = 1000) -> int:
    """The least d <= limit with every value * d whole (to 1e-9), else raise: the reference must be exact."""
    d = 1
    for v in values:
        d = math.lcm(d, Fraction(v).limit_denominator(limit).denominator)
    if d > limit or any(abs(v * d - round(v * d)) > 1e-6 for v in values):
        raise ValueError("efforts or weights are not on a grid finer than 1/1000; the reference needs exact data")
    return d


def scale(instance: Instance) -> Scaled:
    p = _prepare(instance)
    unit = _denominator([float(e) for e in p.effort])
    grid = _denominator([float(w) for w in p.weight])
    size = [round(float(e) * unit) for e in p.effort]
    cap = np.floor(p.capacity * unit + 1e-6).astype(np.int64)
    nb = len(p.bundles)
    pairs = [
        (b, w)
        for b in range(nb)
        for w in np.flatnonzero(p.elig[b]).tolist()
        if p.slots[w] > 0 and cap[w, p.due_index[b]] >= size[b]
    ]
    return Scaled(p, pairs, size, cap, [round(float(w) * grid) for w in p.weight], grid)


def on_grid(bound: float, grid: int) -> float:
    return math.floor(bound * grid + 1e-6) / grid


def solve_mip(s: Scaled, start: dict[int, int], time_limit: float) -> tuple[float, float, bool, float]:
    """(best, dual bound, proved, seconds); `start` maps bundle -> writer for a feasible on-time start."""
    p, pairs = s.p, s.pairs
    if not pairs:
        return 0.0, 0.0, True, 0.0
    by_bundle: dict[int, list[int]] = {}
    by_writer: dict[int, list[int]] = {}
    for j, (b, w) in enumerate(pairs):
        by_bundle.setdefault(b, []).append(j)
        by_writer.setdefault(w, []).append(j)
    rows: list[tuple[list[int], list[int], int]] = [(js, [1] * len(js), 1) for js in by_bundle.values() if len(js) > 1]
    for w, js in by_writer.items():
        if len(js) > p.slots[w]:
            rows.append((js, [1] * len(js), int(p.slots[w])))
        for k in sorted({int(p.due_index[pairs[j][0]]) for j in js}):
            sel = [j for j in js if p.due_index[pairs[j][0]] <= k]
            sizes = [s.size[pairs[j][0]] for j in sel]
            if sum(sizes) > s.cap[w, k]:
                rows.append((sel, sizes, int(s.cap[w, k])))
    n = len(pairs)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, len(rows)
    lp.col_cost_ = np.array([-s.value[b] for b, _ in pairs], dtype=np.float64)
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    lp.row_lower_ = np.full(len(rows), -highspy.kHighsInf)
    lp.row_upper_ = np.array([r[2] for r in rows], dtype=np.float64)
    starts, index, values = [0], [], []
    for js, cs, _ in rows:
        index += js
        values += cs
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(starts)
    lp.a_matrix_.index_ = np.array(index)
    lp.a_matrix_.value_ = np.array(values, dtype=np.float64)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    if h.passModel(lp) != highspy.HighsStatus.kOk:
        raise RuntimeError("HiGHS refused the model")
    if start:
        solution = highspy.HighsSolution()
        solution.col_value = [1.0 if start.get(b) == w else 0.0 for b, w in pairs]
        solution.value_valid = True
        h.setSolution(solution)
    started = time.perf_counter()
    if h.run() == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS failed on the MIP")
    seconds = time.perf_counter() - started
    info = h.getInfo()
    best = -info.objective_function_value / s.grid
    proved = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    bound = best if proved else max(best, -info.mip_dual_bound / s.grid)
    return best, bound, proved, seconds


def best_set(
    order: list[int], gain: list[float], size: list[int], cap: list[int], slots: int
) -> tuple[float, list[int]]:
    """One writer's most valuable on-time set (Lawler and Moore): items in due order with their gain, size in
    units and the writer's hours by their due date in units; at most `slots` items. Exact."""
    top = max(cap, default=0)
    if slots <= 0 or top <= 0:
        return 0.0, []
    table = np.full((slots + 1, top + 1), -np.inf)  # [count, units used] -> best gain
    table[0, 0] = 0.0
    taken: list[tuple[int, int, np.ndarray] | None] = []
    for j in range(len(order)):
        sz, c = size[j], min(cap[j], top)
        step = None
        if gain[j] > 0 and sz <= c:
            with_it = table[:-1, : c + 1 - sz] + gain[j]
            without = table[1:, sz : c + 1]
            better = with_it > without + 1e-12
            if better.any():
                step = (sz, c, better)
                table[1:, sz : c + 1] = np.where(better, with_it, without)
        taken.append(step)
    k, t = np.unravel_index(int(np.argmax(table)), table.shape)
    best = float(table[k, t])
    chosen = []
    for j in range(len(order) - 1, -1, -1):
        step = taken[j]
        if step is not None and k >= 1 and step[0] <= t <= step[1] and step[2][k - 1, t - step[0]]:
            chosen.append(order[j])
            k, t = k - 1, t - step[0]
    return best, chosen


def column_generation_bound(s: Scaled, start: dict[int, int], seconds: float) -> tuple[float, float]:
    """(the least Lagrangian upper bound seen, seconds) of the Dantzig-Wolfe relaxation."""
    p = s.p
    nb, nw = len(p.bundles), len(p.writers)
    items: list[list[int]] = [[] for _ in range(nw)]
    for b, w in s.pairs:
        items[w].append(b)
    for w in range(nw):
        items[w].sort(key=lambda b: (p.due_index[b], b))
    columns: list[tuple[int, list[int]]] = []
    for w in range(nw):
        held = sorted((b for b, owner in start.items() if owner == w), key=lambda b: (p.due_index[b], b))
        if held:
            columns.append((w, held))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.addRows(nb + nw, np.full(nb + nw, -highspy.kHighsInf), np.ones(nb + nw), 0, np.array([], dtype=np.int32),
              np.array([], dtype=np.int32), np.array([], dtype=np.float64))

    def add(column: tuple[int, list[int]]) -> None:
        w, bundles = column
        rows = np.array([*bundles, nb + w], dtype=np.int32)
        h.addCol(float(sum(s.value[b] for b in bundles)), 0.0, highspy.kHighsInf, rows.size, rows,
                 np.ones(rows.size))

    for column in columns:
        add(column)
    best_bound = math.inf
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if columns:
            h.run()
            duals = np.array(h.getSolution().row_dual)
            pi, mu = np.maximum(duals[:nb], 0.0), np.maximum(duals[nb:], 0.0)
            lp_value = h.getInfo().objective_function_value
        else:
            pi, mu, lp_value = np.zeros(nb), np.zeros(nw), 0.0
        bound, added = float(pi.sum()), 0
        for w in range(nw):
            order = items[w]
            if not order:
                continue
            k_of = [int(p.due_index[b]) for b in order]
            gain = [s.value[b] - pi[b] for b in order]
            value, chosen = best_set(order, gain, [s.size[b] for b in order], [int(s.cap[w, k]) for k in k_of],
                                     int(min(p.slots[w], len(order))))
            bound += max(0.0, value)
            if value - mu[w] > 1e-7:
                column = (w, sorted(chosen, key=lambda b: (p.due_index[b], b)))
                columns.append(column)
                add(column)
                added += 1
        best_bound = min(best_bound, bound)
        if added == 0 or best_bound - lp_value < 1e-6:
            break
    return best_bound / s.grid, time.perf_counter() - started


def reference(instance: Instance, start: dict[str, str], *, mip_seconds: float, cg_seconds: float) -> Reference:
    """Solve the MIP and bound it both ways; `start` maps bundle id -> writer id (an on-time assignment)."""
    s = scale(instance)
    bundle_index = {b.id: i for i, b in enumerate(s.p.bundles)}
    writer_index = s.p.writer_index
    begin = {bundle_index[b]: writer_index[w] for b, w in start.items()}
    best, mip_bound, proved, mip_s = solve_mip(s, begin, mip_seconds)
    if proved:
        cg_bound, cg_s = mip_bound, 0.0
    else:
        cg_bound, cg_s = column_generation_bound(s, begin, cg_seconds)
    bound = max(best, on_grid(min(mip_bound, cg_bound), s.grid))
    return Reference(best, bound, proved or best >= bound - 1e-9, mip_s, mip_bound, cg_bound, cg_s)
