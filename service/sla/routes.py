"""SLA report endpoints: thin; the caller's tenancy picks the scope (an LA sees only its own figures).

Each report is two operations: `/v1/reports/NAME` answers typed JSON (or CSV with `?format=csv`, kept for the
clients that use it), and `/v1/reports/NAME.csv` answers only CSV, so that a generated client, which reads one
operation's answer one way, has a function for each form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from starlette.responses import Response

from contracts.api import ReportOut, ReportPeriodQuery, ReportQuery
from service import clock
from service.auth.principal import Principal
from service.errors import InvalidInput
from service.http import Call, Endpoint
from service.models import Role
from service.sla import reports

LA = frozenset({Role.LA_OFFICER, Role.LA_ADMIN})
PROVIDER = frozenset({Role.COORDINATOR, Role.ADMIN})
CSV = "text/csv"


def scope_of(principal: Principal) -> reports.Scope:
    if principal.is_la:
        return reports.Scope(la_id=principal.organisation_id)
    return reports.Scope(provider_id=principal.organisation_id)


def period(q: ReportPeriodQuery) -> tuple[date, date]:
    start, end = reports.report_period(q.period_from, q.period_to, clock.today())
    if start > end:
        raise InvalidInput("query.from: must be on or before query.to")
    return start, end


def as_csv(table: reports.Table) -> Response:
    return Response(reports.to_csv(table), media_type=f"{CSV}; charset=utf-8")


def render(table: reports.Table, q: ReportQuery) -> ReportOut | Response:
    if q.format == "csv":
        return as_csv(table)
    return ReportOut(report=table.report, period_from=table.period_from, period_to=table.period_to,
                     columns=table.columns, rows=table.rows)


async def turnaround(call: Call) -> reports.Table:
    start, end = period(call.query)
    return await reports.turnaround(scope_of(call.principal), start, end)


async def queue(call: Call) -> reports.Table:
    return await reports.queue(scope_of(call.principal))


async def utilisation(call: Call) -> reports.Table:
    return await reports.utilisation(call.principal.organisation_id)


async def qa(call: Call) -> reports.Table:
    start, end = period(call.query)
    return await reports.qa_first_time(scope_of(call.principal), start, end)


async def capacity_forecast(call: Call) -> reports.Table:
    q: ReportPeriodQuery = call.query
    if q.period_from is not None or q.period_to is not None:
        raise InvalidInput("query.from: the capacity forecast always covers the next 8 weeks (no from or to)")
    return await reports.capacity_forecast(call.principal.organisation_id)


async def statutory_risk(call: Call) -> reports.Table:
    return await reports.statutory_risk(scope_of(call.principal))


@dataclass(frozen=True)
class Report:
    path: str
    table: Callable[[Call], Awaitable[reports.Table]]
    roles: frozenset[Role]
    summary: str

    def endpoints(self) -> list[Endpoint]:
        """The typed JSON operation and its CSV twin; each handler's name is its operationId."""
        name = self.table.__name__

        async def as_json(call: Call) -> ReportOut | Response:
            return render(await self.table(call), call.query)

        async def csv_only(call: Call) -> Response:
            return as_csv(await self.table(call))

        as_json.__name__ = as_json.__qualname__ = f"{name}_report"
        csv_only.__name__ = csv_only.__qualname__ = f"{name}_report_csv"
        return [
            Endpoint("GET", self.path, as_json, self.roles, self.summary, "reports", query=ReportQuery,
                     response=ReportOut, produces=CSV, errors=(422,)),
            Endpoint("GET", f"{self.path}.csv", csv_only, self.roles, f"{self.summary} (CSV)", "reports",
                     query=ReportPeriodQuery, produces=CSV, errors=(422,)),
        ]


REPORTS = [
    Report("/v1/reports/turnaround", turnaround, PROVIDER | LA | {Role.FINANCE},
           "Turnaround median and 90th percentile in working days and on-time rate, by LA, writer, work type and "
           "month"),
    Report("/v1/reports/queue", queue, PROVIDER | LA, "Queue age and backlog by status"),
    Report("/v1/reports/utilisation", utilisation, PROVIDER,
           "Writer utilisation: committed hours against weekly hours"),
    Report("/v1/reports/qa", qa, PROVIDER | {Role.QA_REVIEWER}, "QA first-time pass rate"),
    Report("/v1/reports/capacity-forecast", capacity_forecast, PROVIDER,
           "Capacity forecast: the next 8 weeks' demand (open work and seasonally expected arrivals) against "
           "writer capacity, with the weekly shortfall in writer-hours"),
    Report("/v1/reports/statutory-risk", statutory_risk, PROVIDER | LA,
           "Open bundles whose statutory date is threatened"),
]

ENDPOINTS = [endpoint for report in REPORTS for endpoint in report.endpoints()]
