"""The one clock: nothing else reads the time, London dates are decided in one place, and tests move the clock."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import time_machine
from hypothesis import given
from hypothesis import strategies as st

from service import clock

ROOT = Path(__file__).resolve().parents[1]
# (module, attribute) pairs that read the wall clock; only service/clock.py may call them
READERS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
           ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "strftime"), ("time", "gmtime")}


def _clock_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
            if (name, node.func.attr) in READERS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}.{node.func.attr}()")
    return found


def test_only_the_clock_module_reads_the_time() -> None:
    sources = [p for folder in ("service", "workers", "contracts") for p in (ROOT / folder).rglob("*.py")]
    reads = [read for path in sources if path != ROOT / "service" / "clock.py" for read in _clock_reads(path)]
    assert reads == [], "use service.clock.now() / today() instead:\n" + "\n".join(reads)


def test_no_test_fakes_time_by_moving_a_module_attribute() -> None:
    offenders = []
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setattr"
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                    and node.args[1].value in {"now", "today", "time", "datetime", "date"}):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "move time with time-machine, not monkeypatch: " + ", ".join(offenders)


def test_instants_read_as_london_dates() -> None:
    # BST: 23:30 UTC on 31 March is 00:30 on 1 April in London
    assert clock.london_date(datetime(2027, 3, 31, 23, 30, tzinfo=UTC)) == date(2027, 4, 1)
    assert clock.month_of(datetime(2027, 3, 31, 23, 30, tzinfo=UTC)) == "2027-04"
    # GMT: 23:30 UTC on 31 December is still 31 December
    assert clock.london_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)
    assert clock.month_of(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "2026-12"
    # naive instants are UTC
    assert clock.london_date(datetime(2027, 6, 30, 23, 30)) == date(2027, 7, 1)


def test_today_is_the_london_date_of_now() -> None:
    with time_machine.travel(datetime(2027, 7, 31, 23, 15, tzinfo=UTC), tick=False):
        assert clock.now() == datetime(2027, 7, 31, 23, 15, tzinfo=UTC)
        assert clock.today() == date(2027, 8, 1)
    with time_machine.travel(datetime(2027, 1, 31, 23, 15, tzinfo=UTC), tick=False):
        assert clock.today() == date(2027, 1, 31)


@given(st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_a_london_date_is_the_utc_date_or_the_day_after(at: datetime) -> None:
    london = clock.london_date(at)
    assert london in {at.date(), date.fromordinal(at.date().toordinal() + 1)}
    assert clock.month_of(at) == london.strftime("%Y-%m")
