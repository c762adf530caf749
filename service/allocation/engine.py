"""The allocation engine: queued bundles and writers in, a deterministic allocation out.

The model and the lexicographic objective are ALLOCATION.md's. In short, per writer the on-time set is
feasible exactly when, for every distinct due date D, the effort of its bundles due on or before D fits in
its hours by D (earliest-deadline-first sequencing is then optimal). The engine:

1. builds, with numpy, each writer's hours by every distinct due date and the eligibility matrix;
2. walks the bundles in earliest-due order and places each on a writer where it still fits on time:
   its preferred writer if that one fits, else the one who would finish it soonest (the hours the writer
   holds plus this bundle's, over their hours a day; `_State.best_writer`), so short-day writers stay busy
   too; when none fits, it ejects the cheapest
   bundle (lower weight, or same weight and more effort: the weighted Moore-Hodgson rule) from an
   eligible writer, and tries to re-home the ejected bundle elsewhere;
3. improves the on-time weight by local search: insert a left-out bundle by moving one bundle of the
   target writer to another writer (a 2-chain), or by swapping out lighter bundles;
4. then by ruin-and-recreate (large-neighbourhood search): clear a few writers or a random handful of
   bundles and re-pack by weight per hour (with seeded noise) into the tightest fit, keeping rounds
   that do not lose on-time weight;
5. on instances up to DIVE_MAX_PAIRS bundles x writers, halfway through step 4, prices and dives
   (columns.py): column generation on the model whose columns are whole on-time sets, one per writer,
   priced exactly per writer, then fixing the set the LP uses most and re-pricing the rest until every
   writer is fixed. This packs whole writers at once, where step 4's bundle-by-bundle re-packing leaves
   hours stranded between due dates; its answer is kept when it is better, and step 4 polishes it.
   Steps 3 to 5 run on operation budgets that shrink with the instance (not on a clock), so the result
   never depends on machine speed or load;
6. spreads the plan: moves on-time bundles to writers who would finish their load sooner, keeping each on
   time (`_spread`), so the slack is shared and one overrun does not make a tightly packed writer late;
   then moves on-time bundles to their `preferred_writer` where that costs nothing;
7. gives the remaining bundles, in due order, to the eligible writer with a free slot who would finish
   them soonest (late work), and leaves the rest queued with a reason.

`projected_completion` is the earliest date from `now` on which the writer's hours cover the running
effort; it is null when the writer has no hours (hours_per_day 0 and work outstanding) or the date
would fall more than HORIZON_DAYS after the later of `now` and the latest due date.

Every bundle also gets a `Reason`: what placed it (or left it out) as data (a `Basis`, the writer, the bundle it
displaced), with the sentence a coordinator reads rendered from those fields.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from contracts.allocation import (
    Allocation,
    AllocationStats,
    Assignment,
    Instance,
    InstanceBundle,
    InstanceWriter,
    Unassigned,
)
from service.allocation.columns import Master, best_set
from service.calendar import WorkingCalendar

EPS = 1e-9  # hours; absorbs float rounding in sums of efforts
HORIZON_DAYS = 730

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# --- the rules, stated once and shared by the engine and `recompute` -------------------------------


def eligible(writer: InstanceWriter, bundle: InstanceBundle) -> bool:
    """Skills cover the work type and every requirement, no conflict of interest, DBS valid to due."""
    skills = set(writer.skills)
    return (
        bundle.work_type in skills
        and all(r in skills for r in bundle.requires)
        and bundle.la not in writer.excluded_las
        and writer.dbs_expires >= bundle.due
    )


def free_slots(writer: InstanceWriter) -> int:
    return max(0, writer.max_concurrent - writer.active_bundles)


def hours_by(capacity_days: int, writer: InstanceWriter) -> float:
    """The writer's hours by a date, given its working days (less leave) from now to that date."""
    return writer.hours_per_day * capacity_days - writer.committed_hours


def is_on_time(running_effort: float, capacity_days_by_due: int, writer: InstanceWriter) -> bool:
    return running_effort <= hours_by(capacity_days_by_due, writer) + EPS


def days_needed(running_effort: float, writer: InstanceWriter) -> int | None:
    """How many of the writer's working days (from now) until its hours cover the running effort."""
    need = running_effort + writer.committed_hours
    if need <= EPS:
        return 0
    hpd = writer.hours_per_day
    if hpd <= 0:
        return None
    n = max(1, math.ceil((need - EPS) / hpd))
    while hours_by(n, writer) + EPS < running_effort:
        n += 1
    while n > 1 and hours_by(n - 1, writer) + EPS >= running_effort:
        n -= 1
    return n


def horizon_end(instance: Instance) -> date:
    latest = max([instance.now, *(b.due for b in instance.bundles)])
    return latest + timedelta(days=HORIZON_DAYS)


# --- recomputation from first principles (slow, obvious; tests use it to check the engine) ---------


def recompute(instance: Instance, allocation: Allocation) -> Allocation:
    """Recompute every assignment's projected_completion and on_time, and the stats, from the rules."""
    cal = WorkingCalendar(instance.calendar.region, instance.calendar.extra_closures)
    writers = {w.id: w for w in instance.writers}
    bundles = {b.id: b for b in instance.bundles}
    end = horizon_end(instance)
    by_writer: dict[str, list[Assignment]] = {}
    for a in allocation.assignments:
        by_writer.setdefault(a.writer, []).append(a)
    fixed: dict[str, Assignment] = {}
    for wid, items in by_writer.items():
        writer = writers[wid]
        leave = set(writer.leave)
        days = [d for d in cal.working_days(instance.now, end) if d not in leave]
        running = 0.0
        for a in sorted(items, key=lambda x: x.sequence):
            bundle = bundles[a.bundle]
            running += bundle.effort_hours
            by_due = sum(1 for d in days if d <= bundle.due)
            n = days_needed(running, writer)
            completion = None if n is None or n > len(days) else (instance.now if n == 0 else days[n - 1])
            fixed[a.bundle] = a.model_copy(
                update={"projected_completion": completion, "on_time": is_on_time(running, by_due, writer)}
            )
    assignments = [fixed[a.bundle] for a in allocation.assignments]
    return allocation.model_copy(
        update={"assignments": assignments, "stats": _stats(instance, assignments, allocation.stats.seconds)}
    )


def _stats(instance: Instance, assignments: Sequence[Assignment], seconds: float) -> AllocationStats:
    weight = {b.id: b.weight for b in instance.bundles}
    on_time = [a for a in assignments if a.on_time]
    return AllocationStats(
        bundles=len(instance.bundles),
        assigned=len(assignments),
        on_time=len(on_time),
        on_time_weight=round(math.fsum(weight[a.bundle] for a in on_time), 9),
        seconds=round(seconds, 6),
    )


# --- the prepared instance: arrays for speed ------------------------------------------------------


@dataclass
class _Prepared:
    instance: Instance
    writers: list[InstanceWriter]
    bundles: list[InstanceBundle]  # sorted by id
    effort: FloatArray  # per bundle
    weight: FloatArray
    due_index: IntArray  # per bundle: index into the distinct due dates
    due_ord: IntArray  # per bundle: due date ordinal
    capacity: FloatArray  # writers x due dates: hours by each distinct due date
    cap_days: IntArray  # writers x due dates: working days less leave by each due date
    slots: IntArray  # per writer: free slots
    elig: BoolArray  # bundles x writers
    writer_days: list[IntArray]  # per writer: ordinals of its working days from now to the horizon
    writer_index: dict[str, int] = field(default_factory=dict)
    cand_cols: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cand_start: IntArray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))

    def cands(self, b: int) -> IntArray:
        """The writers eligible for bundle b (a view; do not modify)."""
        return self.cand_cols[self.cand_start[b] : self.cand_start[b + 1]]


def _prepare(instance: Instance) -> _Prepared:
    cal = WorkingCalendar(instance.calendar.region, instance.calendar.extra_closures)
    writers = sorted(instance.writers, key=lambda w: w.id)
    bundles = sorted(instance.bundles, key=lambda b: b.id)
    nb, nw = len(bundles), len(writers)
    now = instance.now
    dues = sorted({b.due for b in bundles})
    due_pos = {d: i for i, d in enumerate(dues)}
    due_ords = np.array([d.toordinal() for d in dues], dtype=np.int64)
    workdays = np.array([d.toordinal() for d in cal.working_days(now, horizon_end(instance))], dtype=np.int64)
    global_by_due = np.searchsorted(workdays, due_ords, side="right").astype(np.int64)

    cap_days = np.empty((nw, len(dues)), dtype=np.int64)
    writer_days: list[IntArray] = []
    for i, w in enumerate(writers):
        leave = np.array(sorted({d.toordinal() for d in w.leave}), dtype=np.int64)
        if leave.size:
            leave = leave[np.isin(leave, workdays)]
        if leave.size:
            cap_days[i] = global_by_due - np.searchsorted(leave, due_ords, side="right")
            writer_days.append(np.setdiff1d(workdays, leave, assume_unique=True))
        else:
            cap_days[i] = global_by_due
            writer_days.append(workdays)
    hpd = np.array([w.hours_per_day for w in writers], dtype=np.float64)
    committed = np.array([w.committed_hours for w in writers], dtype=np.float64)
    capacity = hpd[:, None] * cap_days - committed[:, None]

    # Eligibility, vectorised over writers per distinct skill need and per LA.
    skill_bit: dict[str, int] = {}
    for w in writers:
        for s in w.skills:
            skill_bit.setdefault(s, len(skill_bit))
    masks = [sum(1 << skill_bit[s] for s in set(w.skills)) for w in writers]
    unknown = 1 << len(skill_bit)  # a skill no writer has
    need_ids: dict[int, int] = {}
    la_ids: dict[str, int] = {}
    bundle_need = np.empty(nb, dtype=np.int64)
    bundle_la = np.empty(nb, dtype=np.int64)
    for j, b in enumerate(bundles):
        need = 0
        for s in (b.work_type, *b.requires):
            need |= 1 << skill_bit[s] if s in skill_bit else unknown
        bundle_need[j] = need_ids.setdefault(need, len(need_ids))
        bundle_la[j] = la_ids.setdefault(b.la, len(la_ids))
    need_rows = np.array([[(need & ~m) == 0 for m in masks] for need in need_ids], dtype=np.bool_)
    la_rows = np.array([[la not in w.excluded_las for w in writers] for la in la_ids], dtype=np.bool_)
    dbs = np.array([w.dbs_expires.toordinal() for w in writers], dtype=np.int64)
    bundle_due = np.array([b.due.toordinal() for b in bundles], dtype=np.int64)
    if nb:
        elig = need_rows[bundle_need] & la_rows[bundle_la] & (dbs[None, :] >= bundle_due[:, None])
    else:
        elig = np.zeros((0, nw), dtype=np.bool_)

    rows, cols = np.nonzero(elig)
    cand_start = np.searchsorted(rows, np.arange(nb + 1)).astype(np.int64)
    return _Prepared(
        instance=instance,
        cand_cols=cols.astype(np.int64),
        cand_start=cand_start,
        writers=writers,
        bundles=bundles,
        effort=np.array([b.effort_hours for b in bundles], dtype=np.float64),
        weight=np.array([b.weight for b in bundles], dtype=np.float64),
        due_index=np.array([due_pos[b.due] for b in bundles], dtype=np.int64),
        due_ord=np.array([b.due.toordinal() for b in bundles], dtype=np.int64),
        capacity=capacity,
        cap_days=cap_days,
        slots=np.array([free_slots(w) for w in writers], dtype=np.int64),
        elig=elig,
        writer_days=writer_days,
        writer_index={w.id: i for i, w in enumerate(writers)},
    )


# --- why each bundle went where it went ------------------------------------------------------------


class Basis(StrEnum):
    """What placed a bundle (or left it out)."""

    FINISHES_SOONEST = "finishes_soonest"  # the greedy: fits on time, and this writer finishes it soonest
    IN_PLACE_OF = "in_place_of"  # took the place of a lighter or longer bundle (`displaced`)
    REHOMED = "rehomed"  # ejected from one writer, placed on time with another
    AFTER_MOVING = "after_moving"  # fits once another bundle (`displaced`) moved to another writer
    MOVED_FOR_ANOTHER = "moved_for_another"  # moved to this writer to make room for another bundle
    BEST_SET = "best_set"  # the column-generation dive gave the writer its best on-time set
    PREFERRED = "preferred"  # moved to its preferred writer at no cost
    REPACKED = "repacked"  # on time after the search re-packed the round (an earlier basis no longer holds)
    LATE = "late"  # cannot be on time with anyone; this writer finishes it soonest
    NO_ELIGIBLE_WRITER = "no_eligible_writer"
    NO_FREE_SLOT = "no_free_slot"


_REASON_TEXT = {
    Basis.FINISHES_SOONEST: "on time with {writer}, who can finish it soonest",
    Basis.IN_PLACE_OF: "on time with {writer} in place of {displaced}, which is lighter or longer",
    Basis.REHOMED: "on time with {writer} after being moved to make room",
    Basis.AFTER_MOVING: "on time with {writer} after moving {displaced} to another writer",
    Basis.MOVED_FOR_ANOTHER: "on time with {writer}, moved there to make room for another one",
    Basis.BEST_SET: "on time with {writer}, in the best set of bundles it could take",
    Basis.PREFERRED: "on time with its preferred writer {writer}",
    Basis.REPACKED: "on time with {writer}: fits its hours by the due date once the round is re-packed",
    Basis.LATE: "cannot be on time with any eligible writer; {writer} finishes it soonest",
    Basis.NO_ELIGIBLE_WRITER: "no writer has the skills, a clear conflict check and a DBS valid to its due date",
    Basis.NO_FREE_SLOT: "every eligible writer already holds as many bundles as allowed",
}


@dataclass(frozen=True)
class Reason:
    """Why one bundle went where it went: the basis, the writer it names, and the bundle it displaced (if any)."""

    basis: Basis
    writer: str | None = None
    displaced: str | None = None

    @property
    def text(self) -> str:
        """The sentence a coordinator reads."""
        return _REASON_TEXT[self.basis].format(writer=self.writer, displaced=self.displaced)


# --- the engine state -------------------------------------------------------------------------------


class _State:
    """On-time sets per writer with their slack (hours by each due date less the effort due by then)."""

    def __init__(self, p: _Prepared) -> None:
        self.p = p
        self.slack = p.capacity.copy()
        # suf[k, w]: least slack from due date k on; stored per due date so a row of writers is contiguous.
        self.suf = np.ascontiguousarray(np.minimum.accumulate(self.slack[:, ::-1], axis=1)[:, ::-1].T)
        self.free = p.slots.copy()
        self.held: list[list[int]] = [[] for _ in p.writers]
        self.owner = np.full(len(p.bundles), -1, dtype=np.int64)
        self.reason: dict[int, Reason] = {}
        # The cheapest bundle to eject per writer (lowest weight, then most effort), for the greedy.
        nw = len(p.writers)
        self.cheap = np.full(nw, -1, dtype=np.int64)
        self.cheap_weight = np.full(nw, np.inf)
        self.cheap_effort = np.zeros(nw)
        self.cheap_due = np.zeros(nw, dtype=np.int64)
        self.log: list[tuple[int, int, int]] | None = None  # (+1 add / -1 remove, writer, bundle) for undo
        self.on_time_weight = 0.0
        # Hours of work each writer holds (committed plus this round's), to send work to whoever is free soonest.
        self.load = np.array([w.committed_hours for w in p.writers], dtype=np.float64)
        self.hours_per_day = np.array([max(w.hours_per_day, EPS) for w in p.writers], dtype=np.float64)

    def _refresh(self, w: int) -> None:
        self.suf[:, w] = np.minimum.accumulate(self.slack[w, ::-1])[::-1]
        p = self.p
        if self.held[w]:
            a = min(self.held[w], key=lambda x: (p.weight[x], -p.effort[x], x))
            self.cheap[w], self.cheap_weight[w], self.cheap_effort[w] = a, p.weight[a], p.effort[a]
            self.cheap_due[w] = p.due_index[a]
        else:
            self.cheap[w], self.cheap_weight[w], self.cheap_effort[w] = -1, np.inf, 0.0

    def fits(self, w: int, b: int) -> bool:
        p = self.p
        return bool(self.free[w] > 0 and self.suf[p.due_index[b], w] + EPS >= p.effort[b])

    def fitting_writers(self, b: int, cands: IntArray) -> IntArray:
        p = self.p
        k = p.due_index[b]
        ok = (self.free[cands] > 0) & (self.suf[k][cands] + EPS >= p.effort[b])
        found: IntArray = cands[ok]
        return found

    def fitting_elsewhere(self, b: int, w: int) -> IntArray:
        """The writers other than w where b would fit on time."""
        others = self.p.cands(b)
        return self.fitting_writers(b, others[others != w])

    def add(self, w: int, b: int) -> None:
        p = self.p
        self.slack[w, p.due_index[b] :] -= p.effort[b]
        self.free[w] -= 1
        self.held[w].append(b)
        self.owner[b] = w
        self.load[w] += p.effort[b]
        self._refresh(w)
        self.on_time_weight += p.weight[b]
        if self.log is not None:
            self.log.append((1, w, b))

    def remove(self, w: int, b: int) -> None:
        p = self.p
        self.slack[w, p.due_index[b] :] += p.effort[b]
        self.free[w] += 1
        self.held[w].remove(b)
        self.owner[b] = -1
        self.load[w] -= p.effort[b]
        self._refresh(w)
        self.on_time_weight -= p.weight[b]
        if self.log is not None:
            self.log.append((-1, w, b))

    def undo(self, mark: int) -> None:
        """Reverse the logged changes back to `mark`."""
        assert self.log is not None
        entries = self.log[mark:]
        del self.log[mark:]
        saved, self.log = self.log, None
        for sign, w, b in reversed(entries):
            if sign > 0:
                self.remove(w, b)
            else:
                self.add(w, b)
        self.log = saved

    def reset(self, owner: IntArray) -> None:
        """Hold exactly what `owner` says (bundle -> writer, -1 for none)."""
        for w, held in enumerate(self.held):
            for b in list(held):
                self.remove(w, b)
        for b in np.flatnonzero(owner >= 0).tolist():
            self.add(int(owner[b]), b)

    def feasible_exchange(self, w: int, out: Sequence[int], b: int) -> bool:
        """Would writer w stay feasible with `out` removed and b added?"""
        p = self.p
        if self.free[w] + len(out) < 1:
            return False
        row = self.slack[w].copy()
        for a in out:
            row[p.due_index[a] :] += p.effort[a]
        row[p.due_index[b] :] -= p.effort[b]
        members = [a for a in self.held[w] if a not in out] + [b]
        first = min(int(p.due_index[a]) for a in members)
        return bool(row[first:].min() + EPS >= 0)

    def best_writer(self, b: int, ws: IntArray) -> int:
        """Among writers where b fits on time: the one who would finish it soonest.

        Finishing soonest (held hours plus b, over the writer's daily hours) keeps every writer busy; choosing by
        most spare hours instead favours long-day writers and leaves short-day writers idle while work queues
        (the simulator showed the engine losing to first-come-first-served at normal load that way).
        """
        p = self.p
        pref = p.bundles[b].preferred_writer
        if pref is not None and pref in p.writer_index:
            pw = p.writer_index[pref]
            if pw in ws:
                return pw
        finish = (self.load[ws] + p.effort[b]) / self.hours_per_day[ws]
        return int(ws[int(np.argmin(finish))])


def _writer_name(p: _Prepared, w: int) -> str:
    return p.writers[w].id


def _greedy_order(p: _Prepared) -> list[int]:
    """The greedy's order: earliest due first, then heavier, then shorter."""
    return sorted(range(len(p.bundles)), key=lambda b: (p.due_ord[b], -p.weight[b], p.effort[b], b))


def _greedy(state: _State, order: Sequence[int]) -> list[int]:
    """Earliest-due-first placement with weighted Moore-Hodgson ejection. Returns the bundles left out."""
    p = state.p
    out: list[int] = []
    for b in order:
        cands = p.cands(b)
        if cands.size == 0:
            out.append(b)
            continue
        ws = state.fitting_writers(b, cands)
        if ws.size:
            w = state.best_writer(b, ws)
            state.add(w, b)
            state.reason[b] = Reason(Basis.FINISHES_SOONEST, _writer_name(p, w))
            continue
        ejected = _eject_cheapest(state, b, cands)
        if ejected is None:
            out.append(b)
            continue
        rehomed = _place_direct(state, ejected)
        if not rehomed:
            out.append(ejected)
    return out


def _eject_cheapest(state: _State, b: int, cands: IntArray) -> int | None:
    """Vectorised ejection for the greedy: only each writer's cheapest bundle is considered."""
    p = state.p
    k = int(p.due_index[b])
    e_b, w_b = p.effort[b], p.weight[b]
    cw = state.cheap_weight[cands]
    ce = state.cheap_effort[cands]
    ok = (cw < w_b) | ((cw == w_b) & (ce > e_b))
    if not ok.any():
        return None
    cands, cw, ce = cands[ok], cw[ok], ce[ok]
    ok = (state.cheap_due[cands] <= k) & (state.suf[k][cands] + ce + EPS >= e_b)
    if not ok.any():
        return None
    cands, cw, ce = cands[ok], cw[ok], ce[ok]
    pick = int(np.lexsort((cands, -ce, cw))[0])
    cheap = state.cheap
    w = int(cands[pick])
    a = int(cheap[w])
    state.remove(w, a)
    state.add(w, b)
    state.reason[b] = Reason(Basis.IN_PLACE_OF, _writer_name(p, w), displaced=p.bundles[a].id)
    return a


def _eject_for(state: _State, b: int, cands: IntArray) -> int | None:
    """Make room for b by ejecting one cheaper bundle from an eligible writer; returns the ejected bundle."""
    p = state.p
    k = int(p.due_index[b])
    e_b, w_b = p.effort[b], p.weight[b]
    best: tuple[float, float, int, int, int] | None = None
    for w in cands.tolist():
        for a in state.held[w]:
            w_a, e_a = p.weight[a], p.effort[a]
            if w_a > w_b or (w_a == w_b and e_a <= e_b):
                continue
            # an earlier-due bundle frees exactly its effort at b's due date; a later one needs the full check
            ok = (state.suf[k, w] + e_a + EPS >= e_b) if p.due_index[a] <= k else state.feasible_exchange(w, [a], b)
            if not ok:
                continue
            key = (w_a - w_b, -(e_a - e_b), w, a, 0)
            if best is None or key < best:
                best = key
    if best is None:
        return None
    _, _, w, a, _ = best
    state.remove(w, a)
    state.add(w, b)
    state.reason[b] = Reason(Basis.IN_PLACE_OF, _writer_name(p, w), displaced=p.bundles[a].id)
    return a


def _place_direct(state: _State, b: int) -> bool:
    p = state.p
    cands = p.cands(b)
    ws = state.fitting_writers(b, cands)
    if ws.size == 0:
        return False
    w = state.best_writer(b, ws)
    state.add(w, b)
    state.reason[b] = Reason(Basis.REHOMED, _writer_name(p, w))
    return True


def _improve(state: _State, out: list[int], budget: int) -> list[int]:
    """Local search on the left-out bundles, heaviest per hour first; stops when a pass changes nothing."""
    p = state.p
    spent = 0
    changed = True
    while changed and spent < budget:
        changed = False
        out.sort(key=lambda b: (-p.weight[b], p.effort[b], p.due_ord[b], b))
        still: list[int] = []
        for b in out:
            if spent >= budget:
                still.append(b)
                continue
            cands = p.cands(b)
            spent += 1
            if cands.size == 0:
                still.append(b)
                continue
            if _place_direct(state, b):
                changed = True
                continue
            moved, cost = _insert_by_moving(state, b, cands)
            spent += cost
            if moved:
                changed = True
                continue
            ejected = _eject_for(state, b, cands)
            if ejected is not None:
                changed = True
                if not _place_direct(state, ejected):
                    still.append(ejected)
                continue
            still.append(b)
        out = still
    return out


def _lns_rounds(p: _Prepared) -> int:
    """Rounds of ruin-and-recreate by the instance's size (work, not seconds).

    Most rounds, LNS_MAX_ROUNDS, at about 200 bundles x 30 writers. Alone, the rounds reached 0.992 of the best
    solutions known there with 8,000 rounds; with the dive between two halves, 4,000 rounds give more on-time
    weight in less time than 8,000 without it (5,454.5 against 5,363 over the 30 benchmark instances), and
    further rounds measured no gain. Fewer on small instances, which settle sooner, and on huge ones, where
    one round costs much more and the one-second budget of a 10,000 x 500 round leaves room for only a handful.
    """
    size = len(p.bundles) + 4 * len(p.writers)
    return int(min(LNS_MAX_ROUNDS, LNS_ROUNDS_PER_ITEM * size, max(LNS_MIN_ROUNDS, LNS_WORK / max(size, 1) ** 2)))


LNS_WORK = 820_000_000
LNS_ROUNDS_PER_ITEM = 25
LNS_MAX_ROUNDS = 4000
LNS_MIN_ROUNDS = 3


def _ruin_and_recreate(state: _State, out: list[int], rounds: int) -> list[int]:
    """Large-neighbourhood search: take some bundles off, put everything back by weight per hour.

    A round is kept when the on-time weight does not drop (plateaus let the search drift), otherwise
    undone. The random choices come from a fixed seed, so the result is reproducible.
    """
    p = state.p
    rng = random.Random(RNG_SEED)
    noise = np.random.default_rng(RNG_SEED)
    density = p.weight / np.maximum(p.effort, 1e-6)
    pool = set(out)
    eligible_out = [b for b in sorted(pool) if p.elig[b].any()]
    if not eligible_out:
        return out
    state.log = []
    cands_of = p.cands

    # Invariant between rounds: no left-out bundle fits any writer as things stand. So in a round,
    # a left-out bundle need only be tried on the writers that were just cleared.
    _fill(state, sorted(pool, key=lambda b: (-density[b], b)), cands_of, pool)
    touched = np.zeros(len(p.writers), dtype=np.bool_)
    best_weight, best_owner = state.on_time_weight, state.owner.copy()
    # No round can beat the weight of every bundle that fits on time somewhere on its own.
    rows = np.repeat(np.arange(len(p.bundles)), np.diff(p.cand_start))
    fits_alone = (p.capacity[p.cand_cols, p.due_index[rows]] + EPS >= p.effort[rows]) & (
        p.slots[p.cand_cols] > 0
    )
    alone = np.bincount(rows[fits_alone], minlength=len(p.bundles)) > 0
    ceiling = math.fsum(p.weight[alone].tolist())
    for _ in range(rounds):
        if best_weight + 1e-9 >= ceiling:
            break
        held = np.flatnonzero(state.owner >= 0).tolist()
        mark = len(state.log)
        before = state.on_time_weight
        removed: list[int] = []
        pool_arr = np.array(sorted(pool), dtype=np.int64)
        if pool_arr.size == 0:
            break
        if held and rng.random() < RANDOM_RUIN_SHARE:
            # Random ruin: a few assigned bundles anywhere.
            size = max(2, min(25, len(held) // 10))
            removed = rng.sample(held, min(size, len(held)))
        else:
            # Targeted ruin: clear one to three writers a left-out bundle could go to.
            b = int(pool_arr[rng.randrange(pool_arr.size)])
            ws = cands_of(b).tolist()
            if not ws:
                continue
            for w in rng.sample(ws, min(len(ws), rng.choice((1, 2, 2, 3)))):
                removed.extend(state.held[w])
        touched[:] = False
        for b in removed:
            w = int(state.owner[b])
            touched[w] = True
            state.remove(w, b)
        touched_idx = np.flatnonzero(touched)
        near = (
            pool_arr[p.elig[np.ix_(pool_arr, touched_idx)].any(axis=1)] if touched_idx.size else pool_arr[:0]
        )
        keys = density[near] * (1.0 + noise.uniform(-0.25, 0.25, near.size))
        # On huge pools only the densest few left-out bundles get a chance in one round.
        near = near[np.argsort(-keys, kind="stable")[: 4 * len(removed) + 50]]
        extra = density[removed] * (1.0 + noise.uniform(-0.25, 0.25, len(removed)))
        trial_keys = np.concatenate([-np.sort(-keys)[: near.size], extra])
        trial_arr = np.concatenate([near, np.array(removed, dtype=np.int64)])
        trial = trial_arr[np.argsort(-trial_keys, kind="stable")].tolist()
        placed: list[int] = []
        for b in trial:
            cands = cands_of(b)
            ws_fit = state.fitting_writers(b, cands)
            if ws_fit.size == 0:
                continue
            k = p.due_index[b]
            after = state.suf[k][ws_fit] - p.effort[b]
            if rng.random() < TIGHTEST_FIT_SHARE:
                w = int(ws_fit[int(np.argmin(after))])
            else:
                w = int(rng.choice(ws_fit.tolist()))
            state.add(w, b)
            placed.append(b)
        if before - state.on_time_weight <= 1e-9:
            pool = (pool | set(removed)) - set(placed)
            del state.log[mark:]
            if state.on_time_weight > best_weight + 1e-9:
                best_weight, best_owner = state.on_time_weight, state.owner.copy()
        else:
            state.undo(mark)
    state.log = None
    if state.on_time_weight + 1e-9 < best_weight:
        state.reset(best_owner)
        pool = set(np.flatnonzero(best_owner < 0).tolist())
    return sorted(pool)


def _price_and_dive(state: _State, out: list[int]) -> list[int]:
    """Column generation on the Dantzig-Wolfe model, then a dive: fix the column the LP uses most, re-price
    what is left, and so on until every writer is fixed. Adopted when it beats the state's on-time weight.

    Columns start from the state's own sets. Pricing is each writer's exact best set on a grid of whole effort
    units (efforts round up and hours down, so every set found is truly on time; exact for efforts in tenths
    of an hour). The work is bounded by LP solves, not seconds.
    """
    p = state.p
    nb, nw = len(p.bundles), len(p.writers)
    unit = _effort_unit(p.effort)
    size = np.ceil(p.effort * unit - 1e-6).astype(np.int64)
    cap = np.floor(p.capacity * unit + 1e-6).astype(np.int64)
    items: list[list[int]] = [[] for _ in range(nw)]
    for b in range(nb):
        for w in p.cands(b).tolist():
            if p.slots[w] > 0 and size[b] <= cap[w, p.due_index[b]]:
                items[w].append(b)
    for w in range(nw):
        items[w].sort(key=lambda b: (p.due_index[b], b))
    master = Master(p.weight.tolist(), nw)
    for w in range(nw):
        if state.held[w]:
            master.add(w, state.held[w])
    fixed: dict[int, frozenset[int]] = {}
    gone: set[int] = set()
    solves = 0
    while len(fixed) < nw and solves < DIVE_MAX_SOLVES:
        master.limit(np.array([
            0.0 if w in fixed or not gone.isdisjoint(m) else np.inf
            for w, m in zip(master.writer_of, master.members, strict=True)
        ]))
        while True:
            _, pi, mu, lam = master.solve()
            solves += 1
            added = 0
            for w in range(nw):
                order = [b for b in items[w] if b not in gone] if w not in fixed else []
                if not order:
                    continue
                gain = (p.weight[order] - pi[order]).tolist()
                value, chosen = best_set(order, gain, size[order].tolist(),
                                         cap[w, p.due_index[order]].tolist(), int(p.slots[w]))
                if value - mu[w] > 1e-7 and master.add(w, chosen):
                    added += 1
            if added == 0 or solves >= DIVE_MAX_SOLVES:
                break
        ranked = np.argsort(-lam, kind="stable").tolist()
        if not ranked or lam[ranked[0]] < 1e-9:
            break
        for rank, j in enumerate(ranked):
            if rank > 0 and lam[j] < DIVE_FIX_SHARE:
                break
            w, m = master.writer_of[j], master.members[j]
            if w not in fixed and gone.isdisjoint(m):
                fixed[w] = m
                gone |= m
    before, owner = state.on_time_weight, state.owner.copy()
    if math.fsum(p.weight[b] for b in gone) <= before + 1e-9:
        return out
    state.reset(np.full_like(owner, -1))
    for w, m in sorted(fixed.items()):
        for b in sorted(m, key=lambda b: (p.due_index[b], b)):
            if state.fits(w, b):  # always, unless float rounding betrays the grid
                state.add(w, b)
                state.reason[b] = Reason(Basis.BEST_SET, _writer_name(p, w))
    if state.on_time_weight + 1e-9 < before:
        state.reset(owner)
    return np.flatnonzero(state.owner < 0).tolist()


def _dives(p: _Prepared) -> bool:
    return 0 < len(p.bundles) * len(p.writers) <= DIVE_MAX_PAIRS


def _effort_unit(effort: FloatArray) -> int:
    """The coarsest grid (units per hour) holding every effort exactly, or tenths of an hour."""
    for unit in (1, 2, 4, 5, 10, 20):
        scaled = effort * unit
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return unit
    return 10


DIVE_MAX_PAIRS = 20_000  # bundles x writers; beyond, the dive costs minutes and the local searches go alone
DIVE_MAX_SOLVES = 2_000
DIVE_FIX_SHARE = 0.99  # besides the LP's favourite column, fix every other it uses this fully


RNG_SEED = 20270111
RANDOM_RUIN_SHARE = 0.4
TIGHTEST_FIT_SHARE = 0.9


def _fill(state: _State, order: Sequence[int], cands_of: Callable[[int], IntArray], pool: set[int]) -> None:
    """Place every bundle of `order` that fits somewhere on time (tightest fit), removing it from pool."""
    p = state.p
    for b in order:
        ws = state.fitting_writers(b, cands_of(b))
        if ws.size:
            after = state.suf[p.due_index[b]][ws] - p.effort[b]
            state.add(int(ws[int(np.argmin(after))]), b)
            pool.discard(b)


def _insert_by_moving(state: _State, b: int, cands: IntArray) -> tuple[bool, int]:
    """Insert b at writer w by moving one of w's bundles to another writer where it fits on time."""
    p = state.p
    cost = 0
    for w in cands.tolist():
        for a in list(state.held[w]):
            cost += 1
            if not state.feasible_exchange(w, [a], b):
                continue
            targets = state.fitting_elsewhere(a, w)
            if targets.size == 0:
                continue
            state.remove(w, a)
            state.add(w, b)
            w2 = state.best_writer(a, targets)
            state.add(w2, a)
            state.reason[b] = Reason(Basis.AFTER_MOVING, _writer_name(p, w), displaced=p.bundles[a].id)
            state.reason[a] = Reason(Basis.MOVED_FOR_ANOTHER, _writer_name(p, w2))
            return True, cost
    return False, cost


SPREAD_PASSES = 3


def _spread(state: _State, passes: int = SPREAD_PASSES) -> None:
    """Move on-time bundles to writers who would finish their whole load sooner, keeping every one on time.

    The search packs writers to their hours by each due date (tightest fit), which is optimal when efforts are
    exact; in a season they are not (noise, QA returns), and a writer planned to the hour runs late at the first
    overrun while another sits idle. Each move here keeps the on-time weight and lowers the day the busier writer
    is done, so the plan keeps the same bundles on time with slack spread over the pool."""
    p = state.p
    for _ in range(passes):
        moved = 0
        for b in sorted(np.flatnonzero(state.owner >= 0).tolist(), key=lambda b: (-p.effort[b], b)):
            w = int(state.owner[b])
            if p.bundles[b].preferred_writer is not None:
                continue
            ws = state.fitting_elsewhere(b, w)
            if ws.size == 0:
                continue
            w2 = state.best_writer(b, ws)
            if (state.load[w2] + p.effort[b]) / state.hours_per_day[w2] + 1e-9 < state.load[w] / state.hours_per_day[w]:
                state.remove(w, b)
                state.add(w2, b)
                state.reason[b] = Reason(Basis.REPACKED, _writer_name(p, w2))
                moved += 1
        if not moved:
            break


def _honour_preferences(state: _State) -> None:
    """Move on-time bundles to their preferred writer when it costs nothing (continuity of the case)."""
    p = state.p
    for b, bundle in enumerate(p.bundles):
        w = int(state.owner[b])
        pref = bundle.preferred_writer
        if w < 0 or pref is None or pref not in p.writer_index:
            continue
        pw = p.writer_index[pref]
        if pw == w or not p.elig[b, pw] or not state.fits(pw, b):
            continue
        state.remove(w, b)
        state.add(pw, b)
        state.reason[b] = Reason(Basis.PREFERRED, pref)


@dataclass
class Explained:
    """An allocation with the reason for every bundle, by bundle id (for coordinators; not part of the JSON
    contract)."""

    allocation: Allocation
    why: dict[str, Reason]

    @property
    def reasons(self) -> dict[str, str]:
        """Each bundle's reason as the sentence a coordinator reads."""
        return {bundle: reason.text for bundle, reason in self.why.items()}


def allocate(instance: Instance) -> Allocation:
    """The allocation of ALLOCATION.md: pure and deterministic (only stats.seconds varies)."""
    return allocate_explained(instance).allocation


def allocate_explained(instance: Instance, *, budget: int | None = None) -> Explained:
    """`allocate`, and why each bundle went where it went (`budget` overrides step 3's operation budget)."""
    started = time.perf_counter()
    p = _prepare(instance)
    state = _State(p)
    nb = len(p.bundles)
    out = _greedy(state, _greedy_order(p))
    if budget is None:
        # Operations, not seconds: the same input always gives the same output.
        budget = 3_000_000 // (nb + 10 * len(p.writers) + 1)
    out = _improve(state, out, budget)
    rounds = _lns_rounds(p)
    if _dives(p):
        # Half the search finds good sets to start the columns from; half polishes what the dive fixed.
        out = _ruin_and_recreate(state, out, rounds // 2)
        out = _price_and_dive(state, out)
        out = _ruin_and_recreate(state, out, rounds - rounds // 2)
    else:
        out = _ruin_and_recreate(state, out, rounds)
    _spread(state)
    _honour_preferences(state)
    return _finish(p, state, out, started)


def _finish(p: _Prepared, state: _State, out: list[int], started: float) -> Explained:
    """Sequence each writer EDF, give the left-out bundles to whoever finishes them soonest, report."""
    nw = len(p.writers)
    load = np.array([math.fsum(p.effort[b] for b in held) for held in state.held], dtype=np.float64)
    hpd = np.array([w.hours_per_day for w in p.writers], dtype=np.float64)
    committed = np.array([w.committed_hours for w in p.writers], dtype=np.float64)
    lengths = np.array([len(d) for d in p.writer_days], dtype=np.int64)
    late: list[list[int]] = [[] for _ in range(nw)]
    unassigned: list[Unassigned] = []
    free = state.free.copy()
    far = np.iinfo(np.int64).max
    for b in sorted(out, key=lambda b: (p.due_ord[b], -p.weight[b], b)):
        cands = p.cands(b)
        if cands.size == 0:
            unassigned.append(Unassigned(bundle=p.bundles[b].id, reason="no_eligible_writer"))
            state.reason[b] = Reason(Basis.NO_ELIGIBLE_WRITER)
            continue
        cands = cands[free[cands] > 0]
        if cands.size == 0:
            unassigned.append(Unassigned(bundle=p.bundles[b].id, reason="no_free_slot"))
            state.reason[b] = Reason(Basis.NO_FREE_SLOT)
            continue
        need = load[cands] + p.effort[b] + committed[cands]
        with np.errstate(divide="ignore", invalid="ignore"):
            days = np.where(
                need <= EPS, 0, np.where(hpd[cands] > 0, np.ceil(need / hpd[cands] - 1e-12), np.inf)
            )
        finish = np.full(cands.size, far, dtype=np.int64)
        for i, w in enumerate(cands.tolist()):
            n = days[i]
            if math.isfinite(n) and n <= lengths[w]:
                finish[i] = 0 if n == 0 else p.writer_days[w][int(n) - 1]
        w = int(cands[int(np.lexsort((cands, load[cands], finish))[0])])
        late[w].append(b)
        load[w] += p.effort[b]
        free[w] -= 1
        state.reason[b] = Reason(Basis.LATE, _writer_name(p, w))

    for w, held in enumerate(state.held):
        name = _writer_name(p, w)
        for b in held:
            # A reason from an earlier stage may name a writer the search later moved the bundle from.
            said = state.reason.get(b)
            if said is None or said.writer != name:
                state.reason[b] = Reason(Basis.REPACKED, name)

    assignments: list[Assignment] = []
    now = p.instance.now
    for w, writer in enumerate(p.writers):
        sequence = sorted(state.held[w], key=lambda b: (p.due_ord[b], b)) + late[w]
        running = 0.0
        days_w = p.writer_days[w]
        for seq, b in enumerate(sequence, start=1):
            running += p.effort[b]
            n = days_needed(running, writer)
            if n is None or n > len(days_w):
                completion = None
            else:
                completion = now if n == 0 else date.fromordinal(int(days_w[n - 1]))
            by_due = int(p.cap_days[w, p.due_index[b]])
            assignments.append(
                Assignment(
                    bundle=p.bundles[b].id,
                    writer=writer.id,
                    sequence=seq,
                    projected_completion=completion,
                    on_time=is_on_time(running, by_due, writer),
                )
            )
    assignments.sort(key=lambda a: (a.writer, a.sequence))
    unassigned.sort(key=lambda u: u.bundle)
    stats = _stats(p.instance, assignments, time.perf_counter() - started)
    why = {p.bundles[b].id: r for b, r in state.reason.items()}
    return Explained(Allocation(assignments=assignments, unassigned=unassigned, stats=stats), why)


def naive_allocate(instance: Instance) -> Allocation:
    """The baseline: first come first served (by due date, then id) to the least-loaded eligible writer."""
    started = time.perf_counter()
    p = _prepare(instance)
    free = p.slots.copy()
    load = np.array([w.committed_hours for w in p.writers], dtype=np.float64)
    held: list[list[int]] = [[] for _ in p.writers]
    out: list[int] = []
    for b in sorted(range(len(p.bundles)), key=lambda b: (p.due_ord[b], p.bundles[b].id)):
        cands = np.flatnonzero(p.elig[b] & (free > 0))
        if cands.size == 0:
            out.append(b)
            continue
        w = int(cands[int(np.argmin(load[cands]))])
        held[w].append(b)
        load[w] += p.effort[b]
        free[w] -= 1
    state = _State(p)
    state.held = [[] for _ in p.writers]
    # Keep naive's own order: hand _finish a state whose held lists are already in FCFS (= due) order.
    for w, items in enumerate(held):
        for b in items:
            state.held[w].append(b)
            state.free[w] -= 1
    return _finish(p, state, out, started).allocation
