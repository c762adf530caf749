"""Verify the audit log's hash chain: exit 0 when intact, 2 naming the first broken link."""

from __future__ import annotations

import argparse
import sys

from service.commands import load_settings, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    """No options: it reads the database named by PLANWRIGHT_DATABASE_URL."""


def run(args: argparse.Namespace) -> int:
    from service.audit.service import verify_log

    verdict = with_database(load_settings(), verify_log)
    if not verdict.intact:
        print(f"audit chain broken at entry {verdict.broken_id}: {verdict.reason} "
              f"({verdict.checked} entries before it verified)", file=sys.stderr)
        return 2
    head = f"head entry {verdict.head_id} hash {verdict.head_hash}" if verdict.head_id else "no chained entry yet"
    print(f"audit chain intact: {verdict.checked} entries verified, {verdict.before_chain} written before the "
          f"chain began; {head}")
    return 0
