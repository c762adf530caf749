"""Who acts on a writing service's books, and from where: a caller of the API or the operator at the command line.

Onboarding (LA clients, their contracts, writers) is done through the API by a provider's staff, or by whoever runs
the instance with `planwright org|contract|writer ...`. Both go through the same services; the audit record says
who (the user, or the command line's operator) and from where (the caller's address, or the command line's host).
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from starlette.requests import Request

from service.auth.principal import Principal


@dataclass(frozen=True)
class Acting:
    provider_id: UUID
    principal: Principal | None  # None: the command line
    origin: str  # "api 203.0.113.7" or "cli ops@host"

    def audit_data(self, **data: Any) -> dict[str, Any]:
        """`data` for the audit record, with where the act came from (and for the command line, for whom)."""
        extra: dict[str, Any] = {"origin": self.origin}
        if self.principal is None:
            extra["provider_id"] = str(self.provider_id)
        return {**data, **extra}


def acting_from_request(principal: Principal, request: Request) -> Acting:
    """A provider's staff member calling the API (their organisation is the writing service)."""
    return Acting(provider_id=principal.organisation_id, principal=principal, origin=request_origin(request))


def request_origin(request: Request) -> str:
    return f"api {request.client.host if request.client else 'unknown'}"


def cli_origin() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli {user}@{socket.gethostname()}"


def acting_from_cli(provider_id: UUID) -> Acting:
    """The operator at the command line, on one writing service's books."""
    return Acting(provider_id=provider_id, principal=None, origin=cli_origin())
