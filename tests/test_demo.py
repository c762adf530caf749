"""`make run` and `planwright journey` on any day: the demo serves, and the journey says when its offer expires.

Both commands run as a newcomer runs them (fresh folder, embedded defaults), in subprocesses whose clock starts
where this test puts it: a Saturday, and wherever the run's own clock is (`--clock`, see tests/instants.py).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import time_machine

from service import clock
from tests.clocked import clocked_command
from tests.demo_server import demo_server, free_port
from tests.instants import INSTANTS
from tests.migrated import copy_migrated

ROOT = Path(__file__).resolve().parents[1]


def _newcomer_env(port: int) -> dict[str, str]:
    """The environment of someone who just cloned the repository: no PLANWRIGHT_ settings but the port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANWRIGHT_")}
    return {**env, "PYTHONPATH": str(ROOT), "PLANWRIGHT_PORT": str(port), "PLANWRIGHT_LOG_LEVEL": "warning"}


@pytest.mark.slow
# "saturday" travels to its own instant, so the run's instant changes nothing for it: it runs in the full suites only
@pytest.mark.parametrize("day", [pytest.param("saturday", marks=pytest.mark.any_day), "the run's clock"])
def test_the_demo_and_the_journey_work_on_any_day(day: str, tmp_path: Path) -> None:
    at = INSTANTS.get(day, None)
    with time_machine.travel(at or clock.now(), tick=True):
        start = clock.now()
        env = _newcomer_env(port := free_port())
        # the database from nothing is the README journey's test; here the day is what is tested
        copy_migrated(tmp_path / "var" / "planwright.sqlite3")
        migrate = subprocess.run(clocked_command("service.cli", "migrate"), cwd=tmp_path, env=env,
                                 capture_output=True, text=True, timeout=120, check=False)
        assert migrate.returncode == 0, migrate.stderr
        with demo_server(clocked_command("service.cli", "serve", "--seed-demo"), cwd=tmp_path, env=env, port=port):
            journey = subprocess.run(
                clocked_command("service.cli", "journey"),  # finds the server by PLANWRIGHT_PORT, as serve does
                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert journey.returncode == 0, journey.stdout + journey.stderr
    assert "the offer expires" in journey.stdout
    assert "timeline: " in journey.stdout and "accepted" in journey.stdout
    if at is not None:  # a Saturday: the window counts working hours, so it runs into Monday, and the journey says so
        local = clock.london(start)
        assert local.weekday() == 5
        assert "outside them" in journey.stdout
        assert "the offer expires Mon" in journey.stdout
