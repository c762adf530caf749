"""The allocation simulator: arrivals, offers, declines, leave and sickness through the real engine, day by day."""

from __future__ import annotations

import argparse
import json
import statistics
import struct
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from contracts.allocation import Allocation, Instance
from service.allocation.engine import allocate, eligible
from service.calendar import WorkingCalendar
from service.simulation import command as simulate_command
from service.simulation.simulate import (
    Scenario,
    SimBundle,
    SimulationConfig,
    SimWriter,
    build_scenario,
    declines,
    measure,
    run_policy,
    simulate,
)

SMALL = SimulationConfig(start=date(2026, 11, 2), days=45, writers=6, seed=3)


def _comparable(result_json: dict[str, object]) -> dict[str, object]:
    """The JSON without wall-clock seconds (the only thing allowed to vary between identical runs)."""
    policies = result_json["policies"]
    assert isinstance(policies, dict)
    for p in policies.values():
        p["summary"].pop("policy_seconds")
    return result_json


def test_same_seed_gives_the_same_simulation() -> None:
    first, second = simulate(SMALL), simulate(SMALL)
    assert first.scenario == second.scenario
    assert _comparable(first.as_json()) == _comparable(second.as_json())
    for policy in ("engine", "naive"):
        assert first.runs[policy].completions == second.runs[policy].completions
        assert first.runs[policy].writer_hours == second.runs[policy].writer_hours


def test_another_seed_gives_other_arrivals() -> None:
    a = build_scenario(SMALL)
    b = build_scenario(SimulationConfig(start=SMALL.start, days=SMALL.days, writers=SMALL.writers, seed=4))
    assert [(x.arrival, x.work_type, x.effort_hours) for x in a.bundles] != [
        (x.arrival, x.work_type, x.effort_hours) for x in b.bundles
    ]


def test_every_arrival_is_completed_queued_or_in_progress_at_the_end() -> None:
    result = simulate(SimulationConfig(start=date(2026, 11, 2), days=60, writers=7, seed=5, decline_rate=0.3))
    arrived = [b.id for b in result.scenario.bundles]
    assert arrived
    for run in result.runs.values():
        completed = [c.bundle for c in run.completions]
        in_progress = [b for items in run.in_progress.values() for b in items]
        everything = completed + run.queued + in_progress
        assert len(everything) == len(set(everything)), "a bundle is counted twice"
        assert sorted(everything) == sorted(arrived)
        assert sum(r.arrivals for r in run.days) == len(arrived)
        assert run.days[-1].queued == len(run.queued)
        assert run.days[-1].in_progress == len(in_progress)


def test_no_writer_works_more_than_their_hours_nor_on_a_day_off() -> None:
    config = SimulationConfig(start=date(2026, 12, 1), days=60, writers=8, seed=2, sickness_rate=0.2)
    result = simulate(config)
    cal = WorkingCalendar()
    writers = {w.id: w for w in result.scenario.writers}
    assert any(w.sick_spells for w in writers.values())
    for run in result.runs.values():
        assert any(run.writer_hours.values())
        for writer_id, days in run.writer_hours.items():
            w = writers[writer_id]
            for day, hours in days.items():
                assert 0 < hours <= w.hours_per_day + 1e-9
                assert cal.is_working_day(day)
                assert day not in w.leave and day not in w.sick_days
        for record in run.days:
            assert record.hours_worked <= record.hours_available + 1e-6


def test_a_writer_works_held_bundles_in_order_carrying_spare_hours_to_the_next() -> None:
    monday = date(2027, 3, 1)
    writer = SimWriter(
        id="w-1",
        hours_per_day=6.0,
        skills=("new_plan",),
        excluded_las=(),
        max_concurrent=4,
        dbs_expires=date(2030, 1, 1),
        leave=frozenset(),
        sick_spells=(),
    )
    bundles = tuple(
        SimBundle(
            id=f"b-{i}",
            la="la-01",
            work_type="new_plan",
            requires=(),
            effort_hours=4.0,
            arrival=monday,
            due=due,
            weight=1.0,
            express=False,
        )
        for i, due in ((1, monday + timedelta(days=1)), (2, monday))
    )
    scenario = Scenario(
        config=SimulationConfig(start=monday, days=5, writers=1, decline_rate=0.0, timeout_rate=0.0, effort_noise=0.0),
        writers=(writer,),
        bundles=bundles,
    )
    run = run_policy(scenario, "engine")
    done = {c.bundle: c for c in run.completions}
    # The engine sequences earliest due first: b-2 (due Monday) is done Monday, b-1 takes 2 h more on Tuesday.
    assert done["b-2"].day == monday and done["b-2"].on_time
    assert done["b-1"].day == monday + timedelta(days=1) and done["b-1"].on_time
    assert run.writer_hours["w-1"] == {monday: 6.0, monday + timedelta(days=1): 2.0}


def test_a_declined_offer_is_never_made_again_to_the_same_writer() -> None:
    offered: Counter[tuple[str, str]] = Counter()

    def recording(instance: Instance) -> Allocation:
        allocation = allocate(instance)
        writers = {w.id: w for w in instance.writers}
        bundles = {b.id: b for b in instance.bundles}
        for a in allocation.assignments:
            assert eligible(writers[a.writer], bundles[a.bundle])
            offered[(a.bundle, a.writer)] += 1
        return allocation

    scenario = build_scenario(SimulationConfig(start=date(2027, 1, 4), days=40, writers=6, seed=7, decline_rate=0.6))
    run = run_policy(scenario, "engine", recording)
    assert sum(r.declined for r in run.days) > 10
    assert offered and max(offered.values()) == 1


def test_when_every_offer_is_declined_nothing_is_drafted() -> None:
    result = simulate(SimulationConfig(start=date(2027, 1, 4), days=20, writers=5, seed=1, decline_rate=1.0))
    for run in result.runs.values():
        assert not run.completions and not run.in_progress
        assert len(run.queued) == len(result.scenario.bundles)
        assert sum(r.offers for r in run.days) == sum(r.declined for r in run.days) > 0


def test_a_decline_is_the_same_draw_whichever_policy_made_the_offer() -> None:
    draws = [declines(9, f"b-{i:06d}", "w-0001", 0.25) for i in range(2000)]
    assert draws == [declines(9, f"b-{i:06d}", "w-0001", 0.25) for i in range(2000)]
    assert 0.2 < sum(draws) / len(draws) < 0.3
    assert not any(declines(9, f"b-{i:06d}", "w-0001", 0.0) for i in range(200))


def test_both_policies_see_the_same_arrivals_and_hours() -> None:
    result = simulate(SMALL)
    engine, naive = result.runs["engine"], result.runs["naive"]
    assert [(r.day, r.arrivals, r.hours_available) for r in engine.days] == [
        (r.day, r.arrivals, r.hours_available) for r in naive.days
    ]


def test_a_sick_spell_is_known_to_rounds_from_its_first_day_only() -> None:
    scenario = build_scenario(SimulationConfig(start=date(2027, 1, 4), days=60, writers=6, seed=4, sickness_rate=0.3))
    spells = [(w.id, first, days) for w in scenario.writers for first, days in w.sick_spells if len(days) > 1]
    assert spells
    seen: dict[date, dict[str, set[date]]] = {}

    def recording(instance: Instance) -> Allocation:
        seen[instance.now] = {w.id: set(w.leave) for w in instance.writers}
        return allocate(instance)

    run_policy(scenario, "engine", recording)
    checked = 0
    for writer_id, first, days in spells:
        before = [d for d in seen if d < first]
        if before and first in seen:
            assert not set(days) & seen[max(before)][writer_id]
            assert set(days) <= seen[first][writer_id]
            checked += 1
    assert checked


def test_only_working_days_are_simulated() -> None:
    result = simulate(SimulationConfig(start=date(2026, 12, 20), days=20, writers=4, seed=1))
    days = [r.day for r in result.runs["engine"].days]
    cal = WorkingCalendar()
    assert days == list(cal.working_days(date(2026, 12, 20), date(2027, 1, 8)))
    assert date(2026, 12, 25) not in days and date(2027, 1, 1) not in days
    assert all(b.arrival in days for b in result.scenario.bundles)


def test_phase_transfers_peak_from_november_to_february_and_are_due_before_the_deadline() -> None:
    scenario = build_scenario(SimulationConfig(start=date(2026, 9, 1), days=365, writers=20, seed=11))
    cal = WorkingCalendar()
    per_day: dict[str, float] = {}
    for label, months in (("peak", (11, 12, 1, 2)), ("summer", (5, 6, 7, 8))):
        working = [d for d in cal.working_days(date(2026, 9, 1), date(2027, 8, 31)) if d.month in months]
        count = sum(1 for b in scenario.bundles if b.work_type == "phase_transfer" and b.arrival.month in months)
        per_day[label] = count / len(working)
    assert per_day["peak"] > 3 * per_day["summer"]
    deadline = date(2027, 2, 15)
    january = [b for b in scenario.bundles if b.work_type == "phase_transfer" and date(2027, 1, 4) <= b.arrival]
    january = [b for b in january if b.arrival < date(2027, 2, 1)]
    assert january
    for b in january:
        assert b.due >= cal.add_working_days(b.arrival, 3)
    # Most (the school-phase moves) are wanted a working week before 15 February.
    assert sum(1 for b in january if b.due <= cal.add_working_days(deadline, -5)) > 0.7 * len(january)


def test_engine_keeps_more_weight_on_time_than_naive_when_the_peak_overloads_the_pool() -> None:
    """A cold start on 2 November, 120 days, arrivals at 110 a writer a year (the peak overloads the pool).

    Asserted on the average: seed by seed the engine wins in most (not all) such scenarios. Under moderate
    load the comparison does not hold (see the simulation benchmark), so it is not asserted there.
    """
    engine, naive = [], []
    for seed in range(1, 6):
        config = SimulationConfig(start=date(2026, 11, 2), days=120, writers=10, seed=seed, arrivals_per_year=1100)
        result = simulate(config)
        e, n = measure(result.runs["engine"].days), measure(result.runs["naive"].days)
        assert e.on_time_weight_share is not None and n.on_time_weight_share is not None
        assert n.on_time_weight_share < 0.95  # the scenario is tight for the baseline
        engine.append(e.on_time_weight_share)
        naive.append(n.on_time_weight_share)
    assert statistics.fmean(engine) >= statistics.fmean(naive)


# --- the command ------------------------------------------------------------------------------------------


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    simulate_command.configure(parser)
    return simulate_command.run(parser.parse_args(list(argv)))


def test_command_prints_sla_utilisation_and_backlog_for_engine_and_naive(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("--days", "30", "--writers", "5", "--start", "2027-01-04") == 0
    out = capsys.readouterr().out
    for text in ("on time (of completed)", "utilisation", "backlog peak", "engine", "naive", "2027-01"):
        assert text in out


def test_command_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("--days", "20", "--writers", "4", "--seed", "2", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["policies"]) == {"engine", "naive"}
    summary = data["policies"]["engine"]["summary"]
    assert {"on_time_share", "on_time_weight_share", "utilisation", "mean_backlog", "peak_backlog"} <= set(summary)
    assert data["config"]["seed"] == 2


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--decline-rate", "1.5"], "--decline-rate"),
        (["--sickness-rate", "-0.1"], "--sickness-rate"),
        (["--days", "0"], "--days"),
        (["--writers", "0"], "--writers"),
        (["--arrivals-per-year", "-5"], "--arrivals-per-year"),
        (["--start", "2027-13-01"], "--start"),
        (["--region", "atlantis"], "--region"),
        (["--chart", "/no/such/dir/chart.png"], "--chart"),
    ],
)
def test_command_exits_2_naming_the_bad_option(argv: list[str], named: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("--days", "10", "--writers", "2", *argv) == 2
    captured = capsys.readouterr()
    assert named in captured.err
    assert captured.out == ""


def test_command_writes_the_chart_as_a_png(tmp_path: Path) -> None:
    chart = tmp_path / "simulation.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.simulation.command",
            "--days",
            "30",
            "--writers",
            "4",
            "--chart",
            str(chart),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = chart.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width > 400 and height > 300


def test_chart_without_matplotlib_exits_2_saying_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    chart = tmp_path / "simulation.png"
    assert _run("--days", "10", "--writers", "2", "--chart", str(chart)) == 2
    captured = capsys.readouterr()
    assert "matplotlib" in captured.err and "planwright[chart]" in captured.err
    assert captured.out == ""
    assert not chart.exists()


def test_command_module_rejects_a_non_number_with_status_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "service.simulation.command", "--days", "many"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "--days" in result.stderr


def test_changing_the_sickness_rate_keeps_the_same_pool_and_arrivals() -> None:
    low = build_scenario(SimulationConfig(start=date(2027, 1, 4), days=30, writers=5, seed=6, sickness_rate=0.01))
    high = build_scenario(SimulationConfig(start=date(2027, 1, 4), days=30, writers=5, seed=6, sickness_rate=0.3))
    assert low.bundles == high.bundles
    assert [(w.skills, w.hours_per_day, w.leave) for w in low.writers] == [
        (w.skills, w.hours_per_day, w.leave) for w in high.writers
    ]
    assert sum(len(w.sick_days) for w in low.writers) < sum(len(w.sick_days) for w in high.writers)
