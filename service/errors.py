"""Typed domain errors; one handler turns each into an RFC 9457 problem response."""

from __future__ import annotations

import math
from typing import Any


class Problem(Exception):
    """Base of every error a caller may see. `status` is the HTTP status; `type_` names the problem."""

    status = 400
    type_ = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def headers(self) -> dict[str, str] | None:
        """Response headers the problem calls for (a challenge, a retry time)."""
        return None


class NotFound(Problem):
    status, type_, title = 404, "not-found", "Not found"


class Unauthenticated(Problem):
    status, type_, title = 401, "unauthenticated", "Authentication required"

    def headers(self) -> dict[str, str] | None:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(Problem):
    status, type_, title = 403, "forbidden", "Not allowed for this role"


class Conflict(Problem):
    status, type_, title = 409, "conflict", "Conflict"


class TransitionNotAllowed(Conflict):
    type_, title = "transition-not-allowed", "Transition not allowed"

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"the bundle is {current}; it cannot become {target}", current_status=current)


class IdempotencyConflict(Conflict):
    type_, title = "idempotency-key-reused", "Idempotency key reused with a different body"


class PayloadTooLarge(Problem):
    status, type_, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(Problem):
    status, type_, title = 415, "unsupported-media-type", "Unsupported media type"


class InvalidInput(Problem):
    status, type_, title = 422, "validation-error", "Invalid request"


class RequestTimeout(Problem):
    status, type_, title = 408, "request-timeout", "Request timeout"


class TooManyRequests(Problem):
    status, type_, title = 429, "rate-limited", "Too many requests"

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(f"this token is over its rate limit; retry in {seconds} s", retry_after=seconds)

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.extra["retry_after"])}


class ServiceUnavailable(Problem):
    status, type_, title = 503, "unavailable", "Service unavailable"
