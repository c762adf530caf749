"""Verify an audit hash chain: the instance's (from the database) or an LA's own export (a file, offline). Exit 0
when intact, 2 naming the first broken link (or a file that cannot be read)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from service.audit.chain import Verdict


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--export", metavar="FILE",
                        help="an LA's export (JSON lines or CSV from GET /v1/audit/export): verify it alone, with no "
                             "database; without it, the instance's chain in PLANWRIGHT_DATABASE_URL")
    parser.add_argument("--head", metavar="'ID HASH'",
                        help="the X-Audit-Chain-Head the export came with: its last entry must be that head")
    parser.add_argument("--continues", action="store_true",
                        help="the export starts after an earlier one (?after=ID): take its first link as given")


def _verify_file(args: argparse.Namespace) -> Verdict:
    from service.audit.chain import read_export, verify
    from service.cli import UsageError

    try:
        entries = read_export(Path(args.export).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--export: cannot read {args.export}: {exc.strerror}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"--export: {args.export} is not an audit export: {exc}") from None
    ids = [int(e["id"]) for e in entries]
    if ids != sorted(set(ids)):
        raise UsageError(f"--export: {args.export}: entries are not in id order (or an id repeats)")
    return verify(entries, continues=args.continues)


def run(args: argparse.Namespace) -> int:
    from service.cli import UsageError

    if args.head is not None:
        head_id, _, head_hash = args.head.strip().partition(" ")
        if not head_id.isdigit() or len(head_hash.strip()) != 64:
            raise UsageError("--head: give the header's value, 'ID HASH'")
        if args.export is None:
            raise UsageError("--head: only with --export")
    if args.export is not None:
        verdict = _verify_file(args)
    else:
        from service.audit.service import verify_log
        from service.commands import load_settings, with_database

        verdict = with_database(load_settings(), verify_log)
    if not verdict.intact:
        print(f"audit chain broken at entry {verdict.broken_id}: {verdict.reason} "
              f"({verdict.checked} entries before it verified)", file=sys.stderr)
        return 2
    if args.head is not None and (str(verdict.head_id), verdict.head_hash) != (head_id, head_hash.strip()):
        print(f"audit chain does not end at the head given ({args.head.strip()}): it ends at entry "
              f"{verdict.head_id} hash {verdict.head_hash}; entries after it were cut off or the file is another's",
              file=sys.stderr)
        return 2
    head = f"head entry {verdict.head_id} hash {verdict.head_hash}" if verdict.head_id else "no chained entry yet"
    print(f"audit chain intact: {verdict.checked} entries verified, {verdict.before_chain} written before the "
          f"chain began; {head}")
    return 0
