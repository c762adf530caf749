"""Writer endpoints for the work itself: the work list, a draft's PDF rendition, draft download."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Protocol
from uuid import UUID

from starlette.responses import Response

from contracts.api import DraftOut, DraftUploadQuery, WorkList
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.views import bundles_out
from service.delivery.service import work_list
from service.documents.access import stream_object
from service.documents.service import OCTET_STREAM, check_length
from service.drafts import service as drafts
from service.drafts.views import draft_out
from service.errors import Forbidden
from service.http import Call, Endpoint
from service.models import Draft, DraftStatus, Role
from service.runtime import current

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
WRITER = frozenset({Role.WRITER})


async def my_work(call: Call) -> WorkList:
    return WorkList(items=await bundles_out(await work_list(call.principal), call.principal))


async def download_draft(call: Call) -> Response:
    draft = await scope.get_draft(call.principal, call.path_uuid("draft_id"))
    if call.principal.role == Role.QA_REVIEWER and draft.status != DraftStatus.IN_QA:
        raise Forbidden("reviewers read drafts while they are in QA")
    return await stream_object(
        call.principal, current().storage, action="draft.download", object_type="draft", object_id=draft.id,
        bundle_id=draft.bundle_id, storage_key=draft.storage_key, sha256=draft.sha256,  # type: ignore[attr-defined]
        media_type=DOCX, download_name=f"draft-{draft.id}.docx",
        accept=call.request.headers.get("accept"),
    )


class DraftStore(Protocol):
    async def __call__(self, principal: Principal, id_: UUID, chunks: AsyncIterable[bytes], /, *, filename: str,
                       content_type: str | None) -> Draft: ...


async def receive_draft(call: Call, store: DraftStore, id_param: str) -> DraftOut:
    """A streamed draft upload (the draft, or its rendition): refused by Content-Length first, then stored."""
    check_length(call.request.headers.get("content-length"), current().settings.max_draft_bytes)
    q: DraftUploadQuery = call.query
    draft = await store(call.principal, call.path_uuid(id_param), call.request.stream(),
                        filename=q.filename, content_type=call.request.headers.get("content-type"))
    return draft_out(draft)


async def put_rendition(call: Call) -> DraftOut:
    return await receive_draft(call, drafts.add_rendition, "draft_id")


ENDPOINTS = [
    Endpoint("GET", "/v1/work", my_work, WRITER,
             "The writer's held bundles in working order (amendments first)", "drafts", response=WorkList),
    Endpoint("PUT", "/v1/drafts/{draft_id}/rendition", put_rendition, WRITER,
             "Attach the optional PDF rendition of a draft in QA (stored without its metadata)", "drafts",
             query=DraftUploadQuery, response=DraftOut, raw_body=("application/pdf",), errors=(404, 409, 413, 415)),
    Endpoint("GET", "/v1/drafts/{draft_id}/content", download_draft, frozenset({Role.WRITER, Role.QA_REVIEWER}),
             "Download a draft (authorised and audited)", "drafts", produces=(DOCX, OCTET_STREAM),
             errors=(403, 404)),
]
