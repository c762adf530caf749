"""Typed domain errors; one handler turns each into an RFC 9457 problem response."""

from __future__ import annotations

import math
from typing import Any


class Problem(Exception):
    """The request could not be understood as sent.

    (The base of every error a caller may see: `status` is the HTTP status, `type_` names the problem, and the
    first paragraph of each class's docstring is the page the service serves at `/problems/{type_}`.)"""

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
    """The object does not exist, or it belongs to another tenant (the two answer alike, so ids reveal nothing),
    or the URL names no route."""

    status, type_, title = 404, "not-found", "Not found"


class Unauthenticated(Problem):
    """No bearer token was sent, or the token is unknown, expired or revoked, or its user is deactivated. Send
    `Authorization: Bearer <token>`."""

    status, type_, title = 401, "unauthenticated", "Authentication required"

    def headers(self) -> dict[str, str] | None:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(Problem):
    """The caller's role may not call this operation (each operation lists its roles as `x-roles` in the API
    document), or the LA has revoked access to this draft."""

    status, type_, title = 403, "forbidden", "Not allowed for this role"


class Conflict(Problem):
    """The request is valid but the object's present state does not allow it (`current_status` names the state when
    there is one); read the object again and decide."""

    status, type_, title = 409, "conflict", "Conflict"


class TransitionNotAllowed(Conflict):
    """The bundle's status does not allow this move; `current_status` names the status it is in."""

    type_, title = "transition-not-allowed", "Transition not allowed"

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"the bundle is {current}; it cannot become {target}", current_status=current)


class IdempotencyConflict(Conflict):
    """This Idempotency-Key already created a bundle from a different body. Use a new key for a new bundle; the same
    key with the same body answers the first bundle again."""

    type_, title = "idempotency-key-reused", "Idempotency key reused with a different body"


class PayloadTooLarge(Problem):
    """The body is over its cap (a document, a bundle, a draft or a JSON body); it was refused from its
    `Content-Length` before reading, or while counting it, and nothing was kept."""

    status, type_, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(Problem):
    """The content is not of a type this operation takes (PDF, DOCX or text for documents, DOCX for drafts, JSON
    for bodies), or it does not match its declared type and file extension. Nothing was kept."""

    status, type_, title = 415, "unsupported-media-type", "Unsupported media type"


class MalformedJson(Problem):
    """The body is not well-formed JSON (or not UTF-8): it could not be parsed at all, so no field could be checked.
    Nothing was changed."""

    status, type_, title = 400, "malformed-json", "Malformed JSON"


class InvalidInput(Problem):
    """A field, query parameter or path id is not valid. `errors` lists each one: `field` is its path
    (`body.reference`, `query.cursor`, `path.bundle_id`), `message` says what is wrong. Nothing was changed."""

    status, type_, title = 422, "validation-error", "Invalid request"

    def __init__(self, detail: str, **extra: Any) -> None:
        if "errors" not in extra:  # every 422 lists its fields, also where the code raised one by hand
            field, sep, message = detail.partition(": ")
            extra["errors"] = [{"field": field, "message": message} if sep and " " not in field
                               else {"field": None, "message": detail}]
        super().__init__(detail, **extra)


class RequestTimeout(Problem):
    """The request body arrived too slowly (`REQUEST_TIMEOUT_SECONDS`); nothing was kept. Send it again."""

    status, type_, title = 408, "request-timeout", "Request timeout"


class DuplicateReference(Conflict):
    """The LA already has a live bundle (not yet accepted, closed or cancelled) with this case reference;
    `existing_bundle_id` names it. To create another on purpose (an annual review while the plan is open, say),
    send `"duplicate_reference": true` in the body."""

    type_, title = "duplicate-reference", "Reference already in use"


class MethodNotAllowed(Problem):
    """The URL exists but not with this method; the API document lists the methods each path takes."""

    status, type_, title = 405, "method-not-allowed", "Method not allowed"


class TooManyRequests(Problem):
    """This token is over its rate limit; `Retry-After` (and `retry_after`) says in how many seconds to retry."""

    status, type_, title = 429, "rate-limited", "Too many requests"

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(f"this token is over its rate limit; retry in {seconds} s", retry_after=seconds)

    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.extra["retry_after"])}


class ServiceUnavailable(Problem):
    """A part the request needs is unavailable (the document store, the database connection, a required malware
    scanner) or the handler ran out of time; nothing was kept. Retry shortly."""

    status, type_, title = 503, "unavailable", "Service unavailable"


class InternalError(Problem):
    """Something went wrong on the service's side; quote the `X-Request-ID` response header when reporting it."""

    status, type_, title = 500, "internal-error", "Internal error"


def problem_types() -> dict[str, type[Problem]]:
    """Every problem type the service answers with, by its `type_` (the name in `/problems/{type}`)."""
    found: dict[str, type[Problem]] = {}
    pending: list[type[Problem]] = [Problem]
    while pending:
        kind = pending.pop()
        found.setdefault(kind.type_, kind)
        pending += kind.__subclasses__()
    return dict(sorted(found.items()))
