"""Columns for the Dantzig-Wolfe view of ALLOCATION.md's programme: one writer's on-time set per column.

A column is a set of bundles one writer can finish on time within its free slots. The master programme packs
columns so that each bundle and each writer is used at most once, maximising the on-time weight; its linear
relaxation is solved by HiGHS and new columns are priced by `best_set`, the exact single-writer problem under
the LP's duals. The engine dives on this model for a near-optimal start (engine.py, `_price_and_dive`); the
quality benchmark's reference branches on it to bound the optimum (tests/benchmarks/allocation_reference.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Iterable, Sequence

import highspy
import numpy as np
import numpy.typing as npt


def best_set(
    order: Sequence[int], gain: Sequence[float], size: Sequence[int], cap: Sequence[int], slots: int
) -> tuple[float, list[int]]:
    """One writer's most valuable on-time set (Lawler and Moore's dynamic programme). Exact.

    `order` lists the items in due order with, position by position, their gain, their size in whole units and
    the writer's hours by their due date in the same units; at most `slots` items. Items with no positive gain
    are never taken. Returns the best total gain and the items chosen (latest due first).
    """
    top = min(max(cap, default=0), sum(sz for sz, g in zip(size, gain, strict=True) if g > 0))
    if slots <= 0 or top < 0:  # (items of no size fit in no hours)
        return 0.0, []
    table = np.full((slots + 1, top + 1), -np.inf)  # [count, units used] -> best gain
    table[0, 0] = 0.0
    taken: list[tuple[int, int, npt.NDArray[np.bool_]] | None] = []
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


class Master:
    """The master programme: rows for each bundle, then each writer, at most once; one column per on-time set.

    Columns are kept in the order they were added and never duplicated; `limit` bars some of them (a branch,
    or a dive's fixings) by their upper bound.
    """

    def __init__(self, values: Sequence[float], n_writers: int) -> None:
        self.values = list(values)
        self.n_bundles, self.n_writers = len(self.values), n_writers
        self.writer_of: list[int] = []
        self.members: list[frozenset[int]] = []
        self.with_bundle: list[list[int]] = [[] for _ in range(self.n_bundles)]
        self.of_writer: list[list[int]] = [[] for _ in range(n_writers)]
        self._seen: set[tuple[int, frozenset[int]]] = set()
        self.highs = packing_model(self.n_bundles, n_writers)

    def add(self, w: int, bundles: Iterable[int]) -> bool:
        """Add writer w's set as a column (unbarred); False when it is already there."""
        key = (w, frozenset(bundles))
        if key in self._seen:
            return False
        self._seen.add(key)
        j = len(self.writer_of)
        self.writer_of.append(w)
        self.members.append(key[1])
        self.of_writer[w].append(j)
        for b in key[1]:
            self.with_bundle[b].append(j)
        add_column(self.highs, self.n_bundles, self.values, w, key[1], highspy.kHighsInf)
        return True

    def limit(self, upper: npt.NDArray[np.float64]) -> None:
        """Set every column's upper bound (0 bars it, infinity frees it)."""
        n = len(self.writer_of)
        self.highs.changeColsBounds(n, np.arange(n, dtype=np.int32), np.zeros(n), upper)

    def solve(self) -> tuple[float, npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The LP optimum: its value, the bundles' and the writers' duals (non-negative), the columns' values."""
        if self.highs.run() == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS failed on the master LP")
        solution = self.highs.getSolution()
        duals = np.array(solution.row_dual)
        pi, mu = np.maximum(duals[: self.n_bundles], 0.0), np.maximum(duals[self.n_bundles :], 0.0)
        return self.highs.getInfo().objective_function_value, pi, mu, np.array(solution.col_value)


def packing_model(n_bundles: int, n_writers: int) -> highspy.Highs:
    """The set-packing rows, maximised and silent: each bundle, then each writer, at most once."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    rows = n_bundles + n_writers
    h.addRows(rows, np.full(rows, -highspy.kHighsInf), np.ones(rows), 0, np.array([], dtype=np.int32),
              np.array([], dtype=np.int32), np.array([], dtype=np.float64))
    return h


def add_column(
    h: highspy.Highs, n_bundles: int, values: Sequence[float], w: int, bundles: Iterable[int], upper: float
) -> None:
    """Writer w's on-time set as a column of `packing_model`, worth its bundles' values."""
    members = list(bundles)
    rows = np.array([*members, n_bundles + w], dtype=np.int32)
    h.addCol(float(sum(values[b] for b in members)), 0.0, upper, rows.size, rows, np.ones(rows.size))


def _mute_banner() -> None:
    """HiGHS (1.16) writes a banner to the process's standard output when its first instance is built, before
    any option can silence it; `planwright allocate` prints its JSON there. So the first instance is built at
    import, with file descriptor 1 pointed at the null device."""
    sys.stdout.flush()
    saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        highspy.Highs()  # type: ignore[no-untyped-call]
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).fflush(None)  # the banner may sit in C's buffer when stdout is a pipe
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)


_mute_banner()
