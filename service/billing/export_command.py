"""Export a month's invoice (one LA), credit notes (one LA or all), writer payouts or summary as CSV, XLSX or JSON
(DRAFT until it is closed), or a closed month in Xero's or Sage 50's import layout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from service.billing.command_common import add_user_argument, as_finance_user, checked_month
from service.cli import UsageError
from service.commands import load_settings, parse_uuid, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("document", choices=("invoice", "credit-notes", "payouts", "summary"), help="which document")
    parser.add_argument("--month", required=True, help="YYYY-MM")
    parser.add_argument("--la", help="the LA whose invoice (invoice), or whose credit notes (credit-notes; all LAs "
                                     "when absent)")
    parser.add_argument("--writer", help="one writer's payouts (payouts only; all writers when absent)")
    parser.add_argument("--format", choices=("csv", "xlsx", "json", "xero", "sage"), default="csv",
                        help="xero, sage: a closed month in Xero's or Sage 50's import layout (invoice: the invoice; "
                             "credit-notes: the credit notes; summary: both; payouts: supplier bills)")
    parser.add_argument("--output", "-o", help="the file to write (default: standard output); named as the API "
                                               "names it when this is a directory")
    add_user_argument(parser)


def run(args: argparse.Namespace) -> int:
    from service.billing import reading
    from service.errors import Problem

    month = checked_month(args.month)
    if args.document == "invoice" and not args.la:
        raise UsageError("--la: name the LA whose invoice to export")
    la_id = parse_uuid(args.la, "--la") if args.la else None
    writer_id = parse_uuid(args.writer, "--writer") if args.writer else None
    settings = load_settings()

    async def work() -> str:
        principal = await as_finance_user(args.user, invoices_only=args.document in ("invoice", "credit-notes"))
        try:
            if principal.is_la and la_id != principal.organisation_id:
                raise UsageError("--la: an LA user exports only its own invoices and credit notes (name its LA)")
            assert principal.provider_id is not None
            books = await reading.billing_month(principal.provider_id, month)
            if args.document == "invoice":
                assert la_id is not None
                export = await reading.invoice_export(books, await reading.client_la(books.provider_id, la_id),
                                                      args.format)
            elif args.document == "credit-notes":
                la = await reading.client_la(books.provider_id, la_id) if la_id is not None else None
                export = await reading.credit_notes_export(books, la, args.format)
            elif args.document == "payouts":
                export = await reading.payouts_export(books, writer_id, args.format)
            else:
                export = await reading.summary_export(books, args.format)
        except Problem as exc:
            raise UsageError(exc.detail) from None
        target = Path(args.output) if args.output else None
        if target is not None and target.is_dir():
            target = target / export.filename
        out = target.open("wb") if target is not None else sys.stdout.buffer
        try:
            async for chunk in reading.stream(export):
                out.write(chunk)
        finally:
            if target is not None:
                out.close()
            else:
                out.flush()
        return export.filename

    name = with_database(settings, work)
    if args.output:
        print(f"wrote {name}", file=sys.stderr)
    return 0


