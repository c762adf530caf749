"""Run a module as `python -m` would, with the clock where the test that spawned it has it.

`python -m tests.clocked INSTANT MODULE ARGS...`: a test that runs `planwright` in a subprocess uses
`clocked_command` so the child's clock starts at the parent's (travelled) now and runs on from there.
"""

from __future__ import annotations

import runpy
import sys
from datetime import datetime

from service import clock


def clocked_command(module: str, *args: str) -> list[str]:
    """The argv that runs `python -m module args...` at this process's now."""
    return [sys.executable, "-m", "tests.clocked", clock.now().isoformat(), module, *args]


if __name__ == "__main__":
    import time_machine

    at, module, *rest = sys.argv[1:]
    with time_machine.travel(datetime.fromisoformat(at), tick=True):
        sys.argv = [module, *rest]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
