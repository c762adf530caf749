"""A SQLite database the committed migrations made, to start a test's database from.

Applying the migrations to an empty SQLite file takes tortoise about seven seconds (it rebuilds its model state
for every operation), and each pytest run and each command-line test with a database of its own used to pay it.
The first caller makes the database with the real `planwright migrate`; later ones copy it. It is kept under a key
of every migration's text and tortoise's version, so a changed migration is applied afresh, never taken from an
older copy. Callers then run the migrator on the copy too (it finds nothing to apply), as production would.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import tortoise

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "service" / "migrations"
CACHE = Path(tempfile.gettempdir()) / "planwright-test-migrated"


def _key() -> str:
    digest = hashlib.sha256(tortoise.__version__.encode())
    for path in sorted(MIGRATIONS.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def template() -> Path:
    """The migrated database for the committed migrations, made now if no run has made it yet."""
    path = CACHE / f"{_key()}.sqlite3"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as work:
        made = Path(work) / "made.sqlite3"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLANWRIGHT_")}
        done = subprocess.run([sys.executable, "-m", "service.cli", "migrate"], cwd=ROOT, capture_output=True,
                              text=True, timeout=300, check=False,
                              env={**env, "PLANWRIGHT_DATABASE_URL": f"sqlite://{made}", "PYTHONPATH": str(ROOT)})
        if done.returncode != 0:
            raise RuntimeError(f"planwright migrate failed: {done.stderr}")
        settle = sqlite3.connect(made)
        try:
            settle.execute("PRAGMA journal_mode=DELETE")  # everything in the one file that is moved
        finally:
            settle.close()
        os.replace(made, path)  # whole or not at all: two runs making it at once each leave a complete file
    return path


def copy_migrated(database: Path) -> None:
    """Start `database` (a SQLite file that does not exist yet) as the committed migrations leave it."""
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(template())
    target = sqlite3.connect(database)
    try:
        source.backup(target)  # consistent whatever journal mode the template was written in
    finally:
        source.close()
        target.close()

