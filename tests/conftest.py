"""Test configuration: the service on a fresh database per run, with real migrations, and a real broker and store.

Embedded profile (default): a SQLite file, the stub broker, encrypted local storage.
Services profile, chosen by environment variables (CI runs both):
  PLANWRIGHT_TEST_POSTGRES_URL  a PostgreSQL server URL; a fresh database is created for the run and dropped after
  PLANWRIGHT_TEST_BROKER_URL    amqp://... or redis://...
  PLANWRIGHT_TEST_S3_ENDPOINT   an S3 endpoint (CI starts moto's server); documents are stored there
"""

from __future__ import annotations

import base64
import os
import tempfile
import uuid
from pathlib import Path

import pytest

_run_dir = Path(tempfile.mkdtemp(prefix="planwright-test-"))
_pg_server = os.environ.get("PLANWRIGHT_TEST_POSTGRES_URL")
TEST_DATABASE_NAME = f"planwright_test_{uuid.uuid4().hex[:10]}"

os.environ.update({
    "PLANWRIGHT_ENVIRONMENT": "test",
    "PLANWRIGHT_DATABASE_URL": (
        f"{_pg_server.rsplit('/', 1)[0]}/{TEST_DATABASE_NAME}" if _pg_server else f"sqlite://{_run_dir}/test.sqlite3"
    ),
    "PLANWRIGHT_BROKER_URL": os.environ.get("PLANWRIGHT_TEST_BROKER_URL", "stub://"),
    "PLANWRIGHT_QUEUE_NAME": f"planwright-test-{uuid.uuid4().hex[:10]}",
    "PLANWRIGHT_STORAGE_DIR": str(_run_dir / "storage"),
    "PLANWRIGHT_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
    "PLANWRIGHT_LOG_FORMAT": "console",
    "PLANWRIGHT_LOG_LEVEL": "warning",
})
if os.environ.get("PLANWRIGHT_TEST_S3_ENDPOINT"):
    os.environ.update({
        "PLANWRIGHT_STORAGE": "s3",
        "PLANWRIGHT_S3_ENDPOINT_URL": os.environ["PLANWRIGHT_TEST_S3_ENDPOINT"],
        "PLANWRIGHT_S3_BUCKET": f"planwright-test-{uuid.uuid4().hex[:10]}",
        "PLANWRIGHT_S3_ACCESS_KEY_ID": os.environ.get("PLANWRIGHT_TEST_S3_ACCESS_KEY", "testing"),
        "PLANWRIGHT_S3_SECRET_ACCESS_KEY": os.environ.get("PLANWRIGHT_TEST_S3_SECRET_KEY", "testing"),
    })
for _name in ("PLANWRIGHT_S3_KMS_KEY_ID", "PLANWRIGHT_EMBEDDED_WORKER"):
    os.environ.pop(_name, None)

PG_SERVER_URL = _pg_server
_TRAVELLER = pytest.StashKey[object]()
pytest_plugins = ["tests.service_fixtures"]


# --- Time: the whole run may start at a chosen instant (tests/instants.py); CI runs the dated tests at each ---

# Test modules whose outcome depends on the date or the time of day they run at: CI runs them at every instant
# of tests/instants.py (`-m dated`). So is every module that reads the clock itself (`clock.now()`,
# `clock.today()`); a test elsewhere whose outcome depends on the date marks itself `@pytest.mark.dated`.
DATED = (
    "tests/test_calendar.py", "tests/test_clock.py", "tests/test_demo.py",
    "tests/sla/", "tests/billing/", "tests/delivery/", "tests/webhooks/", "tests/e2e/",
    "tests/allocation/test_offer_window.py", "tests/allocation/test_rounds_service.py",
    "tests/intake/test_retention.py", "tests/service/test_tenancy.py", "tests/service/test_concurrency.py",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--clock", metavar="INSTANT", default=os.environ.get("PLANWRIGHT_TEST_CLOCK") or None,
                     help="start the run at this instant (an ISO instant or a name from tests/instants.py); "
                          "time then runs on from there")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dated: the outcome depends on the date; CI runs it at every test instant")
    config.addinivalue_line("markers", "any_day: in a module that reads the clock, a test whose outcome holds on any "
                            "day (the tenancy matrix's cells outside the dated rooms): left out of `-m dated`")
    config.addinivalue_line("markers", "real_clock: talks to a process on the machine's own clock (an OpenID "
                            "Provider): never dated, and skipped when the run starts at another instant")
    value = config.getoption("--clock")
    if value:
        import time_machine

        from tests.instants import instant

        try:
            start = instant(value)
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
        traveller = time_machine.travel(start, tick=True)
        traveller.start()
        # modules read it at import (tests/billing/test_ledger_sequences.py)
        os.environ["PLANWRIGHT_TEST_CLOCK"] = value
        config.stash[_TRAVELLER] = traveller


def pytest_report_header(config: pytest.Config) -> str | None:
    value = config.getoption("--clock")
    return f"clock: the run starts at {value}" if value else None


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    reads_clock: dict[Path, bool] = {}
    for item in items:
        path = Path(str(item.path))
        if path not in reads_clock:
            source = path.read_text() if path.suffix == ".py" else ""
            reads_clock[path] = "clock.now()" in source or "clock.today()" in source
        if item.get_closest_marker("real_clock") is not None:
            # its peer's cookies and tokens expire by the real clock: moved, the test would only see them expire
            if config.getoption("--clock"):
                item.add_marker(pytest.mark.skip(reason="real_clock: its peer runs on the machine's own clock"))
            continue
        if item.get_closest_marker("any_day") is not None:
            continue
        if reads_clock[path] or path.relative_to(root).as_posix().startswith(DATED):
            item.add_marker(pytest.mark.dated)
