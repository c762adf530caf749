"""Create an API token for a user (printed once; only its hash is stored)."""

from __future__ import annotations

import argparse
from uuid import UUID

from service.cli import UsageError
from service.commands import load_settings, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, help="the user's id")
    parser.add_argument("--label", default="", help="what the token is for")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        user_id = UUID(args.user)
    except ValueError:
        raise UsageError(f"--user: {args.user!r} is not a user id (a UUID)") from None

    async def work() -> str | None:
        from service.auth.tokens import issue_token
        from service.models import User

        user = await User.filter(id=user_id, active=True).first()
        if user is None:
            return None
        return (await issue_token(user, label=args.label)).token

    token = with_database(settings, work)
    if token is None:
        raise UsageError(f"--user: no active user {user_id}")
    print(token)
    return 0
