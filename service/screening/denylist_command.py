"""Make the LA's salted-hash deny-list from a file of identifiers, one a line; prints the JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from service.screening.denylist import DenyListError, make_denylist


def _unreadable(message: str) -> int:
    # Reported here rather than by raising service.cli.UsageError: under `python -m service.cli`
    # the dispatcher's UsageError is a different class from the one this module would import.
    print(f"planwright: {message}", file=sys.stderr)
    return 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="identifiers, one a line (UTF-8)")
    parser.add_argument("--salt", metavar="HEX", help="salt in hexadecimal; a random 16-byte salt if omitted")


def run(args: argparse.Namespace) -> int:
    try:
        lines = Path(args.file).read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        return _unreadable(f"{args.file}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        return _unreadable(f"{args.file}: cannot be read as UTF-8 text ({exc.__class__.__name__})")
    try:
        deny_list = make_denylist(lines, args.salt)
    except DenyListError as exc:
        return _unreadable(f"--salt: {exc}")
    print(json.dumps(deny_list, indent=2))
    return 0
