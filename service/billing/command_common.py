"""What the `planwright billing` commands share: the month, and acting as a finance (or LA) user."""

from __future__ import annotations

import argparse

from service.auth.principal import Principal
from service.cli import UsageError
from service.commands import parse_uuid
from service.models.people import LA_ROLES, Role


def add_user_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True,
                        help="the id of the finance user acting (an LA user may export its own invoices)")


def checked_month(value: str) -> str:
    from service.billing.month_close_service import MONTH

    if not MONTH.match(value):
        raise UsageError(f"--month: {value!r} is not a month (YYYY-MM)")
    return value


async def as_finance_user(user_id: str, *, invoices_only: bool) -> Principal:
    """The acting user's Principal: finance, or (for an invoice) a user of the LA itself."""
    from service.auth.principal import principal_for
    from service.models import User

    user = await User.filter(id=parse_uuid(user_id, "--user"), active=True).select_related(
        "organisation", "writer").first()
    allowed = {Role.FINANCE} | (set(LA_ROLES) if invoices_only else set())
    if user is None or user.role not in allowed:
        raise UsageError("--user: not an active finance user" + (" or LA user" if invoices_only else ""))
    return principal_for(user)
