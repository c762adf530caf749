"""SLA reports: turnaround, queue, writer utilisation, QA first-time pass rate, the statutory risk list and the
capacity forecast.

Every report is a table (columns and rows) scoped to one writing service or one LA: an LA sees only its own
bundles. Turnaround aggregates the columns stored on each bundle at its first delivery
(`turnaround_working_days`, `delivered_on_time`), so no clock is recomputed per row: on PostgreSQL one grouped
query with `percentile_cont` (continuous percentiles, linear interpolation) and the (provider_id, delivered_at)
index; on SQLite, which has no percentile aggregate, the same filter fetches only the key and those two columns and
the percentiles are computed in Python with the same interpolation (`percentile_cont` below). Months are Europe/London
calendar months. The capacity forecast (pure core in forecast.py) reads grouped rows only: open work grouped by its
effort inputs and due date, arrivals counted per day and work type, bundle sizes averaged per LA and work type.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from uuid import UUID

from tortoise import connections
from tortoise.expressions import F, Q

from service import clock
from service.allocation.rounds import WORK_LEFT, planned_effort, writer_capacity
from service.auth.pseudonyms import pseudonym
from service.clock import LONDON, london_date
from service.contracts_in_force import contracts_by_la
from service.models import Bundle, BundleStatus, Draft, DraftStatus, Organisation, Writer, WriterContract, WriterLeave
from service.runtime import current
from service.sla import forecast
from service.sla.service import calendar_of

Cell = str | int | float | bool | None
Dimension = Literal["la", "writer", "work_type", "month"]
DIMENSIONS: tuple[Dimension, ...] = ("la", "writer", "work_type", "month")
OPEN = (BundleStatus.QUEUED, BundleStatus.OFFERED, BundleStatus.ALLOCATED, BundleStatus.DRAFTING,
        BundleStatus.AWAITING_LA, BundleStatus.IN_QA, BundleStatus.RETURNED)
STATUTORY_NEAR_DAYS = 14


@dataclass(frozen=True)
class Scope:
    """Whose figures: one writing service's (coordinators, finance) or one LA's (its own bundles only)."""

    provider_id: UUID | None = None
    la_id: UUID | None = None

    def column(self) -> tuple[str, UUID]:
        if self.la_id is not None:
            return "la_id", self.la_id
        if self.provider_id is not None:
            return "provider_id", self.provider_id
        raise ValueError("a report needs a provider or an LA")

    def bundles(self) -> Any:
        name, value = self.column()
        return Bundle.filter(**{name: value})


@dataclass
class Table:
    report: str
    period_from: date | None
    period_to: date | None
    columns: list[str]
    rows: list[dict[str, Cell]] = field(default_factory=list)


def report_period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """A report's period as the caller gave it: `to` defaults to today, `from` to a year before `to`."""
    end = end or today
    return start or end - timedelta(days=365), end


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def percentile_cont(sorted_values: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks of sorted values."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    lo, hi = math.floor(position), math.ceil(position)
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (position - lo))


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


# --- turnaround -------------------------------------------------------------------------------------------------

_MONTH = "to_char(b.delivered_at AT TIME ZONE 'Europe/London', 'YYYY-MM')"
# one scan, four groupings; GROUPING() says which grouping a row belongs to (a bit per column, 1 = not grouped)
_PG_TURNAROUND = (
    "SELECT b.la_id::text AS la, b.writer_id::text AS writer, b.work_type AS work_type, " + _MONTH + " AS month, "
    "GROUPING(b.la_id, b.writer_id, b.work_type, " + _MONTH + ") AS g, count(*) AS n, "
    "percentile_cont(0.5) WITHIN GROUP (ORDER BY b.turnaround_working_days) AS median, "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY b.turnaround_working_days) AS p90, "
    "avg(CASE WHEN b.delivered_on_time THEN 1.0 ELSE 0.0 END) AS on_time "
    "FROM bundle b WHERE b.{column} = $1 AND b.delivered_at >= $2 AND b.delivered_at < $3 "
    "AND b.turnaround_working_days IS NOT NULL "
    "GROUP BY GROUPING SETS ((b.la_id), (b.writer_id), (b.work_type), (" + _MONTH + "))"
)
_GROUPING_BITS: dict[int, Dimension] = {0b0111: "la", 0b1011: "writer", 0b1101: "work_type", 0b1110: "month"}


async def turnaround(scope: Scope, start: date, end: date) -> Table:
    """Median and 90th percentile working days and on-time rate of first deliveries in [start, end], by LA, writer,
    work type and month."""
    table = Table("turnaround", start, end, ["dimension", "key", "label", "delivered", "median_working_days",
                                             "p90_working_days", "on_time_rate"])
    lo, hi = london_midnight(start), london_midnight(end + timedelta(days=1))
    groups: list[tuple[Dimension, str | None, int, float | None, float | None, float | None]] = []
    if current().settings.is_postgres:
        column, value = scope.column()  # a column name from Scope, never user text
        _, rows = await connections.get("default").execute_query(_PG_TURNAROUND.format(column=column),
                                                                 [value, lo, hi])
        found = [(_GROUPING_BITS[int(r["g"])], r) for r in rows]
        for dim in DIMENSIONS:
            picked = sorted((r for d, r in found if d == dim), key=lambda r: (r[dim] is None, r[dim] or ""))
            groups += [(dim, r[dim], int(r["n"]), r["median"], r["p90"], r["on_time"]) for r in picked]
    else:
        fetched = await scope.bundles().filter(
            delivered_at__gte=lo, delivered_at__lt=hi, turnaround_working_days__isnull=False
        ).values_list("la_id", "writer_id", "work_type", "delivered_at", "turnaround_working_days",
                      "delivered_on_time")
        for i, dim in enumerate(DIMENSIONS):
            buckets: dict[str | None, list[tuple[int, bool]]] = defaultdict(list)
            for row in fetched:
                raw = row[i]
                k = (london_date(raw).strftime("%Y-%m") if dim == "month" else
                     None if raw is None else str(getattr(raw, "value", raw)))
                buckets[k].append((int(row[4]), bool(row[5])))
            for k in sorted(buckets, key=lambda x: (x is None, x or "")):
                values = sorted(v for v, _ in buckets[k])
                rate = sum(1 for _, ok in buckets[k] if ok) / len(values)
                groups.append((dim, k, len(values), percentile_cont(values, 0.5), percentile_cont(values, 0.9),
                               rate))
    labels = await _labels(groups)
    for dim, key, n, median, p90, share in groups:
        label = labels.get((dim, key), key)
        if scope.la_id is not None and dim == "writer" and key:
            # an LA knows a writer only by its own pseudonym for them (README, Security): no id, no name
            key = label = pseudonym(scope.la_id, UUID(key))
        table.rows.append({"dimension": dim, "key": key, "label": label, "delivered": n,
                           "median_working_days": _round(median), "p90_working_days": _round(p90),
                           "on_time_rate": _round(share)})
    return table


async def _labels(groups: Sequence[tuple[Any, ...]]) -> dict[tuple[str, str | None], str | None]:
    """Readable names for LA and writer keys (organisation names, writers' user names)."""
    la_ids = {g[1] for g in groups if g[0] == "la" and g[1]}
    writer_ids = {g[1] for g in groups if g[0] == "writer" and g[1]}
    labels: dict[tuple[str, str | None], str | None] = {}
    for org in await Organisation.filter(id__in=list(la_ids)):
        labels[("la", str(org.id))] = org.name
    for w in await Writer.filter(id__in=list(writer_ids)).select_related("user"):
        labels[("writer", str(w.id))] = w.user.name
    return labels


# --- queue ------------------------------------------------------------------------------------------------------

async def queue(scope: Scope, now: datetime | None = None) -> Table:
    """The backlog by status: how many, the oldest queued date and its age in days, and summed effort overrides."""
    now = now or clock.now()
    table = Table("queue", None, london_date(now), ["status", "bundles", "oldest_queued_at", "oldest_age_days"])
    from tortoise.functions import Count, Min

    rows = await scope.bundles().filter(status__in=OPEN).group_by("status").annotate(
        n=Count("id"), oldest=Min("queued_at")).values("status", "n", "oldest")
    by_status = {str(getattr(r["status"], "value", r["status"])): r for r in rows}
    total = 0
    for status in OPEN:
        r = by_status.get(status.value)
        if r is None:
            continue
        oldest = r["oldest"]
        if isinstance(oldest, str):
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        total += int(r["n"])
        table.rows.append({"status": status.value, "bundles": int(r["n"]),
                           "oldest_queued_at": oldest.isoformat() if oldest else None,
                           "oldest_age_days": _round((now - oldest).total_seconds() / 86400) if oldest else None})
    table.rows.append({"status": "backlog", "bundles": total, "oldest_queued_at": None, "oldest_age_days": None})
    return table


# --- utilisation ------------------------------------------------------------------------------------------------

async def utilisation(provider_id: UUID, today: date | None = None) -> Table:
    """Each writer's committed hours (held work and pending offers) against their weekly hours (the allocation
    rounds' own capacity figures)."""
    today = today or clock.today()
    table = Table("utilisation", None, today, ["writer_id", "writer", "held", "max_concurrent", "committed_hours",
                                               "hours_per_week", "utilisation", "leave_days_ahead"])
    conn = connections.get("default")
    capacity = await writer_capacity(provider_id, today, await contracts_by_la(provider_id, conn), conn)
    names = {w.id: w.user.name for w in await Writer.filter(id__in=list(capacity)).select_related("user")}
    for writer_id, cap in sorted(capacity.items(), key=lambda kv: names.get(kv[0], "")):
        hours = cap.contract.hours_per_week
        table.rows.append({
            "writer_id": str(writer_id), "writer": names.get(writer_id), "held": cap.held,
            "max_concurrent": cap.contract.max_concurrent, "committed_hours": _round(cap.committed_hours),
            "hours_per_week": hours, "utilisation": _round(cap.committed_hours / hours) if hours else None,
            "leave_days_ahead": len(cap.leave),
        })
    return table


# --- QA ---------------------------------------------------------------------------------------------------------

async def qa_first_time(scope: Scope, start: date, end: date) -> Table:
    """First drafts reviewed in [start, end] (by upload date) and the share passed first time, overall and by writer."""
    table = Table("qa", start, end, ["writer_id", "first_drafts_reviewed", "passed_first_time", "first_time_pass_rate"])
    column, value = scope.column()
    from tortoise.functions import Count

    base = Draft.filter(**{f"bundle__{column}": value}, cycle=1,
                        status__in=(DraftStatus.PASSED, DraftStatus.RETURNED),
                        created_at__gte=london_midnight(start), created_at__lt=london_midnight(end + timedelta(days=1)))
    counts = await base.group_by("writer_id", "status").annotate(n=Count("id")).values("writer_id", "status", "n")
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in counts:
        status = str(getattr(r["status"], "value", r["status"]))
        for key in (str(r["writer_id"]), "all"):
            per[key][0] += int(r["n"])
            per[key][1] += int(r["n"]) if status == DraftStatus.PASSED.value else 0
    for key in sorted(per, key=lambda k: (k == "all", k)):
        reviewed, passed = per[key]
        table.rows.append({"writer_id": key, "first_drafts_reviewed": reviewed, "passed_first_time": passed,
                           "first_time_pass_rate": _round(passed / reviewed) if reviewed else None})
    if "all" not in per:
        table.rows.append({"writer_id": "all", "first_drafts_reviewed": 0, "passed_first_time": 0,
                           "first_time_pass_rate": None})
    return table


# --- statutory risk ---------------------------------------------------------------------------------------------

async def statutory_risk(scope: Scope, today: date | None = None) -> Table:
    """Open bundles whose statutory date is threatened: the turnaround is due after it, or it is within
    STATUTORY_NEAR_DAYS calendar days."""
    today = today or clock.today()
    table = Table("statutory-risk", None, today, ["bundle_id", "reference", "work_type", "status", "turnaround_due",
                                                  "statutory_due", "statutory_derived", "margin_days", "why"])
    near = today + timedelta(days=STATUTORY_NEAR_DAYS)
    rows = await scope.bundles().filter(status__in=OPEN, statutory_due__isnull=False).filter(
        Q(turnaround_due__gt=F("statutory_due")) | Q(statutory_due__lte=near)).order_by("statutory_due", "id")
    for b in rows:
        assert b.statutory_due is not None
        margin = (b.statutory_due - b.turnaround_due).days if b.turnaround_due else None
        why = ("turnaround due after the statutory date" if margin is not None and margin < 0
               else f"statutory date within {STATUTORY_NEAR_DAYS} days")
        table.rows.append({"bundle_id": str(b.id), "reference": b.reference, "work_type": b.work_type.value,
                           "status": b.status.value,
                           "turnaround_due": b.turnaround_due.isoformat() if b.turnaround_due else None,
                           "statutory_due": b.statutory_due.isoformat(), "statutory_derived": b.statutory_derived,
                           "margin_days": margin, "why": why})
    return table


# --- capacity forecast ------------------------------------------------------------------------------------------

# work still to be written: waiting for a writer, or held with writing left (in QA the writing is done)
OPEN_WORK = (BundleStatus.QUEUED, BundleStatus.OFFERED, *sorted(WORK_LEFT))
_PG_ARRIVALS = ("SELECT (queued_at AT TIME ZONE 'Europe/London')::date AS day, work_type, count(*) AS n FROM bundle "
                "WHERE provider_id = $1 AND ({ranges}) GROUP BY 1, 2")
# SQLite knows no time zones: count per UTC hour, and the hours become London days below
_SQLITE_ARRIVALS = ("SELECT strftime('%Y-%m-%d %H', queued_at) AS hour, work_type, count(*) AS n FROM bundle "
                    "WHERE provider_id = ? AND ({ranges}) GROUP BY 1, 2")


async def capacity_forecast(provider_id: UUID, today: date | None = None) -> Table:
    """The next 8 weeks' demand (open work and expected arrivals) against writer capacity, in writer-hours.

    Writers' hours follow the calendar allocation plans with (bank holidays: an LA's closure days stop its clocks,
    not the writers)."""
    from tortoise.functions import Avg, Count, Min

    today = today or clock.today()
    first = forecast.week_start(today)
    last = first + timedelta(weeks=forecast.WEEKS, days=-1)
    conn = connections.get("default")
    la_contracts = await contracts_by_la(provider_id, conn)
    bundles = Bundle.filter(provider_id=provider_id)
    open_groups = await bundles.filter(status__in=OPEN_WORK).group_by(
        "la_id", "work_type", "page_count", "effort_hours", "turnaround_due").annotate(n=Count("id")).values(
        "la_id", "work_type", "page_count", "effort_hours", "turnaround_due", "n")
    open_work = [forecast.OpenWork(int(g["n"]) * planned_effort(
        g["effort_hours"], _value(g["work_type"]), int(g["page_count"]), la_contracts.get(UUID(str(g["la_id"])))),
        g["turnaround_due"]) for g in open_groups]
    contracts = await WriterContract.filter(writer__provider_id=provider_id, starts_on__lte=last).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first)).values_list("writer_id", "hours_per_week", "starts_on",
                                                                     "ends_on")
    leave: dict[str, set[date]] = defaultdict(set)
    for writer_id, day in await WriterLeave.filter(writer__provider_id=provider_id, day__gte=first,
                                                   day__lte=last).values_list("writer_id", "day"):
        leave[str(writer_id)].add(day)
    writers = [forecast.WriterHours(str(w), float(hours), starts, ends, frozenset(leave[str(w)]))
               for w, hours, starts, ends in contracts]
    windows = [(london_midnight(lo), london_midnight(hi)) for lo, hi in forecast.history_windows(today)]
    read = Q(*[Q(queued_at__gte=lo, queued_at__lt=hi) for lo, hi in windows], join_type="OR")
    sizes = await bundles.filter(read).group_by("la_id", "work_type").annotate(
        n=Count("id"), pages=Avg("page_count")).values("la_id", "work_type", "n", "pages")
    hours: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for g in sizes:  # the effort of each LA's average-sized bundle, weighted by how many it sent
        work_type, n = _value(g["work_type"]), int(g["n"])
        hours[work_type] += n * planned_effort(None, work_type, round(float(g["pages"] or 0)),
                                               la_contracts.get(UUID(str(g["la_id"]))))
        counts[work_type] += n
    earliest = await bundles.filter(queued_at__isnull=False).annotate(first=Min("queued_at")).values("first")
    result = forecast.forecast(
        today=today, open_work=open_work, writers=writers, calendar=calendar_of(None),
        history=forecast.History(await _arrivals(provider_id, windows),
                                 _london_day(earliest[0]["first"] if earliest else None)),
        mean_effort={t: hours[t] / counts[t] for t in counts})
    table = Table("capacity-forecast", first, last, ["week_start", "expected_arrivals", "open_hours",
                                                     "arrival_hours", "demand_hours", "capacity_hours",
                                                     "shortfall_hours", "arrivals_basis"])
    for w in result.weeks:
        table.rows.append({"week_start": w.week_start.isoformat(), "expected_arrivals": w.expected_arrivals,
                           "open_hours": w.open_hours, "arrival_hours": w.arrival_hours,
                           "demand_hours": w.demand_hours, "capacity_hours": w.capacity_hours,
                           "shortfall_hours": w.shortfall_hours, "arrivals_basis": result.basis})
    return table


async def _arrivals(provider_id: UUID, windows: list[tuple[datetime, datetime]]) -> dict[date, dict[str, int]]:
    """Bundles queued per London day and work type within `windows` ([start, end) each): one grouped query."""
    days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    conn = connections.get("default")
    bounds = [bound for window in windows for bound in window]
    if current().settings.is_postgres:
        ranges = " OR ".join(f"(queued_at >= ${i} AND queued_at < ${i + 1})" for i in range(2, 2 + len(bounds), 2))
        _, rows = await conn.execute_query(_PG_ARRIVALS.format(ranges=ranges), [provider_id, *bounds])
        for r in rows:
            days[r["day"]][r["work_type"]] += int(r["n"])
    else:
        ranges = " OR ".join(["(queued_at >= ? AND queued_at < ?)"] * len(windows))
        _, rows = await conn.execute_query(_SQLITE_ARRIVALS.format(ranges=ranges), [str(provider_id), *bounds])
        for r in rows:
            hour = datetime.strptime(r["hour"], "%Y-%m-%d %H").replace(tzinfo=UTC)
            days[london_date(hour)][r["work_type"]] += int(r["n"])
    return days


def _london_day(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return london_date(value)


def _value(raw: Any) -> str:
    return str(getattr(raw, "value", raw))


def to_csv(table: Table) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=table.columns, lineterminator="\n")
    writer.writeheader()
    for row in table.rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()
