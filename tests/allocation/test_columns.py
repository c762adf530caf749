"""The column model the engine dives on and the reference branches on: exact pricing, a sound master, a dive
that only ever improves the engine's answer."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.allocation import allocate, recompute
from service.allocation import engine as eng
from service.allocation.columns import Master, best_set
from tests.benchmarks.allocation_instances import generate


def brute_force(gain: list[float], size: list[int], cap: list[int], slots: int) -> float:
    """Every subset, checked in due order (items are given in due order): the definition, slowly."""
    best = 0.0
    for r in range(1, min(slots, len(gain)) + 1):
        for subset in itertools.combinations(range(len(gain)), r):
            used, ok = 0, True
            for j in subset:
                used += size[j]
                ok = ok and used <= cap[j]
            if ok:
                best = max(best, sum(gain[j] for j in subset))
    return best


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-3, 9), st.integers(0, 12), st.integers(0, 30)), min_size=1, max_size=8),
    st.integers(0, 5),
)
def test_one_writers_best_set_is_the_brute_force_optimum(items: list[tuple[int, int, int]], slots: int) -> None:
    items.sort(key=lambda t: t[2])  # due order: hours by the due date never fall as the date moves on
    gain = [float(g) for g, _, _ in items]
    size = [s for _, s, _ in items]
    cap = [c for _, _, c in items]
    value, chosen = best_set(list(range(len(items))), gain, size, cap, slots)
    assert value == brute_force(gain, size, cap, slots)
    assert len(chosen) <= slots
    assert sum(gain[j] for j in chosen) == value
    used = 0
    for j in sorted(chosen):
        used += size[j]
        assert used <= cap[j]


def test_the_master_packs_each_bundle_and_writer_at_most_once() -> None:
    # Bundles 0, 1, 2 worth 1, 1, 2; writer 0 can take {0, 1} or {2}, writer 1 only {2}.
    master = Master([1.0, 1.0, 2.0], 2)
    assert master.add(0, [0, 1]) and master.add(0, [2]) and master.add(1, [2])
    assert not master.add(0, [1, 0])  # the same set again is not a new column
    value, pi, mu, lam = master.solve()
    assert value == pytest.approx(4.0)  # {0, 1} to writer 0 and {2} to writer 1
    assert lam.tolist() == pytest.approx([1.0, 0.0, 1.0])
    assert (pi >= 0).all() and (mu >= 0).all()
    master.limit(np.array([0.0, np.inf, np.inf]))  # bar writer 0's pair: bundle 2 alone is left to share
    assert master.solve()[0] == pytest.approx(2.0)


@pytest.mark.parametrize("seed", [31, 32, 33, 34])
def test_the_dive_never_loses_on_time_weight_and_is_taken_when_it_gains(seed: int) -> None:
    instance = generate(seed, 60, 10, tightness=1.5)
    p = eng._prepare(instance)
    state = eng._State(p)
    out = eng._greedy(state, eng._greedy_order(p))  # a plain start leaves the dive room to gain
    before = state.on_time_weight
    out = eng._price_and_dive(state, out)
    assert state.on_time_weight > before + 0.5 - 1e-9  # greedy leaves room on every one of these
    # The state holds exactly what it says, every writer on time: the owners, the pool and the slack agree.
    assert sorted(out) == np.flatnonzero(state.owner < 0).tolist()
    for w, held in enumerate(state.held):
        assert len(held) <= p.slots[w]
        for b in held:
            due = p.due_index[b]
            work = sum(p.effort[a] for a in held if p.due_index[a] <= due)
            assert work <= p.capacity[w, due] + 1e-9
    assert state.on_time_weight == pytest.approx(sum(p.weight[b] for b in np.flatnonzero(state.owner >= 0)))


def test_efforts_off_the_tenth_hour_grid_still_give_a_true_allocation() -> None:
    # Pricing rounds such efforts up onto its grid; what the engine reports must still be the rules' truth.
    rng = random.Random(7)
    base = generate(41, 50, 8, tightness=1.4)
    bundles = [b.model_copy(update={"effort_hours": round(rng.uniform(1.0, 15.0), 4)}) for b in base.bundles]
    instance = base.model_copy(update={"bundles": bundles})
    assert eng._effort_unit(np.array([b.effort_hours for b in bundles])) == 10
    allocation = allocate(instance)
    assert allocation.stats.on_time > 0
    assert recompute(instance, allocation) == allocation


def test_effort_grid_is_the_coarsest_that_holds_every_effort() -> None:
    assert eng._effort_unit(np.array([3.0, 7.0])) == 1
    assert eng._effort_unit(np.array([2.5, 7.0])) == 2
    assert eng._effort_unit(np.array([2.25, 7.5])) == 4
    assert eng._effort_unit(np.array([2.1, 7.0])) == 10
    assert eng._effort_unit(np.array([2.05, 7.0])) == 20
    assert eng._effort_unit(np.array([1 / 3])) == 10
