"""Allocate queued bundles to writers from an instance file and print the allocation as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contracts.allocation import Instance
from service.allocation.engine import allocate_explained
from service.cli import UsageError, usage_errors_exit_2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--instance", required=True, type=Path, metavar="FILE", help="instance JSON (ALLOCATION.md)"
    )
    parser.add_argument(
        "--explain",
        type=Path,
        metavar="FILE",
        help="also write a JSON object {bundle id: reason} to FILE (the printed allocation is unchanged)",
    )


def field_path(loc: tuple[int | str, ...]) -> str:
    """pydantic's error location as a readable path: writers[0].hours_per_day."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def describe(error: ValidationError) -> str:
    problems = error.errors(include_url=False)
    parts = []
    for problem in problems[:3]:
        where = field_path(tuple(problem["loc"]))
        parts.append(f"{where}: {problem['msg']}" if where else str(problem["msg"]))
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return "; ".join(parts) + more


def load_instance(path: Path) -> Instance:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the instance file ({exc.__class__.__name__})") from exc
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    try:
        return Instance.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"{path}: invalid instance: {describe(exc)}") from exc


@usage_errors_exit_2
def run(args: argparse.Namespace) -> int:
    instance = load_instance(args.instance)
    explained = allocate_explained(instance)
    json.dump(explained.allocation.model_dump(mode="json"), sys.stdout, indent=2)
    sys.stdout.write("\n")
    if args.explain is not None:
        try:
            args.explain.write_text(
                json.dumps(explained.reasons, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            print(
                f"planwright: {args.explain}: cannot write the explanation ({exc.__class__.__name__})",
                file=sys.stderr,
            )
            return 2
    return 0
