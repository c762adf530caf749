"""Seed the demo tenant (idempotent) and print its tokens; `--last-month` adds last month's deliveries (development)."""

from __future__ import annotations

import argparse

from service.commands import load_settings, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--last-month", action="store_true",
        help="development only: also write last month's delivered bundles and their lines, so finance can close "
             "a month in the demo (refused when PLANWRIGHT_ENVIRONMENT=production)")


def run(args: argparse.Namespace) -> int:
    from service.cli import UsageError

    settings = load_settings()
    if args.last_month and settings.environment == "production":
        raise UsageError("--last-month: demo data is for development; this instance is production")
    from service.demo import DemoTenant, print_welcome, seed_demo, seed_last_month

    async def seed() -> tuple[DemoTenant, list[str]]:
        tenant = await seed_demo()
        return tenant, (await seed_last_month() if args.last_month else [])

    tenant, written = with_database(settings, seed)
    print_welcome(tenant, settings)
    if args.last_month:
        print(f"Last month's deliveries: {', '.join(written) if written else 'already seeded'}; finance can now "
              "close last month (POST /v1/billing/months/YYYY-MM/close, or planwright billing close).", flush=True)
    return 0
