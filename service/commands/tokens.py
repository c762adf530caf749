"""Create an API token for a user (printed once; only its hash is stored)."""

from __future__ import annotations

import argparse
from uuid import UUID

from service.cli import UsageError
from service.commands import load_settings, with_database


def configure(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="the user's id")
    who.add_argument("--operator", action="store_true",
                     help="the instance operator's token (instance-wide /metrics, nothing else); makes the operator "
                          "on first use")
    parser.add_argument("--label", default="", help="what the token is for")
    parser.add_argument("--days", type=int, default=None,
                        help="expire after this many days; default and most: the organisation's token lifetimes, as "
                             "for a token made through the API (PLANWRIGHT_TOKEN_DEFAULT_DAYS, _MAX_DAYS)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    user_id: UUID | None = None
    if not args.operator:
        try:
            user_id = UUID(args.user)
        except ValueError:
            raise UsageError(f"--user: {args.user!r} is not a user id (a UUID)") from None
    if args.days is not None and args.days < 1:  # the most is the organisation's, checked with the user below
        raise UsageError("--days: at least 1")

    async def work() -> str | None:
        from datetime import timedelta

        from service import clock
        from service.admin.service import lifetime_days
        from service.auth.tokens import issue_token, may_hold_tokens
        from service.errors import InvalidInput
        from service.models import Organisation, OrganisationKind, Role, User

        if user_id is None:  # the first operator made, or a new one
            user = await User.filter(role=Role.OPERATOR, active=True).order_by("created_at", "id").first()
            if user is None:
                organisation = await Organisation.create(kind=OrganisationKind.OPERATOR, name="Operator")
                user = await User.create(organisation=organisation, role=Role.OPERATOR, name="Operator")
        else:
            user = await User.filter(id=user_id, active=True).first()
        if user is None:
            return None
        if not may_hold_tokens(user.role):
            raise UsageError(f"--user: a {user.role.value} holds no API tokens (people in that role sign in)")
        try:  # the same lifetimes as a token made through the API: none lives for ever
            days = await lifetime_days(await Organisation.get(id=user.organisation_id), args.days)  # type: ignore[attr-defined]
        except InvalidInput as exc:
            raise UsageError(f"--days: {exc.detail.partition(': ')[2]}") from None
        expires = clock.now() + timedelta(days=days)
        return (await issue_token(user, label=args.label, expires_at=expires)).token

    token = with_database(settings, work)
    if token is None:
        raise UsageError(f"--user: no active user {user_id}")
    print(token)
    return 0
