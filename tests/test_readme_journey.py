"""The README's journey runs as written: its shell block, taken from README.md between the `journey:start` and
`journey:end` markers, run with bash against `make run`'s server (`planwright migrate`, then
`planwright serve --seed-demo`) in a fresh folder, as a newcomer would, twice (a second walk must not trip over
the first). The harness only adds strictness: bash's `set -euo pipefail`, and curl failing on an HTTP error."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.demo_server import demo_server, free_port
from tests.real_parts import missing

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"<!-- journey:start -->\n```sh\n(.*?)```\n<!-- journey:end -->", re.DOTALL)
STRICT = "set -euo pipefail\ncurl() { command curl --fail-with-body \"$@\"; }\n"


def readme_journey() -> str:
    found = BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(found) == 1, "README.md must hold exactly one journey block between the markers"
    return str(found[0])


def test_the_journey_block_captures_what_each_step_needs() -> None:
    script = readme_journey()
    for name in ("ID", "DOC", "OFFER", "W", "DRAFT", "LA_ID", "URL", "KEY"):
        assert re.search(rf"\b{name}=", script), f"the journey never sets ${name}"
    assert "Idempotency-Key: $KEY" in script
    assert "/v1/me" in script
    assert "-o ep.pdf" not in script  # downloads go to names of their own, never over the demo's files


@pytest.mark.slow
def test_the_readmes_journey_runs_as_written(tmp_path: Path) -> None:
    absent = [tool for tool in ("bash", "curl") if shutil.which(tool) is None]
    if absent:  # .ci/run installs curl, so in CI this always runs
        missing(f"the README's journey needs {' and '.join(absent)}")
    script = STRICT + readme_journey()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANWRIGHT_")}
    env.update({"PYTHONPATH": str(ROOT), "PLANWRIGHT_PORT": str(port), "PLANWRIGHT_LOG_LEVEL": "warning"})
    # the README runs `.venv/bin/planwright` from the repository's folder: the same venv, here
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    planwright = [sys.executable, "-m", "service.cli"]
    migrate = subprocess.run([*planwright, "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=120, check=False)
    assert migrate.returncode == 0, migrate.stderr
    with demo_server([*planwright, "serve", "--seed-demo"], cwd=tmp_path, env=env, port=port) as printed:
        walks = [subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                                timeout=240, check=False) for _ in range(2)]
    welcome = printed[0]
    for walk in walks:
        assert walk.returncode == 0, f"stdout:\n{walk.stdout}\nstderr:\n{walk.stderr}"
        out = walk.stdout
        assert "Demo writer" in out  # the writer who holds the offer, by name
        for status in ("allocated", "in_qa", "delivered", "accepted"):
            assert status in out, status
        assert "OT review agreed with the health team" in out  # the dismissal, in the dismissal's answer
        assert "document_status" in out and ",draft," in out  # the month's invoice CSV, a draft until closed
    # distinct files: the LA's upload is untouched, the writer's and the LA's downloads are their own
    assert (tmp_path / "demo" / "ep.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "writer-ep.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "plan.docx").read_bytes()[:2] == b"PK"
    assert (tmp_path / "plan-by-link.docx").read_bytes() == (tmp_path / "plan.docx").read_bytes()
    # the seed says whose each writer token is
    assert re.search(r"writer1\s+pw_\S+\s+Demo writer 1, user [0-9a-f-]{36}, writer [0-9a-f-]{36}", welcome), welcome
