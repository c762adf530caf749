"""`planwright org|contract|writer ...` on bad input: one line on standard error, exit 2, nothing stored."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

from service.models import Organisation
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


async def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PLANWRIGHT_DATABASE_URL": settings.database_url,
           "PLANWRIGHT_LOG_LEVEL": "warning"}
    return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=env,
                                   capture_output=True, text=True, timeout=120, check=False)


async def test_bad_input_exits_2_with_a_message_and_stores_nothing(settings: Settings, app: object,
                                                                   tmp_path: Path) -> None:
    nobody = str(uuid.uuid4())
    before = await Organisation.all().count()
    cases = [
        (("org", "create", "--provider", "not-an-id", "--name", "X"), "--provider"),
        (("org", "create", "--provider", nobody, "--name", "X"), "no writing service"),
        (("org", "provider", "--name", "   "), "--name"),
        (("writer", "suspend", "--provider", nobody, "--writer", "nope", "--reason", "r"), "no writing service"),
    ]
    provider = await Organisation.create(kind="provider", name=f"Commands {uuid.uuid4().hex[:6]}")
    (tmp_path / "terms.json").write_text('{"starts_on": "2030-01-01", "turnaround_days": {"standard": 0}}')
    cases += [
        (("org", "archive", "--provider", str(provider.id), "--la", nobody), "no such LA"),
        (("writer", "onboard", "--provider", str(provider.id), "--writer", nobody, "--reason", "r"),
         "no such writer"),
        (("contract", "add", "--provider", str(provider.id), "--la", nobody, "--terms", str(tmp_path / "none.json")),
         "cannot read"),
    ]
    for args, message in cases:
        done = await run(settings, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr and done.stderr.startswith("planwright: "), (args, done.stderr)
        assert done.stdout == ""
    assert await Organisation.all().count() == before + 1
