"""Write the OpenAPI document generated from the code to contracts/openapi.json (or print it)."""

from __future__ import annotations

import argparse
from pathlib import Path

CONTRACT = Path(__file__).resolve().parents[2] / "contracts" / "openapi.json"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed document is out of date")
    parser.add_argument("--stdout", action="store_true", help="print instead of writing")


def run(args: argparse.Namespace) -> int:
    from service.app import openapi_document
    from service.openapi import render

    text = render(openapi_document())
    if args.stdout:
        print(text, end="")
        return 0
    if args.check:
        current = CONTRACT.read_text() if CONTRACT.exists() else ""
        if current != text:
            print("contracts/openapi.json is out of date: run `planwright openapi`")
            return 1
        return 0
    CONTRACT.write_text(text)
    print(f"wrote {CONTRACT}")
    return 0
