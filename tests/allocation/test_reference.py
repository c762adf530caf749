"""The benchmark's exact reference must itself be right, or the quality figures mean nothing."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from service.allocation.engine import allocate
from tests.benchmarks.allocation_instances import generate
from tests.benchmarks.allocation_reference import (
    best_set,
    branch_and_price,
    by_index,
    reference,
    scale,
    solve_mip,
)


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
    st.lists(st.tuples(st.integers(-3, 9), st.integers(1, 12), st.integers(0, 30)), min_size=1, max_size=8),
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


def test_the_mip_optimum_lies_between_the_engine_and_both_upper_bounds() -> None:
    for seed in (11, 12, 13):
        instance = generate(seed, 30, 5, tightness=1.4)
        engine = allocate(instance)
        start = {a.bundle: a.writer for a in engine.assignments if a.on_time}
        s = scale(instance)
        best, bound, proved, _, _ = solve_mip(s, {}, 60.0)
        assert proved and best == bound
        assert engine.stats.on_time_weight <= best + 1e-9
        # Branch and price from nothing (incumbent 0, no columns) searches its whole tree to the same optimum.
        search = branch_and_price(s, {}, 0, 120.0)
        assert search.proved and search.best == search.bound == round(best * s.grid)
        # From the engine's solution as incumbent, its bound never cuts below the optimum.
        start_value = round(engine.stats.on_time_weight * s.grid)
        search = branch_and_price(s, by_index(s, start), start_value, 120.0)
        assert search.proved and search.best == search.bound == round(best * s.grid)
        ref = reference(instance, start, mip_seconds=60.0, search_seconds=60.0)
        assert ref.proved and ref.best == best and ref.bound == best


def test_branch_and_price_branches_its_way_to_the_mips_optimum() -> None:
    branched = 0
    for seed in (12, 13, 15):
        s = scale(generate(seed, 60, 8, tightness=1.5))
        best, _, proved, _, _ = solve_mip(s, {}, 60.0)
        assert proved
        search = branch_and_price(s, {}, 0, 120.0)
        assert search.proved and search.best == search.bound == round(best * s.grid)
        branched += search.nodes > 1
    assert branched  # the root LP alone was fractional somewhere: the branching itself was tested


def test_the_priced_columns_pack_into_solutions_no_better_than_the_optimum() -> None:
    for seed in (12, 13, 19):
        s = scale(generate(seed, 60, 8, tightness=1.5))
        optimum = round(solve_mip(s, {}, 60.0)[0] * s.grid)
        # The root alone, from no incumbent: only packing the priced columns finds a solution.
        search = branch_and_price(s, {}, 0, 60.0, node_limit=1, polish_seconds=10.0)
        assert 0.8 * optimum <= search.best <= optimum <= search.bound
        assert branch_and_price(s, {}, 0, 60.0, node_limit=1).best == 0
