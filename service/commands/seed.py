"""Seed the demo tenant (idempotent) and print its tokens; `--second-provider` adds a second writing service,
`--last-month` last month's deliveries (development)."""

from __future__ import annotations

import argparse

from service.commands import load_settings, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--second-provider", action="store_true",
                        help="also seed a second writing service with its own client LA, people and writer "
                             "(tokens prefixed p2_), to see tenancy at work")
    parser.add_argument(
        "--last-month", action="store_true",
        help="development only: also write last month's delivered bundles and their lines, so finance can close "
             "a month in the demo (refused when PLANWRIGHT_ENVIRONMENT=production)")


def run(args: argparse.Namespace) -> int:
    from service.cli import UsageError

    settings = load_settings()
    if args.last_month and settings.environment == "production":
        raise UsageError("--last-month: demo data is for development; this instance is production")
    from service.demo import DemoTenant, print_welcome, seed_demo, seed_last_month, seed_second_provider

    async def seed() -> tuple[DemoTenant, list[str]]:
        tenant = await seed_demo()
        written = await seed_last_month() if args.last_month else []
        if args.second_provider:
            tenant = await seed_second_provider()
        return tenant, written

    tenant, written = with_database(settings, seed)
    print_welcome(tenant, settings)
    if args.last_month:
        print(f"Last month's deliveries: {', '.join(written) if written else 'already seeded'}; finance can now "
              "close last month (POST /v1/billing/months/YYYY-MM/close, or planwright billing close).", flush=True)
    return 0
