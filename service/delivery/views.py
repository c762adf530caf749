"""The delivered draft as a response: streamed from storage, checksummed and audited, under the bundle's name."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from service.auth.principal import Principal
from service.documents.access import stream_object
from service.models import Bundle, Draft
from service.runtime import current

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def stream_delivered(principal: Principal | None, bundle: Bundle, draft: Draft, action: str, *,
                           accept: str | None, audit_data: dict[str, Any] | None = None) -> Response:
    assert draft.delivered_key is not None and draft.delivered_sha256 is not None
    return await stream_object(
        principal, current().storage, action=action, object_type="draft", object_id=draft.id, bundle_id=bundle.id,
        audit_data=audit_data, accept=accept,
        storage_key=draft.delivered_key, sha256=draft.delivered_sha256, media_type=DOCX,
        download_name=f"{bundle.reference}-draft.docx",
    )
