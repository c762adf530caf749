"""Seeded generator of realistic, tight allocation instances (also meant for the simulator).

Tight means more work is due than the pool can finish on time, as in the November-February
phase-transfer peak: skills mix (incl. post16), leave, conflicts of interest, DBS expiring,
committed hours, preferred writers, and many due dates bunched before 15 February.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from contracts.allocation import Instance
from service.calendar import WorkingCalendar

WORK_TYPES = [
    ("new_plan", 0.30, (10.0, 22.0)),
    ("phase_transfer", 0.35, (5.0, 12.0)),
    ("annual_review_amendment", 0.22, (2.5, 8.0)),
    ("reassessment", 0.09, (9.0, 18.0)),
    ("statement_transfer", 0.04, (6.0, 12.0)),
]
REQUIREMENTS = [("post16", 0.15), ("early_years", 0.08), ("autism_specialist", 0.10), ("sensory", 0.05)]


def generate(
    seed: int, n_bundles: int = 200, n_writers: int = 30, tightness: float = 1.35, n_las: int = 14
) -> Instance:
    """A tight instance; `tightness` is the effort due over the pool's hours by the median due date."""
    rng = random.Random(seed)
    cal = WorkingCalendar()
    now = date(2027, 1, 4) + timedelta(days=rng.randrange(0, 28))
    peak = date(2027, 2, 15)
    closures = [cal.add_working_days(now, rng.randrange(5, 30))] if rng.random() < 0.3 else []
    las = [f"la-{i:02d}" for i in range(1, n_las + 1)]

    bundles = []
    for i in range(n_bundles):
        r, acc = rng.random(), 0.0
        for work_type, share, (lo, hi) in WORK_TYPES:
            acc += share
            if r <= acc:
                break
        requires = [name for name, p in REQUIREMENTS if rng.random() < p]
        effort = round(rng.uniform(lo, hi) * rng.choice((0.8, 1.0, 1.0, 1.25)), 1)
        if work_type == "phase_transfer" and rng.random() < 0.75:
            # The peak: due dates bunched in the fortnight before 15 February.
            due = peak - timedelta(days=rng.randrange(0, 14))
        else:
            due = cal.add_working_days(now, rng.randrange(3, 45))
        express = rng.random() < 0.12
        if express:
            due = cal.add_working_days(now, rng.randrange(2, 8))
        weight = 1.0
        if express:
            weight = 1.5
        if rng.random() < 0.15:
            weight += 1.0  # statutory date close behind the draft
        bundles.append(
            {
                "id": f"b-{i:05d}",
                "la": rng.choice(las),
                "work_type": work_type,
                "requires": requires,
                "effort_hours": effort,
                "due": due.isoformat(),
                "weight": weight,
                "preferred_writer": f"w-{rng.randrange(n_writers):04d}" if rng.random() < 0.1 else None,
            }
        )

    writers = []
    for i in range(n_writers):
        skills = {wt for wt, _, _ in WORK_TYPES if rng.random() < 0.6} or {"phase_transfer"}
        skills |= {name for name, p in REQUIREMENTS if rng.random() < min(0.9, 2.5 * p)}
        leave: list[str] = []
        if rng.random() < 0.25:
            start = now + timedelta(days=rng.randrange(0, 40))
            leave = [(start + timedelta(days=d)).isoformat() for d in range(rng.randrange(2, 8))]
        dbs = now + timedelta(days=rng.randrange(10, 60)) if rng.random() < 0.1 else date(2028, 6, 30)
        writers.append(
            {
                "id": f"w-{i:04d}",
                "hours_per_day": rng.choice((3.0, 4.0, 5.0, 6.0, 6.0, 7.5)),
                "skills": sorted(skills),
                "excluded_las": sorted(rng.sample(las, rng.choice((0, 0, 1, 1, 2)))),
                "max_concurrent": rng.randrange(4, 11),
                "active_bundles": rng.randrange(0, 3),
                "committed_hours": round(rng.uniform(0, 25), 1),
                "leave": leave,
                "dbs_expires": dbs.isoformat(),
            }
        )

    # Scale everyone's hours so that the load is `tightness` times what the pool can do by the median due.
    dues = sorted(date.fromisoformat(str(b["due"])) for b in bundles)
    median = dues[len(dues) // 2]
    days = cal.working_days_between(now - timedelta(days=1), median)
    effort = sum(float(b["effort_hours"]) for b in bundles if date.fromisoformat(str(b["due"])) <= median)
    hours = sum(float(w["hours_per_day"]) * days - float(w["committed_hours"]) for w in writers)
    scale = max(
        0.2, (effort + sum(float(w["committed_hours"]) for w in writers)) / (tightness * max(hours, 1.0))
    )
    scale = min(scale, 3.0)
    for w in writers:
        w["hours_per_day"] = round(float(w["hours_per_day"]) * scale, 2)
    return Instance.model_validate(
        {
            "now": now.isoformat(),
            "calendar": {"region": "england-and-wales", "extra_closures": [d.isoformat() for d in closures]},
            "writers": writers,
            "bundles": bundles,
        }
    )
