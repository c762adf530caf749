"""Run dramatiq worker processes on the configured broker (production shape)."""

from __future__ import annotations

import argparse
import os
import sys

from service.commands import load_settings


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.broker_url.startswith("stub"):
        from service.cli import UsageError

        raise UsageError("setting PLANWRIGHT_BROKER_URL: a separate worker needs amqp:// or redis://; "
                         "the stub broker runs inside `planwright serve`")
    argv = [sys.executable, "-m", "dramatiq", "workers.actors", "--processes", str(args.processes),
            "--threads", str(args.threads)]
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with dramatiq's own runner
    return 0
