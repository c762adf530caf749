"""Seed the demo tenant (idempotent) and print its tokens; --second-provider adds a second writing service."""

from __future__ import annotations

import argparse

from service.commands import load_settings, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--second-provider", action="store_true",
                        help="also seed a second writing service with its own client LA, people and writer "
                             "(tokens prefixed p2_), to see tenancy at work")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    from service.demo import print_welcome, seed_demo, seed_second_provider

    async def seed() -> object:
        tenant = await seed_demo()
        if args.second_provider:
            tenant = await seed_second_provider()
        return tenant

    print_welcome(with_database(settings, seed), settings)  # type: ignore[arg-type]
    return 0
