"""The LP bound on a season's on-time weight: perfect information, relaxed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from service.simulation.bound import season_bound, true_work
from service.simulation.simulate import (
    Scenario,
    SimBundle,
    SimulationConfig,
    SimWriter,
    build_scenario,
    run_policy,
)
from tests.simulation.test_season import MONDAY
from tests.simulation.test_season import QUIET as SEASON_QUIET
from tests.simulation.test_season import _writer as season_writer

# No declines, timeouts, noise, sickness or QA returns: true work is the estimate.
QUIET = replace(SEASON_QUIET, qa_pass_rate=1.0)


def _writer(**over: object) -> SimWriter:
    return season_writer("w-1", **({"hours_per_day": 4.0} | over))


def _bundle(id: str, weight: float, **over: object) -> SimBundle:
    base: dict[str, object] = {
        "id": id,
        "la": "la-01",
        "work_type": "new_plan",
        "requires": (),
        "effort_hours": 8.0,
        "arrival": MONDAY,
        "due": MONDAY + timedelta(days=1),  # Monday and Tuesday: 8 hours of a 4-hour writer
        "weight": weight,
        "express": False,
        "pages": 30,
    }
    base.update(over)
    return SimBundle(**base)  # type: ignore[arg-type]


def test_only_the_heavier_of_two_bundles_fits_the_window() -> None:
    scenario = Scenario(config=QUIET, writers=(_writer(),), bundles=(_bundle("b-1", 1.0), _bundle("b-2", 2.0)))
    bound = season_bound(scenario)
    assert bound.on_time_weight == pytest.approx(2.0, abs=1e-6)
    assert bound.weight_arrived == 3.0


def test_a_sick_day_in_the_window_leaves_no_room() -> None:
    sick = ((MONDAY + timedelta(days=1), (MONDAY + timedelta(days=1),)),)
    scenario = Scenario(config=QUIET, writers=(_writer(sick_spells=sick),), bundles=(_bundle("b-1", 1.0),))
    assert season_bound(scenario).on_time_weight == pytest.approx(0.0, abs=1e-6)


def test_a_writer_who_would_decline_never_takes_the_bundle() -> None:
    scenario = Scenario(config=replace(QUIET, decline_rate=1.0), writers=(_writer(),), bundles=(_bundle("b-1", 1.0),))
    assert season_bound(scenario).on_time_weight == pytest.approx(0.0, abs=1e-6)


def test_months_restrict_the_bound_to_the_bundles_arriving_in_them() -> None:
    later = _bundle("b-2", 2.0, arrival=MONDAY + timedelta(days=7), due=MONDAY + timedelta(days=8))
    scenario = Scenario(config=QUIET, writers=(_writer(),), bundles=(_bundle("b-1", 1.0), later))
    assert season_bound(scenario).on_time_weight == pytest.approx(3.0, abs=1e-6)
    assert season_bound(scenario, ["2027-03"]).on_time_weight == pytest.approx(3.0, abs=1e-6)
    assert season_bound(scenario, ["2027-04"]).on_time_weight == pytest.approx(0.0, abs=1e-6)


def test_qa_returns_add_their_rework_to_the_work() -> None:
    config = replace(QUIET, qa_pass_rate=0.5, quality_spread=0.0)
    scenario = build_scenario(replace(config, writers=3, days=20, seed=5))
    for b in scenario.bundles[:10]:
        for w in scenario.writers:
            draft = scenario.true_effort(b, w)
            returns = next((a for a in range(2) if scenario.passes_qa(b, w, a)), 2)
            assert true_work(scenario, b, w) == pytest.approx(draft * (1 + config.rework_share * returns))


def test_no_policy_puts_more_weight_on_time_than_the_bound() -> None:
    scenario = build_scenario(SimulationConfig(start=date(2026, 11, 2), days=45, writers=6, seed=3))
    bound = season_bound(scenario)
    for policy in ("engine", "fcfs", "hindsight"):
        run = run_policy(scenario, policy)
        assert sum(r.on_time_weight for r in run.days) <= bound.on_time_weight + 1e-6
    assert 0 < bound.on_time_weight <= bound.weight_arrived
