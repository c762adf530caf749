"""Simulate a season or a year of allocation, several policies side by side on the same seeded season, and chart it.

The chart needs matplotlib, which is optional (`pip install 'planwright[chart]'`): without it, `--chart` is refused
with exit status 2 before anything is simulated.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from service.cli import UsageError, usage_errors_exit_2
from service.simulation.simulate import (
    POLICIES,
    InvalidSimulation,
    Measures,
    PolicyRun,
    SimulationConfig,
    SimulationResult,
    by_month,
    in_months,
    overdue_open,
    peak_months,
    rolling_on_time,
    simulate,
    summary,
    utilisation_spread,
)

ROLLING_WINDOW = 20  # working days, for the on-time rate over time
DEFAULT_POLICIES = ("engine", "naive")


def policies_help() -> str:
    """The policies `--policies` accepts, one a line, for --help."""
    return "policies:\n" + "\n".join(f"  {name:16} {p.description}" for name, p in POLICIES.items())


def configure(parser: argparse.ArgumentParser) -> None:
    defaults = SimulationConfig()
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = policies_help()
    parser.add_argument(
        "--policies",
        default=",".join(DEFAULT_POLICIES),
        help="comma-separated policies to compare on the same season, or 'all' (listed below)",
    )
    parser.add_argument("--start", metavar="DATE", default=defaults.start.isoformat(), help="first day (ISO date)")
    parser.add_argument("--days", type=int, default=defaults.days, help="calendar days to simulate (365: a year)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="seed for arrivals, leave, sickness, declines")
    parser.add_argument("--writers", type=int, default=defaults.writers, help="writers in the pool")
    parser.add_argument("--arrivals-per-year", type=float, default=None, help="bundles a year (default: 90 per writer)")
    parser.add_argument("--decline-rate", type=float, default=defaults.decline_rate, help="share of offers declined")
    parser.add_argument(
        "--sickness-rate", type=float, default=defaults.sickness_rate, help="share of working days lost to sickness"
    )
    parser.add_argument(
        "--leave-days-per-year", type=int, default=defaults.leave_days_per_year, help="planned leave per writer"
    )
    parser.add_argument(
        "--express-share", type=float, default=defaults.express_share, help="share of bundles on express turnaround"
    )
    parser.add_argument("--region", default=defaults.region, help="bank-holiday region of the working calendar")
    parser.add_argument("--las", type=int, default=defaults.las, help="local authorities sending work")
    parser.add_argument(
        "--hours-scale", type=float, default=defaults.hours_scale, help="multiplies every writer's hours a day"
    )
    parser.add_argument(
        "--timeout-rate", type=float, default=defaults.timeout_rate, help="share of offers left unanswered"
    )
    parser.add_argument(
        "--speed-spread", type=float, default=defaults.speed_spread, help="log-normal sigma of writers' speed"
    )
    parser.add_argument(
        "--effort-noise", type=float, default=defaults.effort_noise, help="log-normal sigma of one bundle's effort"
    )
    parser.add_argument(
        "--qa-pass-rate", type=float, default=defaults.qa_pass_rate, help="the pool's first-time QA pass rate"
    )
    parser.add_argument(
        "--quality-spread", type=float, default=defaults.quality_spread, help="writers' pass-rate spread (log-odds)"
    )
    parser.add_argument(
        "--rework-share", type=float, default=defaults.rework_share, help="rework per QA return, share of the draft"
    )
    parser.add_argument("--qa-days", type=int, default=defaults.qa_days, help="working days a QA return takes")
    parser.add_argument(
        "--quality-cost-limit",
        type=float,
        default=defaults.quality_cost_limit,
        help="most of a round's on-time weight quality (or fair shares) may cost",
    )
    parser.add_argument(
        "--fair-share-tolerance",
        type=float,
        default=defaults.fair_share_tolerance,
        help="engine-fair: utilisation this far above same-hours peers takes no new work",
    )
    parser.add_argument("--chart", metavar="PATH", type=Path, help="write a PNG chart of backlog and on-time rate")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")




def config_from_args(args: argparse.Namespace) -> SimulationConfig:
    try:
        start = date.fromisoformat(args.start)
    except ValueError as exc:
        raise UsageError(f"--start: {args.start!r} is not an ISO date (YYYY-MM-DD)") from exc
    config = SimulationConfig(
        start=start,
        days=args.days,
        seed=args.seed,
        writers=args.writers,
        arrivals_per_year=args.arrivals_per_year,
        decline_rate=args.decline_rate,
        sickness_rate=args.sickness_rate,
        leave_days_per_year=args.leave_days_per_year,
        express_share=args.express_share,
        region=args.region,
        las=args.las,
        hours_scale=args.hours_scale,
        timeout_rate=args.timeout_rate,
        speed_spread=args.speed_spread,
        effort_noise=args.effort_noise,
        qa_pass_rate=args.qa_pass_rate,
        quality_spread=args.quality_spread,
        rework_share=args.rework_share,
        qa_days=args.qa_days,
        quality_cost_limit=args.quality_cost_limit,
        fair_share_tolerance=args.fair_share_tolerance,
    )
    try:
        config.validate()
    except InvalidSimulation as exc:
        raise UsageError(f"--{exc.setting.replace('_', '-')} must be {exc.expected}") from exc
    return config


def policies_from_args(args: argparse.Namespace) -> list[str]:
    text = str(args.policies).strip()
    names = list(POLICIES) if text == "all" else [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in POLICIES]
    if unknown:
        raise UsageError(f"--policies: unknown {', '.join(unknown)} (one of {', '.join(POLICIES)}, or all)")
    if not names or len(set(names)) != len(names):
        raise UsageError("--policies: name one or more policies, each once")
    return names


@usage_errors_exit_2
def run(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    policies = policies_from_args(args)
    chart: Path | None = args.chart
    if chart is not None and not chart.parent.is_dir():
        raise UsageError(f"--chart: directory {chart.parent} does not exist")
    if chart is not None and not chart_available():
        raise UsageError("--chart needs matplotlib, which is not installed: pip install 'planwright[chart]'")
    result = simulate(config, policies)
    if chart is not None:
        try:
            write_chart(result, chart)
        except OSError as exc:
            raise UsageError(f"--chart: cannot write {chart} ({exc.strerror or exc})") from exc
    if args.json:
        print(json.dumps(result.as_json() | {"chart": str(chart) if chart else None}, indent=2))
    else:
        print(report(result))
        if chart is not None:
            print(f"\nchart: {chart}")
    return 0


# --- the text report ------------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def report(result: SimulationResult) -> str:
    config = result.scenario.config
    runs = result.runs
    names = list(runs)
    measures = {name: summary(run) for name, run in runs.items()}
    peaks = peak_months(result.scenario)
    in_peaks = {name: in_months(run, peaks) for name, run in runs.items()}
    spreads = {name: utilisation_spread(run) for name, run in runs.items()}
    first = next(iter(runs.values()))
    lines = [
        f"simulated {config.start} to {config.end}: {len(first.days)} working days, {config.writers} writers, "
        f"{len(result.scenario.bundles)} arrivals ({config.annual_arrivals:g} a year), seed {config.seed}",
        f"declines {_pct(config.decline_rate)}, sickness {_pct(config.sickness_rate)} of working days, "
        f"{config.leave_days_per_year} leave days a year, express {_pct(config.express_share)}; "
        f"{len(result.scenario.never_eligible())} bundles no writer in the pool can take; "
        f"peak months {', '.join(peaks)}",
        "",
        f"{'':26}" + "".join(f"{n:>18}" for n in names),
    ]

    def row(label: str, cell: dict[str, str]) -> None:
        lines.append(f"{label:26}" + "".join(f"{cell[n]:>18}" for n in names))

    row("on time (of completed)", {n: _pct(m.on_time_share) for n, m in measures.items()})
    row("on time (weighted)", {n: _pct(m.on_time_weight_share) for n, m in measures.items()})
    row("on time, peak months (wtd)", {n: _pct(m.on_time_weight_share) for n, m in in_peaks.items()})
    row("lateness mean / p95 (days)", {n: _days(m.mean_lateness, m.p95_lateness) for n, m in measures.items()})
    row("first-time QA pass", {n: _pct(m.first_time_pass) for n, m in measures.items()})
    row("completed", {n: str(m.completed) for n, m in measures.items()})
    row("open and overdue at end", {n: str(overdue_open(result.scenario, r)) for n, r in runs.items()})
    row("backlog mean", {n: f"{m.mean_backlog:.1f}" for n, m in measures.items()})
    row("backlog peak", {n: f"{m.peak_backlog} ({m.peak_backlog_day})" for n, m in measures.items()})
    row("utilisation", {n: _pct(m.utilisation) for n, m in measures.items()})
    row("writer utilisation sd", {n: _pct(s.stdev) for n, s in spreads.items()})
    row("writer util. p10 - p90", {n: f"{_pct(s.p10)} - {_pct(s.p90)}" for n, s in spreads.items()})
    row("offers / declined", {n: f"{m.offers} / {m.declined}" for n, m in measures.items()})
    row(
        "offers per bundle",
        {n: "-" if m.offers_per_bundle is None else f"{m.offers_per_bundle:.2f}" for n, m in measures.items()},
    )
    row("re-plan changes", {n: str(m.changes) for n, m in measures.items()})
    row("restricted plans kept", {n: f"{r.restricted_kept} / {r.restricted_rounds}" for n, r in runs.items()})
    row("policy seconds", {n: f"{r.seconds:.2f}" for n, r in runs.items()})
    lines += ["", "per month: on time (weighted) | utilisation | backlog mean/peak"]
    months = {name: by_month(run) for name, run in runs.items()}
    lines.append(f"{'month':8}{'arrivals':>9}" + "".join(f"  {n:^36}" for n in names))
    for month, base in months[names[0]].items():
        cells = "".join(f"  {_month_cell(months[n][month]):>36}" for n in names)
        lines.append(f"{month:8}{base.arrivals:>9}{cells}")
    return "\n".join(lines)


def _days(mean: float | None, p95: float | None) -> str:
    return "-" if mean is None or p95 is None else f"{mean:.2f} / {p95:.1f}"


def _month_cell(m: Measures) -> str:
    return (
        f"{_pct(m.on_time_share):>6} ({_pct(m.on_time_weight_share):>6}) | {_pct(m.utilisation):>6} | "
        f"{m.mean_backlog:5.0f}/{m.peak_backlog:<4}"
    )


# --- the chart ------------------------------------------------------------------------------------------


def chart_available() -> bool:
    """Whether matplotlib (the optional `chart` extra) can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def write_chart(result: SimulationResult, path: Path) -> None:
    """Backlog and the rolling on-time rate per working day, one line per policy, as a PNG."""
    import matplotlib  # only the chart needs it: keeps the command's start-up light

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs: dict[str, PolicyRun] = result.runs
    fig, (ax_arrivals, ax_backlog, ax_on_time) = plt.subplots(
        3, 1, figsize=(11, 8), sharex=True, gridspec_kw={"height_ratios": [1, 2, 2]}, layout="constrained"
    )
    try:
        first = next(iter(runs.values()))
        days = [r.day for r in first.days]
        ax_arrivals.bar(days, [r.arrivals for r in first.days], width=1.0, color="0.6")
        ax_arrivals.set_ylabel("arrivals / day")
        for name, run in runs.items():
            ax_backlog.plot(days, [r.backlog for r in run.days], label=name)
            ax_on_time.plot(
                days,
                [float("nan") if s is None else 100 * s for s in rolling_on_time(run, ROLLING_WINDOW)],
                label=name,
            )
        ax_backlog.set_ylabel("backlog (queued + in progress)")
        ax_on_time.set_ylabel(f"on time, last {ROLLING_WINDOW} working days (%)")
        ax_on_time.set_ylim(0, 102)
        for ax in (ax_backlog, ax_on_time):
            ax.legend()
            ax.grid(alpha=0.3)
        config = result.scenario.config
        fig.suptitle(
            f"Allocation simulation: {config.writers} writers, {len(result.scenario.bundles)} arrivals, "
            f"seed {config.seed}"
        )
        fig.savefig(path, format="png", dpi=100)
    finally:
        plt.close(fig)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="planwright simulate", description=(__doc__ or "").splitlines()[0])
    configure(parser)
    sys.exit(run(parser.parse_args()))
