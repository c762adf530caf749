"""The benchmark's exact reference must itself be right, or the quality figures mean nothing."""

from __future__ import annotations

from service.allocation.engine import allocate
from tests.benchmarks.allocation_instances import generate
from tests.benchmarks.allocation_reference import (
    branch_and_price,
    by_index,
    reference,
    scale,
    solve_mip,
)


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


def test_the_mip_never_reports_less_than_the_start_it_was_given() -> None:
    # On this instance HiGHS 1.16's presolve turns the engine's start into a worse one (217 -> 216 in its
    # reduced space); the reference must still count the start, and refuse a start that breaks a row.
    instance = generate(5011, 200, 30, tightness=1.1 + 0.5 * 1 / 4)
    engine = allocate(instance)
    s = scale(instance)
    start = by_index(s, {a.bundle: a.writer for a in engine.assignments if a.on_time})
    best, bound, _, _, chosen = solve_mip(s, start, 1.0)
    assert best >= engine.stats.on_time_weight and bound >= best
    assert sum(s.value[b] for b in chosen) / s.grid == best
    overloaded = dict(start)
    w = next(iter(start.values()))
    for b, v in s.pairs:  # every bundle writer w could take: far beyond its slots and hours
        if v == w:
            overloaded[b] = w
    best_over, _, _, _, chosen_over = solve_mip(s, overloaded, 1.0)
    assert chosen_over != overloaded and best_over <= bound
