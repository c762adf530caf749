"""Learn a template profile from an LA's blank plan template (DOCX) and print it as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pydantic import ValidationError

from service.cli import UsageError, usage_errors_exit_2
from service.qa.profiles import learn, missing_sections
from service.qa.template import UnreadableDraft


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("blank", metavar="BLANK.docx", type=Path, help="the LA's blank plan template")
    parser.add_argument("--name", default=None, help="the profile's name (default: from the file name)")
    parser.add_argument("--title", default="", help="a description of the template")
    parser.add_argument("--out", type=Path, default=None, help="write the profile here instead of standard output")




@usage_errors_exit_2
def run(args: argparse.Namespace) -> int:
    blank: Path = args.blank
    try:
        data = blank.read_bytes()
    except OSError as exc:
        raise UsageError(f"template {blank}: cannot be read ({exc.strerror or exc})") from exc
    name = args.name or "".join(c if c.isalnum() or c in "._-" else "-" for c in blank.stem.lower()).strip("-._")
    try:
        profile = learn(data, name or "template", args.title)
    except UnreadableDraft as exc:
        raise UsageError(f"template {blank}: {exc.reason}") from exc
    except ValidationError as exc:
        raise UsageError(f"--name {name!r}: lower-case letters, digits, '.', '_' and '-' only") from exc
    text = json.dumps(profile.model_dump(mode="json"), ensure_ascii=False, indent=1) + "\n"
    missing = missing_sections(profile)
    if missing:
        # the coordinator corrects these by hand: add the template's label for each under "labels"
        print(
            f"planwright: no label found for section(s) {', '.join(missing)}; add them to the profile", file=sys.stderr
        )
    if args.out is not None:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--out {args.out}: cannot be written ({exc.strerror or exc})") from exc
    else:
        sys.stdout.write(text)
    return 0
