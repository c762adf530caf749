"""Serve the API (with the worker and scheduler in-process unless PLANWRIGHT_EMBEDDED_WORKER=false)."""

from __future__ import annotations

import argparse

import uvicorn

from service.commands import load_settings, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed-demo", action="store_true", help="seed the demo tenant on first start, print tokens")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (production shape)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.seed_demo:
        from service.demo import print_welcome, seed_demo

        print_welcome(with_database(settings, seed_demo), settings)
    if args.workers > 1:
        if settings.embedded_worker:
            from service.cli import UsageError

            raise UsageError("setting PLANWRIGHT_EMBEDDED_WORKER: must be false with --workers > 1; "
                             "run `planwright worker` and `planwright scheduler` beside the API")
        uvicorn.run("service.app:create_app", factory=True, host=settings.host, port=settings.port,
                    workers=args.workers, log_config=None, access_log=False)
        return 0
    from service.app import create_app

    uvicorn.run(create_app(settings, embedded=settings.embedded_worker), host=settings.host, port=settings.port,
                log_config=None, access_log=False)
    return 0
