"""SLA report endpoints: thin; the caller's tenancy picks the scope (an LA sees only its own figures)."""

from __future__ import annotations

from datetime import date

from starlette.responses import Response

from contracts.api import ReportOut, ReportQuery
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


def period(q: ReportQuery) -> tuple[date, date]:
    start, end = reports.report_period(q.period_from, q.period_to, clock.today())
    if start > end:
        raise InvalidInput("query.from: must be on or before query.to")
    return start, end


def render(table: reports.Table, q: ReportQuery) -> ReportOut | Response:
    if q.format == "csv":
        return Response(reports.to_csv(table), media_type=f"{CSV}; charset=utf-8")
    return ReportOut(report=table.report, period_from=table.period_from, period_to=table.period_to,
                     columns=table.columns, rows=table.rows)


async def turnaround_report(call: Call) -> ReportOut | Response:
    start, end = period(call.query)
    return render(await reports.turnaround(scope_of(call.principal), start, end), call.query)


async def queue_report(call: Call) -> ReportOut | Response:
    return render(await reports.queue(scope_of(call.principal)), call.query)


async def utilisation_report(call: Call) -> ReportOut | Response:
    return render(await reports.utilisation(call.principal.organisation_id), call.query)


async def qa_report(call: Call) -> ReportOut | Response:
    start, end = period(call.query)
    return render(await reports.qa_first_time(scope_of(call.principal), start, end), call.query)


async def capacity_forecast_report(call: Call) -> ReportOut | Response:
    q: ReportQuery = call.query
    if q.period_from is not None or q.period_to is not None:
        raise InvalidInput("query.from: the capacity forecast always covers the next 8 weeks (no from or to)")
    return render(await reports.capacity_forecast(call.principal.organisation_id), q)


async def statutory_risk_report(call: Call) -> ReportOut | Response:
    return render(await reports.statutory_risk(scope_of(call.principal)), call.query)


ENDPOINTS = [
    Endpoint("GET", "/v1/reports/turnaround", turnaround_report, PROVIDER | LA | {Role.FINANCE},
             "Turnaround median and 90th percentile in working days and on-time rate, by LA, writer, work type "
             "and month", "reports", query=ReportQuery, response=ReportOut, produces=CSV, errors=(422,)),
    Endpoint("GET", "/v1/reports/queue", queue_report, PROVIDER | LA, "Queue age and backlog by status", "reports",
             query=ReportQuery, response=ReportOut, produces=CSV, errors=(422,)),
    Endpoint("GET", "/v1/reports/utilisation", utilisation_report, PROVIDER,
             "Writer utilisation: committed hours against weekly hours", "reports", query=ReportQuery,
             response=ReportOut, produces=CSV, errors=(422,)),
    Endpoint("GET", "/v1/reports/qa", qa_report, PROVIDER | {Role.QA_REVIEWER}, "QA first-time pass rate",
             "reports", query=ReportQuery, response=ReportOut, produces=CSV, errors=(422,)),
    Endpoint("GET", "/v1/reports/capacity-forecast", capacity_forecast_report, PROVIDER,
             "Capacity forecast: the next 8 weeks' demand (open work and seasonally expected arrivals) against "
             "writer capacity, with the weekly shortfall in writer-hours", "reports", query=ReportQuery,
             response=ReportOut, produces=CSV, errors=(422,)),
    Endpoint("GET", "/v1/reports/statutory-risk", statutory_risk_report, PROVIDER | LA,
             "Open bundles whose statutory date is threatened", "reports", query=ReportQuery, response=ReportOut,
             produces=CSV, errors=(422,)),
]
