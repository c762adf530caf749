"""Screen bundle documents (PDF, DOCX, TXT) for identifiers; prints the findings as JSON."""

from __future__ import annotations

import argparse
import logging
import sys

from service.screening.denylist import DenyList, DenyListError, load_denylist
from service.screening.ocr import OcrUnavailable
from service.screening.report import UnreadableFile, screen_files


def _unreadable(message: str) -> int:
    # Reported here rather than by raising service.cli.UsageError: under `python -m service.cli`
    # the dispatcher's UsageError is a different class from the one this module would import.
    print(f"planwright: {message}", file=sys.stderr)
    return 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="documents to screen")
    parser.add_argument(
        "--deny-hashes",
        metavar="FILE",
        help='the LA\'s deny-list, JSON {"salt": hex, "hashes": [hex, ...]} from `planwright denylist make`',
    )


def run(args: argparse.Namespace) -> int:
    # pypdf logs its repairs of damaged files; the report (or the exit-2 message) already says what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    deny: DenyList | None = None
    if args.deny_hashes:
        try:
            deny = load_denylist(args.deny_hashes)
        except DenyListError as exc:
            return _unreadable(f"--deny-hashes: {exc}")
    try:
        report = screen_files(args.files, deny)
    except UnreadableFile as exc:
        return _unreadable(str(exc))
    except OcrUnavailable as exc:
        # pictures a reader would see cannot be read here: refuse rather than report them clean
        return _unreadable(f"cannot screen pictures and scanned pages: {exc}")
    # text findings print exactly as before; `"source": "ocr"` and `picture` only where a picture was read
    print(report.model_dump_json(indent=2, exclude_defaults=True))
    return 1 if report.verdict == "pii_found" else 0
