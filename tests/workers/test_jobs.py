"""Jobs by name: every Job is a real actor, every actor is a Job, and every Job is set off from somewhere."""

from __future__ import annotations

import ast
from pathlib import Path

import dramatiq

from service.jobs import Job
from workers import actors

ROOT = Path(__file__).resolve().parents[2]


def test_every_job_is_an_actor_and_every_actor_a_job() -> None:
    assert set(dramatiq.get_broker().get_declared_actors()) == {job.value for job in Job}


def _set_off(path: Path) -> set[Job]:
    """Jobs this module enqueues (`Job.X` outside an actor's declaration) or sends (`actor_function.send(...)`)."""
    by_function = {name: Job(obj.actor_name) for name, obj in vars(actors).items() if isinstance(obj, dramatiq.Actor)}
    tree = ast.parse(path.read_text())
    declared = {id(k.value) for n in ast.walk(tree) if isinstance(n, ast.Call)
                for k in n.keywords if k.arg == "actor_name"}
    jobs = {Job[n.attr] for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
            and n.value.id == "Job" and id(n) not in declared}
    jobs |= {by_function[n.func.value.id] for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr in {"send", "send_with_options"}
             and isinstance(n.func.value, ast.Name) and n.func.value.id in by_function}
    return jobs


def test_every_job_is_set_off_somewhere() -> None:
    """Enqueued through the outbox, or sent by the scheduler or the sweep: no actor that nothing reaches."""
    reached = set().union(*(_set_off(p) for folder in ("service", "workers") for p in (ROOT / folder).rglob("*.py")
                            if p != ROOT / "service" / "jobs.py"))
    assert set(Job) - reached == set()
