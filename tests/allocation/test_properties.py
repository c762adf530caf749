"""Properties of every allocation, on generated rounds: the rules hold whatever the input."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.allocation import Allocation, Instance
from service.allocation import allocate, allocate_explained, eligible, naive_allocate, recompute
from service.allocation.engine import free_slots, is_on_time
from service.calendar import WorkingCalendar

NOW = date(2027, 1, 11)
SKILLS = ["new_plan", "phase_transfer", "post16"]
LAS = ["la-1", "la-2", "la-3"]


@st.composite
def instances(draw: st.DrawFn, max_writers: int = 4, max_bundles: int = 10) -> Instance:
    day = st.integers(-2, 30).map(lambda n: (NOW + timedelta(days=n)).isoformat())
    writers: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, max_writers))):
        writers.append(
            {
                "id": f"w-{i}",
                "hours_per_day": draw(st.sampled_from([0.0, 1.5, 3.0, 6.0])),
                "skills": draw(st.lists(st.sampled_from(SKILLS), min_size=1, unique=True)),
                "excluded_las": draw(st.lists(st.sampled_from(LAS), max_size=1, unique=True)),
                "max_concurrent": draw(st.integers(0, 4)),
                "active_bundles": draw(st.integers(0, 2)),
                "committed_hours": draw(st.sampled_from([0.0, 2.5, 10.0])),
                "leave": draw(st.lists(day, max_size=3, unique=True)),
                "dbs_expires": draw(day),
            }
        )
    bundles: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, max_bundles))):
        bundles.append(
            {
                "id": f"b-{i}",
                "la": draw(st.sampled_from(LAS)),
                "work_type": draw(st.sampled_from(SKILLS[:2])),
                "requires": draw(st.lists(st.just("post16"), max_size=1)),
                "effort_hours": draw(st.sampled_from([0.0, 1.0, 2.5, 5.0, 8.0, 12.0])),
                "due": draw(day),
                "weight": draw(st.sampled_from([1.0, 1.5, 2.0])),
                "preferred_writer": draw(st.none() | st.sampled_from([w["id"] for w in writers] or ["w-x"])),
            }
        )
    closures = draw(st.lists(day, max_size=2, unique=True))
    return Instance.model_validate(
        {
            "now": NOW.isoformat(),
            "calendar": {"extra_closures": closures},
            "writers": writers,
            "bundles": bundles,
        }
    )


def check_rules(inst: Instance, result: Allocation) -> None:
    writers = {w.id: w for w in inst.writers}
    bundles = {b.id: b for b in inst.bundles}
    seen = Counter([a.bundle for a in result.assignments] + [u.bundle for u in result.unassigned])
    assert seen == Counter(list(bundles))  # every bundle exactly once
    held = Counter(a.writer for a in result.assignments)
    for wid, n in held.items():
        assert n <= free_slots(writers[wid])
        sequences = sorted(a.sequence for a in result.assignments if a.writer == wid)
        assert sequences == list(range(1, n + 1))
    for a in result.assignments:
        assert eligible(writers[a.writer], bundles[a.bundle])
    for u in result.unassigned:
        able = [w for w in inst.writers if eligible(w, bundles[u.bundle])]
        if u.reason == "no_eligible_writer":
            assert able == []
        else:
            assert able and all(held[w.id] >= free_slots(w) for w in able)
    assert recompute(inst, result) == result
    assert result.stats.assigned == len(result.assignments)


def strip_seconds(result: Allocation) -> Allocation:
    return result.model_copy(update={"stats": result.stats.model_copy(update={"seconds": 0.0})})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_allocation_keeps_every_rule(inst: Instance) -> None:
    explained = allocate_explained(inst)
    result = explained.allocation
    check_rules(inst, result)
    for a in result.assignments:  # the coordinator's reason names the writer the bundle went to
        assert a.writer in explained.reasons[a.bundle].replace(",", " ").replace(":", " ").split()
    assert set(explained.reasons) == {b.id for b in inst.bundles}
    assert strip_seconds(allocate(inst)) == strip_seconds(result)  # deterministic


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_naive_baseline_keeps_every_rule(inst: Instance) -> None:
    check_rules(inst, naive_allocate(inst))


def best_on_time_weight(inst: Instance) -> float:
    """Brute force over every assignment of bundles to eligible writers (or none), EDF per writer."""
    cal = WorkingCalendar(inst.calendar.region, inst.calendar.extra_closures)
    end = max([inst.now, *(b.due for b in inst.bundles)])
    days = {w.id: [d for d in cal.working_days(inst.now, end) if d not in set(w.leave)] for w in inst.writers}
    options = [[None, *[w for w in inst.writers if eligible(w, b)]] for b in inst.bundles]
    best = 0.0
    for choice in itertools.product(*options):
        total = 0.0
        for w in inst.writers:
            mine = sorted(
                (b for b, c in zip(inst.bundles, choice, strict=True) if c is w), key=lambda b: b.due
            )
            if len(mine) > free_slots(w):
                break
            running = 0.0
            for b in mine:
                running += b.effort_hours
                if not is_on_time(running, sum(1 for d in days[w.id] if d <= b.due), w):
                    break
            else:
                total += sum(b.weight for b in mine)
                continue
            break
        else:
            best = max(best, total)
    return best


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_writers=3, max_bundles=6))
def test_small_rounds_reach_the_best_on_time_weight(inst: Instance) -> None:
    assert allocate(inst).stats.on_time_weight >= best_on_time_weight(inst) - 1e-9
