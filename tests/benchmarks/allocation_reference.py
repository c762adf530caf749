"""The exact reference for the allocation benchmark: ALLOCATION.md's MIP, then branch and price.

Both work on the instance scaled to integers (efforts and hours in the smallest unit that makes every effort
whole, weights likewise), which is exact, not rounded: a set of whole efforts fits within C hours exactly when
it fits within floor(C) units. Integral data lets HiGHS derive integral cuts and prune on the objective's grid,
which proves optima several times faster than the same model in floats.

- `solve_mip`: binary x[b, w] over eligible pairs that could be on time alone; each bundle at most once; free
  slots per writer; per writer and distinct due date D, the effort due by D within the hours by D. Solved with
  HiGHS (highspy), started from the engine's on-time assignment, under a time limit. Returns the best solution,
  HiGHS's dual bound and whether it proved optimality.
- `branch_and_price`: when the MIP stops short of a proof, the Dantzig-Wolfe model (a column is one writer's
  on-time set), whose LP bound is far tighter than the MIP's. Its pricing problem, one writer's best set under
  duals, is solved exactly by Lawler and Moore's dynamic programme over earliest-due order with a slot count.
  The Lagrangian bound sum(pi) + sum over writers of the best reduced value is valid at every iteration, so
  the search's bound holds whenever it stops; searching the whole tree proves the optimum. The column model and
  its pricing are the engine's own (service/allocation/columns.py). The bound is only valid if that pricing is
  exact: tests/allocation/test_columns.py checks it against brute force, and test_reference.py checks the
  bound never falls below optima the MIP proves. The MIP shares nothing with the engine but the prepared arrays.

An upper bound is rounded down to the objective's grid (with weights in halves, an optimum is a multiple of 0.5).
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass
from fractions import Fraction

import highspy
import numpy as np

from contracts.allocation import Instance
from service.allocation.columns import Master, add_column, best_set, packing_model
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
    search_bound: float  # branch and price's
    nodes: int
    search_seconds: float


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


def solve_mip(
    s: Scaled, start: dict[int, int], time_limit: float
) -> tuple[float, float, bool, float, dict[int, int]]:
    """(best, dual bound, proved, seconds, the best's bundle -> writer); `start` maps bundle -> writer for a
    feasible on-time start."""
    p, pairs = s.p, s.pairs
    if not pairs:
        return 0.0, 0.0, True, 0.0, {}
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
    chosen = {b: w for (b, w), x in zip(pairs, h.getSolution().col_value, strict=True) if x > 0.5}
    # HiGHS 1.16 can lose a start to presolve ("feasible in the reduced space" at a lower value) and return worse
    # than it was given; the start, checked here against every row, is a solution all the same.
    taken = [start.get(b) == w for b, w in pairs]
    start_value = sum(s.value[b] for b in start) / s.grid
    if (
        start_value > best
        and sum(taken) == len(start)
        and all(sum(c for j, c in zip(js, cs, strict=True) if taken[j]) <= rhs for js, cs, rhs in rows)
    ):
        best, chosen = start_value, dict(start)
    bound = max(best, -info.mip_dual_bound / s.grid)
    proved = h.getModelStatus() == highspy.HighsModelStatus.kOptimal or best >= bound
    return best, (best if proved else bound), proved, seconds, chosen


@dataclass
class _Node:
    """A branch: bundles held to one writer (`ones`) and pairs ruled out (`zeros`), with its parent's bound."""

    bound: float
    depth: int
    ones: dict[int, int]
    zeros: frozenset[tuple[int, int]]


@dataclass(frozen=True)
class Search:
    best: int  # the best on-time value known, in grid units: the incumbent's, an integral node's or a packing's
    bound: int  # an upper bound on the optimum, in grid units
    nodes: int
    proved: bool  # best == bound: the tree was searched to the end, or what is left cannot beat best


FORCED = 1e7  # a gain no set of real gains can outweigh: pricing with it added must take the item


def branch_and_price(
    s: Scaled,
    start: dict[int, int],
    best: int,
    seconds: float,
    *,
    node_limit: int | None = None,
    polish_seconds: float = 0.0,
) -> Search:
    """Branch and price on the Dantzig-Wolfe model, best bound first, proving or bounding the optimum.

    The master LP packs columns (one writer's on-time set) so each bundle and each writer is used at most
    once; pricing is `best_set` under the LP's duals. At any duals pi, sum(pi) + the sum over writers of
    max(0, best reduced value) bounds the node from above, so a node is dropped as soon as that falls below
    `best` + 1 unit, converged or not. A converged node with a fractional x[b, w] (the share of b's columns
    at w) branches: b goes to w or to nobody (every column of w holds b, no other writer may take b), or
    never to w. `best` is the incumbent in grid units (from the engine or the MIP); `start` seeds the columns.

    When the tree is not searched to the end, the columns priced so far may still combine into a better
    solution than the incumbent: `polish_seconds` solves that set packing as a MIP, started from `start`.
    """
    p = s.p
    nw = len(p.writers)
    base: list[list[int]] = [[] for _ in range(nw)]
    for b, w in s.pairs:
        base[w].append(b)
    for w in range(nw):
        base[w].sort(key=lambda b: (p.due_index[b], b))
    master = Master(s.value, nw)
    writer_of, members, with_bundle, of_writer = master.writer_of, master.members, master.with_bundle, master.of_writer
    for w in range(nw):
        held = [b for b, owner in start.items() if owner == w]
        if held:
            master.add(w, held)
    started = time.perf_counter()
    heap: list[tuple[float, int, int, _Node]] = [(-math.inf, 0, 0, _Node(math.inf, 0, {}, frozenset()))]
    pushed, nodes = 1, 0
    while heap and time.perf_counter() - started < seconds and (node_limit is None or nodes < node_limit):
        node = heapq.heappop(heap)[3]
        if node.bound < best + 1 - 1e-6:
            continue
        nodes += 1
        upper = np.full(len(writer_of), highspy.kHighsInf)
        forced: list[set[int]] = [set() for _ in range(nw)]
        for b, w in node.zeros:
            upper[[j for j in with_bundle[b] if writer_of[j] == w]] = 0.0
        for b, w in node.ones.items():
            forced[w].add(b)
            upper[[j for j in with_bundle[b] if writer_of[j] != w]] = 0.0
            upper[[j for j in of_writer[w] if b not in members[j]]] = 0.0
        master.limit(upper)
        items = [[b for b in base[w] if (b, w) not in node.zeros and node.ones.get(b, w) == w] for w in range(nw)]
        bound = node.bound
        while True:
            lp_value, pi, mu, lam = master.solve()
            lagrangian, added = float(pi.sum()), 0
            for w in range(nw):
                order = items[w]
                if not order:
                    continue
                gain = [s.value[b] - pi[b] + (FORCED if b in forced[w] else 0.0) for b in order]
                value, chosen = best_set(order, gain, [s.size[b] for b in order],
                                         [int(s.cap[w, p.due_index[b]]) for b in order],
                                         int(min(p.slots[w], len(order))))
                if not forced[w] <= set(chosen):
                    continue  # the held bundles do not fit together: w can only stay empty here
                value -= FORCED * len(forced[w])
                lagrangian += max(0.0, value)
                if value - mu[w] > 1e-7 and master.add(w, chosen):
                    added += 1
            bound = min(bound, lagrangian)
            if bound < best + 1 - 1e-6 or added == 0 or bound - lp_value < 1e-6:
                break
        if bound < best + 1 - 1e-6:
            continue
        share: dict[tuple[int, int], float] = {}
        for j in np.flatnonzero(lam > 1e-9).tolist():
            for b in members[j]:
                share[b, writer_of[j]] = share.get((b, writer_of[j]), 0.0) + float(lam[j])
        fractional = [(abs(v - 0.5), pair) for pair, v in share.items() if 1e-6 < v < 1 - 1e-6]
        if not fractional:
            best = max(best, round(lp_value))  # an integral LP optimum: a solution, and the node's optimum
            continue
        b, w = min(fractional)[1]
        for child in (_Node(bound, node.depth + 1, {**node.ones, b: w}, node.zeros),
                      _Node(bound, node.depth + 1, node.ones, node.zeros | {(b, w)})):
            heapq.heappush(heap, (-child.bound, -child.depth, pushed, child))
            pushed += 1
    if heap and polish_seconds > 0:
        best = max(best, _pack_columns(s, writer_of, members, start, polish_seconds))
    if nodes == 0:  # no time even for the root: only the trivial bound, every bundle on time
        return Search(best, sum(s.value[b] for b in {b for b, _ in s.pairs}), 0, False)
    bound = max(best, max((math.floor(-key + 1e-6) for key, *_ in heap), default=best))
    return Search(best, bound, nodes, best >= bound)


def _pack_columns(
    s: Scaled, writer_of: list[int], members: list[frozenset[int]], start: dict[int, int], seconds: float
) -> int:
    """The best on-time value (grid units) from at most one column per writer and bundle, started from `start`'s
    columns (which must be among them)."""
    n = len(writer_of)
    h = packing_model(len(s.p.bundles), len(s.p.writers))
    h.setOptionValue("time_limit", float(seconds))
    for w, bundles in zip(writer_of, members, strict=True):
        add_column(h, len(s.p.bundles), s.value, w, bundles, 1.0)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
    held = {(w, frozenset(b for b, owner in start.items() if owner == w)) for w in set(start.values())}
    solution = highspy.HighsSolution()
    solution.col_value = [1.0 if (w, m) in held else 0.0 for w, m in zip(writer_of, members, strict=True)]
    solution.value_valid = True
    h.setSolution(solution)
    if h.run() == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS failed on the set packing")
    found = h.getInfo().primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    return round(h.getInfo().objective_function_value) if found else 0


def by_index(s: Scaled, start: dict[str, str]) -> dict[int, int]:
    """A bundle id -> writer id assignment as indices into the scaled instance."""
    bundle_index = {b.id: i for i, b in enumerate(s.p.bundles)}
    return {bundle_index[b]: s.p.writer_index[w] for b, w in start.items()}


def reference(instance: Instance, start: dict[str, str], *, mip_seconds: float, search_seconds: float) -> Reference:
    """Solve the MIP; unless it proves the optimum, branch and price from its best; `start` maps bundle id ->
    writer id (an on-time assignment, the engine's)."""
    s = scale(instance)
    begin = by_index(s, start)
    best, mip_bound, proved, mip_s, found = solve_mip(s, begin, mip_seconds)
    if proved:
        return Reference(best, best, True, mip_s, mip_bound, mip_bound, 0, 0.0)
    started = time.perf_counter()
    search = branch_and_price(s, found, round(best * s.grid), search_seconds * 2 / 3, polish_seconds=search_seconds / 3)
    search_s = time.perf_counter() - started
    best = search.best / s.grid
    bound = max(best, on_grid(min(mip_bound, search.bound / s.grid), s.grid))
    return Reference(best, bound, search.proved or best >= bound, mip_s, mip_bound, search.bound / s.grid,
                     search.nodes, search_s)
