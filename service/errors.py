"""Typed domain errors; one handler turns each into an RFC 9457 problem response."""

from __future__ import annotations

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


class NotFound(Problem):
    status, type_, title = 404, "not-found", "Not found"


class Unauthenticated(Problem):
    status, type_, title = 401, "unauthenticated", "Authentication required"


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


class ServiceUnavailable(Problem):
    status, type_, title = 503, "unavailable", "Service unavailable"
