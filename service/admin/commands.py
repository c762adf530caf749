"""`planwright user ...`: an organisation's people from the command line, for whoever runs the instance.

The same services as `/v1/admin/users` and `/v1/admin/sign-in` (service/admin/people.py), acting as the command
line's operator on one organisation (an LA or a writing service, named by --org): a new organisation's first admin
is invited this way, and its issuer set, so that they can sign in. Audited with the host it ran on.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from contracts.api import IdentityProviderSet, UserChange, UserInvite, UserList, UserOut
from service.cli import UsageError
from service.commands.books import BooksCommand, uuid_arg, validated


def _org(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--org", required=True, help="the organisation's id (an LA or a writing service)")


def _user(parser: argparse.ArgumentParser) -> None:
    _org(parser)
    parser.add_argument("--user", required=True, help="the user's id")


def _invite_args(parser: argparse.ArgumentParser) -> None:
    _org(parser)
    parser.add_argument("--email", required=True, help="where the invitation goes; they sign in with this address")
    parser.add_argument("--name", required=True, help="the person's name")
    parser.add_argument("--role", required=True,
                        help="one of the organisation's roles: la_officer, la_admin (an LA); coordinator, "
                             "qa_reviewer, finance, admin (a writing service; writers come with `writer invite`)")


def _role_args(parser: argparse.ArgumentParser) -> None:
    _user(parser)
    parser.add_argument("--role", required=True, help="the new role (one of the organisation's)")


def _sign_in_args(parser: argparse.ArgumentParser) -> None:
    _org(parser)
    parser.add_argument("--issuer", required=True, help="the organisation's OpenID Connect issuer URL")
    parser.add_argument("--client-id", required=True, help="Planwright's client id at that issuer")
    parser.add_argument("--client-secret-file", metavar="FILE",
                        help="a file holding the client secret (never on the command line)")
    parser.add_argument("--role-claim", default="groups", help="the ID token claim that carries groups")
    parser.add_argument("--role-map", action="append", default=[], metavar="GROUP=ROLE",
                        help="a group that gives a role (repeat for more)")


async def _steward(args: argparse.Namespace) -> Any:
    from service.admin.people import steward_from_cli

    return await steward_from_cli(uuid_arg(args.org, "--org"))


async def _invite(args: argparse.Namespace, _: None) -> UserOut:
    from service.admin import people

    body = validated(UserInvite, {"email": args.email, "name": args.name, "role": args.role}, "--email/--name/--role")
    user, _created = await people.invite(await _steward(args), body)
    return user


async def _list(args: argparse.Namespace, _: None) -> UserList:
    from service.admin import people

    return await people.people(await _steward(args))


async def _role(args: argparse.Namespace, _: None) -> UserOut:
    from service.admin import people

    body = validated(UserChange, {"role": args.role}, "--role")
    return await people.change(await _steward(args), uuid_arg(args.user, "--user"), body)


async def _deactivate(args: argparse.Namespace, _: None) -> UserOut:
    from service.admin import people

    return await people.deactivate(await _steward(args), uuid_arg(args.user, "--user"))


async def _sign_in(args: argparse.Namespace, _: None) -> Any:
    from service.admin import people

    secret = None
    if args.client_secret_file is not None:
        try:
            secret = Path(args.client_secret_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageError(f"--client-secret-file: cannot read {args.client_secret_file}: {exc.strerror}") from None
    role_map: dict[str, str] = {}
    for pair in args.role_map:
        group, sep, role = pair.partition("=")
        if not sep or not group or not role:
            raise UsageError(f"--role-map: {pair!r} is not GROUP=ROLE")
        role_map[group] = role
    body = validated(IdentityProviderSet, {"issuer": args.issuer, "client_id": args.client_id,
                                           "client_secret": secret, "role_claim": args.role_claim,
                                           "role_map": role_map}, "--issuer/--client-id/--role-map")
    return await people.set_identity_provider(await _steward(args), body)


user_invite = BooksCommand("Invite a person to an organisation by email (as POST /v1/admin/users: the invitation is "
                           "emailed when SMTP is set up); the same email and role again answers the user made",
                           _invite_args, _invite, needs_provider=False)
user_list = BooksCommand("An organisation's people: role, active, invitation, joined", _org, _list,
                         needs_provider=False)
user_role = BooksCommand("Give a person another of the organisation's roles (a role that holds no API tokens loses "
                         "them at once)", _role_args, _role, needs_provider=False)
user_deactivate = BooksCommand("Deactivate a person: their API tokens and sessions end at once", _user, _deactivate,
                               needs_provider=False)
user_sign_in = BooksCommand("Set an organisation's OpenID Connect issuer, client and group-to-role map (as PUT "
                            "/v1/admin/sign-in), so its invited people can sign in", _sign_in_args, _sign_in,
                            needs_provider=False)
