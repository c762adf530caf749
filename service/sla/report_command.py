"""SLA reports on the command line: turnaround, queue, utilisation, qa, statutory-risk or capacity-forecast, as JSON
or CSV."""

from __future__ import annotations

import argparse
import json
from datetime import date

from contracts.api import REPORT_DATES
from service import clock
from service.cli import UsageError
from service.commands import load_settings, parse_uuid, with_database

KINDS = ("turnaround", "queue", "utilisation", "qa", "statutory-risk", "capacity-forecast")
PROVIDER_ONLY = ("utilisation", "capacity-forecast")  # about a writing service's writers: an LA has none


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS, help="which report")
    parser.add_argument("--from", dest="period_from", help="first day, YYYY-MM-DD (default: a year before --to)")
    parser.add_argument("--to", dest="period_to", help="last day, YYYY-MM-DD (default: today, Europe/London)")
    parser.add_argument("--format", choices=("json", "csv"), default="json")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--provider", help="a writing service's id: its figures")
    who.add_argument("--la", help="an LA's id: only its own figures")


def _date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag}: {value!r} is not a date (YYYY-MM-DD)") from None
    first, last = REPORT_DATES
    if not first <= day <= last:
        raise UsageError(f"{flag}: {value} is outside the dates a report may cover ({first} to {last})")
    return day


def run(args: argparse.Namespace) -> int:
    from service.sla import reports

    start, end = reports.report_period(_date(args.period_from, "--from"), _date(args.period_to, "--to"),
                                       clock.today())
    if start > end:
        raise UsageError("--from: must be on or before --to")
    scope = (reports.Scope(provider_id=parse_uuid(args.provider, "--provider")) if args.provider
             else reports.Scope(la_id=parse_uuid(args.la, "--la")))
    if args.kind in PROVIDER_ONLY and scope.provider_id is None:
        raise UsageError(f"--provider: {args.kind} is a writing service's report (an LA has no writers)")
    if args.kind == "capacity-forecast" and (args.period_from or args.period_to):
        raise UsageError("--from: the capacity forecast always covers the next 8 weeks (no --from or --to)")
    settings = load_settings()

    async def work() -> reports.Table:
        if args.kind == "turnaround":
            return await reports.turnaround(scope, start, end)
        if args.kind == "queue":
            return await reports.queue(scope)
        if args.kind == "utilisation":
            assert scope.provider_id is not None
            return await reports.utilisation(scope.provider_id)
        if args.kind == "capacity-forecast":
            assert scope.provider_id is not None
            return await reports.capacity_forecast(scope.provider_id)
        if args.kind == "qa":
            return await reports.qa_first_time(scope, start, end)
        return await reports.statutory_risk(scope)

    table = with_database(settings, work)
    if args.format == "csv":
        print(reports.to_csv(table), end="")
    else:
        print(json.dumps({"report": table.report, "from": table.period_from, "to": table.period_to,
                          "columns": table.columns, "rows": table.rows}, default=str, indent=2))
    return 0
