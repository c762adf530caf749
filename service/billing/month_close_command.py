"""Close a billing month (finance): gapless invoice numbers, frozen figures; closing again changes nothing."""

from __future__ import annotations

import argparse
import json

from service.billing.command_common import add_user_argument, as_finance_user, checked_month
from service.cli import UsageError
from service.commands import load_settings, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, help="the month to close, YYYY-MM (it must have ended)")
    add_user_argument(parser)


def run(args: argparse.Namespace) -> int:
    from service.billing.month_close_service import close_month
    from service.errors import Problem

    month = checked_month(args.month)
    settings = load_settings()

    async def work() -> str:
        principal = await as_finance_user(args.user, invoices_only=False)
        try:
            closed = await close_month(principal, month)
        except Problem as exc:
            raise UsageError(f"--month: {exc.detail}") from None
        return closed.model_dump_json()

    print(json.dumps(json.loads(with_database(settings, work)), indent=2))
    return 0
