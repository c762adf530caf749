"""The allocation engine: the rules of ALLOCATION.md on hand-made rounds."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from contracts.allocation import Allocation
from service.allocation import Basis, allocate, allocate_explained, naive_allocate, recompute
from tests.allocation.conftest import bundle, instance, writer

EXAMPLE = Path("/work/shared/examples/allocation-instance.json")


def by_bundle(allocation: Allocation) -> dict[str, tuple[str, int, date | None, bool]]:
    return {
        a.bundle: (a.writer, a.sequence, a.projected_completion, a.on_time) for a in allocation.assignments
    }


def test_shared_example_is_allocated_by_the_rules() -> None:
    from contracts.allocation import Instance

    inst = Instance.model_validate(json.loads(EXAMPLE.read_text()))
    result = allocate(inst)
    # w-001: 6 h/day, 9.5 h committed, leave on the 13th, closure on the 15th: 12 h are covered on Mon 18th.
    # w-002 is the only writer for b-0003 (w-001 has a conflict with la-07) and b-0004 (skills).
    assert by_bundle(result) == {
        "b-0001": ("w-001", 1, date(2027, 1, 18), True),
        "b-0003": ("w-002", 1, date(2027, 1, 12), True),
        "b-0004": ("w-002", 2, date(2027, 1, 12), True),
    }
    assert [(u.bundle, u.reason) for u in result.unassigned] == [("b-0002", "no_eligible_writer")]
    assert result.stats.on_time_weight == 4.0
    assert recompute(inst, result).assignments == result.assignments


def test_heavier_bundle_wins_the_only_on_time_place() -> None:
    inst = instance(
        [writer("w-1", hours_per_day=5.0, max_concurrent=1)],
        [bundle("b-light", effort_hours=5.0, weight=1.0), bundle("b-express", effort_hours=5.0, weight=2.0)],
    )
    result = allocate(inst)
    assert by_bundle(result)["b-express"][3] is True
    assert [(u.bundle, u.reason) for u in result.unassigned] == [("b-light", "no_free_slot")]


def test_two_short_bundles_beat_one_long_one_of_equal_weight() -> None:
    # 10 hours by Tuesday: one 10-hour bundle or two 5-hour bundles fit, not all three.
    inst = instance(
        [writer("w-1", hours_per_day=5.0)],
        [
            bundle("b-long", effort_hours=10.0, due="2027-01-12"),
            bundle("b-short1", effort_hours=5.0, due="2027-01-12"),
            bundle("b-short2", effort_hours=5.0, due="2027-01-12"),
        ],
    )
    result = allocate(inst)
    on_time = {a.bundle for a in result.assignments if a.on_time}
    assert on_time == {"b-short1", "b-short2"}
    late = [a for a in result.assignments if not a.on_time]
    assert [a.bundle for a in late] == ["b-long"] and late[0].sequence == 3


def test_late_work_still_goes_to_whoever_finishes_it_soonest() -> None:
    inst = instance(
        [writer("w-slow", hours_per_day=1.0), writer("w-fast", hours_per_day=4.0)],
        [bundle("b-1", effort_hours=40.0, due="2027-01-12")],
    )
    result = allocate(inst)
    (a,) = result.assignments
    assert (a.writer, a.on_time) == ("w-fast", False)
    assert a.projected_completion == date(2027, 1, 22)  # 10 working days of 4 hours from Mon 11th


def test_eligibility_needs_skills_no_conflict_and_dbs_to_the_due_date() -> None:
    inst = instance(
        [
            writer("w-noskill", skills=["new_plan"]),
            writer("w-conflict", skills=["new_plan", "post16"], excluded_las=["la-09"]),
            writer("w-dbs", skills=["new_plan", "post16"], dbs_expires="2027-01-14"),
        ],
        [bundle("b-1", la="la-09", requires=["post16"], due="2027-01-15")],
    )
    result = allocate(inst)
    assert result.assignments == []
    assert [(u.bundle, u.reason) for u in result.unassigned] == [("b-1", "no_eligible_writer")]


def test_leave_and_committed_hours_push_completion_back() -> None:
    inst = instance(
        [writer("w-1", hours_per_day=4.0, committed_hours=4.0, leave=["2027-01-12", "2027-01-13"])],
        [bundle("b-1", effort_hours=4.0, due="2027-01-13")],
    )
    (a,) = allocate(inst).assignments
    # Monday goes on committed work, Tuesday and Wednesday are leave: done Thursday, a day late.
    assert (a.projected_completion, a.on_time) == (date(2027, 1, 14), False)


def test_active_bundles_use_up_slots() -> None:
    inst = instance(
        [writer("w-1", max_concurrent=3, active_bundles=3)],
        [bundle("b-1")],
    )
    result = allocate(inst)
    assert [(u.bundle, u.reason) for u in result.unassigned] == [("b-1", "no_free_slot")]


def test_preferred_writer_keeps_the_case_when_it_costs_nothing() -> None:
    inst = instance(
        [writer("w-a"), writer("w-b", hours_per_day=3.0)],
        [bundle("b-1", effort_hours=3.0, preferred_writer="w-b")],
    )
    (a,) = allocate(inst).assignments
    assert a.writer == "w-b"


def test_zero_effort_bundle_completes_today() -> None:
    inst = instance([writer("w-1")], [bundle("b-1", effort_hours=0.0)], now="2027-01-16")  # a Saturday
    (a,) = allocate(inst).assignments
    assert (a.projected_completion, a.on_time) == (date(2027, 1, 16), True)


def test_writer_with_no_hours_has_no_completion_date() -> None:
    inst = instance([writer("w-1", hours_per_day=0.0)], [bundle("b-1")])
    (a,) = allocate(inst).assignments
    assert (a.projected_completion, a.on_time) == (None, False)


def test_every_bundle_has_a_reason_for_coordinators() -> None:
    inst = instance(
        [writer("w-1", max_concurrent=1)],
        [bundle("b-1"), bundle("b-2"), bundle("b-3", work_type="reassessment")],
    )
    explained = allocate_explained(inst)
    assert set(explained.reasons) == {"b-1", "b-2", "b-3"}
    assert "w-1" in explained.reasons[explained.allocation.assignments[0].bundle]
    assert "skills" in explained.reasons["b-3"]


def test_engine_beats_first_come_first_served_on_a_peak() -> None:
    from tests.benchmarks.allocation_instances import generate

    inst = generate(7, n_bundles=60, n_writers=8)
    assert allocate(inst).stats.on_time_weight > naive_allocate(inst).stats.on_time_weight


def test_empty_round() -> None:
    result = allocate(instance([], []))
    assert result.assignments == [] and result.unassigned == []
    assert result.stats.bundles == 0


def test_each_reason_is_data_naming_the_writer_the_bundle_ended_with() -> None:
    inst = instance(
        [writer("w-1", max_concurrent=1), writer("w-2", max_concurrent=1)],
        [bundle("b-1"), bundle("b-2"), bundle("b-3"), bundle("b-4", work_type="reassessment")],
    )
    explained = allocate_explained(inst)
    for a in explained.allocation.assignments:
        assert explained.why[a.bundle].writer == a.writer
        assert explained.reasons[a.bundle] == explained.why[a.bundle].text
    left_out = {u.bundle: (u.reason, explained.why[u.bundle].basis) for u in explained.allocation.unassigned}
    assert sorted(basis for _, basis in left_out.values()) == [Basis.NO_ELIGIBLE_WRITER, Basis.NO_FREE_SLOT]
    assert all(code == basis.value for code, basis in left_out.values())
    assert left_out["b-4"][1] == Basis.NO_ELIGIBLE_WRITER
    assert all(explained.why[b].writer is None for b in left_out)


def test_spreading_moves_work_off_a_tightly_packed_writer_and_keeps_it_on_time() -> None:
    from service.allocation.engine import _prepare, _spread, _State

    # Both bundles fit w-1's 12 hours by Tuesday; packed there, w-1 has no slack and w-2 sits idle.
    inst = instance(
        [writer("w-1"), writer("w-2")],
        [bundle("b-1", due="2027-01-12"), bundle("b-2", due="2027-01-12")],
    )
    state = _State(_prepare(inst))
    state.add(0, 0)
    state.add(0, 1)
    _spread(state)
    assert sorted(state.owner.tolist()) == [0, 1]
    assert state.on_time_weight == 2.0
    # And the engine's own answer shares the work, both on time.
    result = allocate(inst)
    assert {a.writer for a in result.assignments} == {"w-1", "w-2"}
    assert all(a.on_time for a in result.assignments)


def test_spreading_never_moves_a_bundle_where_it_would_be_late() -> None:
    from service.allocation.engine import _prepare, _spread, _State

    # w-2 has 3 hours a day: b-1 (6 h, due Monday) would be late there, so it stays with w-1; b-2 (3 h, due
    # Tuesday) fits there and moves.
    inst = instance(
        [writer("w-1"), writer("w-2", hours_per_day=3.0)],
        [bundle("b-1", due="2027-01-11"), bundle("b-2", effort_hours=3.0, due="2027-01-12")],
    )
    state = _State(_prepare(inst))
    state.add(0, 0)
    state.add(0, 1)
    _spread(state)
    assert state.owner.tolist() == [0, 1]
    assert state.on_time_weight == 2.0
