"""Who may read a bundle's documents, and the streamed, audited download itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any
from uuid import UUID

from starlette.responses import StreamingResponse

from service.audit.service import audit
from service.auth.principal import Principal
from service.documents.service import OCTET_STREAM, checksum_headers
from service.errors import Conflict, Forbidden, NotFound, ServiceUnavailable
from service.logging import get_logger
from service.models import Bundle, BundleStatus, Document, Role
from service.storage import IntegrityError, ObjectNotFound, Storage

log = get_logger(__name__)

# a writer reads the advice only while the work is theirs to do
WRITER_READABLE = frozenset({
    BundleStatus.ALLOCATED, BundleStatus.DRAFTING, BundleStatus.AWAITING_LA, BundleStatus.IN_QA,
    BundleStatus.RETURNED, BundleStatus.AMENDMENT_REQUESTED,
})


def may_read_documents(principal: Principal, bundle: Bundle) -> bool:
    """Scoping has already found the bundle in the caller's tenancy; this is the status and role rule on top."""
    if principal.is_la:
        return True
    if principal.role == Role.WRITER:
        return bundle.writer_id == principal.writer_id and bundle.status in WRITER_READABLE  # type: ignore[attr-defined]
    if principal.role == Role.QA_REVIEWER:
        return bundle.status in {BundleStatus.IN_QA, BundleStatus.AMENDMENT_REQUESTED}
    return False


def _accepted(accept: str, media_type: str) -> float:
    """The quality the Accept header gives a media type: that of its most specific matching range, 0 if none."""
    best: tuple[int, float] = (-1, 0.0)
    main = media_type.split("/")[0]
    for part in accept.split(","):
        kind, *params = [p.strip().lower() for p in part.split(";")]
        specificity = {media_type: 2, f"{main}/*": 1, "*/*": 0}.get(kind)
        if specificity is None or specificity < best[0]:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best = (specificity, quality)
    return best[1]


def served_media_type(media_type: str, accept: str | None) -> str:
    """The file's own type, unless the caller's Accept header prefers application/octet-stream to it (the OpenAPI
    document offers each download in both; a client generator that reads bytes only as octet-stream may ask so).
    An Accept that names neither still gets the file's own type: the bytes are the same either way."""
    if accept and _accepted(accept, OCTET_STREAM) > _accepted(accept, media_type):
        return OCTET_STREAM
    return media_type


async def stream_object(
    principal: Principal | None,
    storage: Storage,
    *,
    action: str,
    object_type: str,
    object_id: UUID,
    bundle_id: UUID,
    storage_key: str,
    sha256: str,
    media_type: str,
    download_name: str,
    accept: str | None,
    audit_data: dict[str, Any] | None = None,
) -> StreamingResponse:
    """Audit, then stream the decrypted object; the checksum header lets the receiver verify the bytes. No principal:
    a download by link, which `audit_data` describes. `accept`: the request's Accept header (`served_media_type`)."""
    await audit(principal, action, object_type=object_type, object_id=object_id, bundle_id=bundle_id, data=audit_data)
    # Fetch the first piece before the headers go: a missing or tampered object is then a clean error.
    stream = storage.open(storage_key, expected_sha256=sha256)
    try:
        first = await anext(stream)
    except StopAsyncIteration:
        first = b""
    except ObjectNotFound:
        raise NotFound("the stored bytes are gone") from None
    except IntegrityError:
        log.error("storage.integrity_failed", object_type=object_type, object_id=str(object_id))
        raise ServiceUnavailable("the stored bytes failed their integrity check; the incident is logged") from None

    async def body() -> AsyncIterator[bytes]:
        async with aclosing(stream):
            if first:
                yield first
            async for chunk in stream:
                yield chunk

    headers = checksum_headers(sha256)
    headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    headers["Cache-Control"] = "no-store"
    return StreamingResponse(body(), media_type=served_media_type(media_type, accept), headers=headers)


def served_copy(principal: Principal, document: Document) -> tuple[str, str]:
    """(storage key, SHA-256) of what this reader gets: the LA its original, anyone else only the stripped copy."""
    if principal.is_la:
        return document.storage_key, document.sha256
    if not document.clean_key or not document.clean_sha256:
        raise Conflict("the document's cleaned copy is not ready; it is made when screening passes")
    return document.clean_key, document.clean_sha256


def refuse() -> Forbidden:
    return Forbidden("documents of this bundle are not open to you in its current status")
