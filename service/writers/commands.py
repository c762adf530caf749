"""`planwright writer ...`: a writing service's writers on the books, their terms and their lifecycle."""

from __future__ import annotations

import argparse
from typing import Any

from contracts.api import WriterInvite, WriterOffboarded, WriterTerms
from service.auth.acting import Acting
from service.cli import UsageError
from service.commands.books import BooksCommand, read_body, uuid_arg

TERMS_HELP = ("the writer's terms as JSON, as PUT /v1/writers/{writer_id}/terms takes them: skills, hours_per_week, "
              "max_concurrent, excluded_las, dbs_number, dbs_expires, starts_on ('-' for standard input)")


def _writer(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--writer", required=True, help="the writer's id")


def _reason(parser: argparse.ArgumentParser) -> None:
    _writer(parser)
    parser.add_argument("--reason", required=True, help="why (on the audit record)")


def _invite_args(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="invite the writer by email (with --name): they accept by signing in")
    who.add_argument("--user", help="the user's id (a user of the writing service, role writer)")
    parser.add_argument("--name", help="the writer's name (with --email)")
    parser.add_argument("--terms", required=True, metavar="FILE", help=TERMS_HELP)


def _terms_args(parser: argparse.ArgumentParser) -> None:
    _writer(parser)
    parser.add_argument("--terms", required=True, metavar="FILE", help=TERMS_HELP)


async def _invite(args: argparse.Namespace, acting: Acting) -> Any:
    from service.writers import service

    if args.email is not None and not args.name:
        raise UsageError("--name: the writer's name, with --email")
    who = ({"email": args.email, "name": args.name} if args.email is not None
           else {"user_id": str(uuid_arg(args.user, "--user"))})
    body = read_body(args.terms, WriterInvite, **who)
    writer, _created = await service.invite(acting, body)
    return await service.detail(writer)


async def _terms(args: argparse.Namespace, acting: Acting) -> Any:
    from service.writers import service

    body = read_body(args.terms, WriterTerms)
    return await service.detail(await service.set_terms(acting, uuid_arg(args.writer, "--writer"), body))


def _status(act: str) -> Any:
    async def change(args: argparse.Namespace, acting: Acting) -> Any:
        from service.writers import service

        reason = args.reason.strip()
        if not reason or len(reason) > 500:
            raise UsageError("--reason: 1 to 500 characters")
        return await service.detail(await service.change_status(acting, uuid_arg(args.writer, "--writer"), act,
                                                                reason))

    return change


async def _offboard(args: argparse.Namespace, acting: Acting) -> WriterOffboarded:
    from service.writers import service

    reason = args.reason.strip()
    if not reason or len(reason) > 500:
        raise UsageError("--reason: 1 to 500 characters")
    writer, released = await service.offboard(acting, uuid_arg(args.writer, "--writer"), reason)
    return WriterOffboarded(writer=await service.detail(writer), released_bundle_ids=released)


async def _list(args: argparse.Namespace, acting: Acting) -> Any:
    from service.models import Writer
    from service.writers import service

    return [await service.detail(w) for w in
            await Writer.filter(provider_id=acting.provider_id).order_by("created_at", "id")]


writer_invite = BooksCommand("A writer on the books: invited by email, or a user with the writer role (no offers yet)",
                             _invite_args, _invite)
writer_terms = BooksCommand("New terms for a writer from a day (skills, hours, slots, conflicts, DBS certificate)",
                            _terms_args, _terms)
writer_onboard = BooksCommand("An invited writer starts taking offers", _reason, _status("onboard"))
writer_suspend = BooksCommand("Suspend a writer: no offers; work in hand stays", _reason, _status("suspend"))
writer_reinstate = BooksCommand("A suspended writer takes offers again", _reason, _status("reinstate"))
writer_offboard = BooksCommand("A writer leaves: no offers, work in hand released to the queue", _reason, _offboard)
writer_list = BooksCommand("A writing service's writers: status, terms, DBS certificate", lambda p: None, _list)
