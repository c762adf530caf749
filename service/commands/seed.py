"""Seed the demo tenant (idempotent) and print its tokens."""

from __future__ import annotations

import argparse

from service.commands import load_settings, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    from service.demo import print_welcome, seed_demo

    print_welcome(with_database(settings, seed_demo), settings)
    return 0
