"""Revoke an API token by its id."""

from __future__ import annotations

import argparse
from uuid import UUID

from service.cli import UsageError
from service.commands import load_settings, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("token_id", help="the token's id")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        token_id = UUID(args.token_id)
    except ValueError:
        raise UsageError(f"token_id: {args.token_id!r} is not a token id (a UUID)") from None

    async def work() -> bool:
        from service.auth.tokens import revoke_token
        from service.errors import NotFound

        try:
            await revoke_token(token_id)
        except NotFound:
            return False
        return True

    if not with_database(settings, work):
        raise UsageError(f"token_id: no active token {token_id}")
    print("revoked")
    return 0
