"""Write the demo's documents into DIR: ep.pdf (anonymised advice), draft.docx (passes QA), draft.pdf, front-sheet.json.

Used by the README's journey; `planwright screen DIR/ep.pdf` finds them clean and `planwright qa DIR/draft.docx
--front-sheet DIR/front-sheet.json` passes (with one warning for the QA reviewer to dismiss).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from service.cli import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", type=Path, metavar="DIR", help="where to write them (created if missing)")


def run(args: argparse.Namespace) -> int:
    from service.demo_files import FRONT_SHEET, advice_pdf, draft_docx, draft_pdf

    folder: Path = args.dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        files = {
            "ep.pdf": advice_pdf(),
            "draft.docx": draft_docx(),
            "draft.pdf": draft_pdf(),
            "front-sheet.json": (json.dumps(FRONT_SHEET, indent=2) + "\n").encode(),
        }
        for name, data in files.items():
            (folder / name).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"DIR: cannot write into {folder}: {exc.strerror or exc}") from None
    for name, data in files.items():
        print(f"{folder / name}  {len(data)} bytes")
    return 0
