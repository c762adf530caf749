"""The writer's work on one bundle: the front sheet, and uploading a draft (its QA findings come back at once)."""

from __future__ import annotations

from contracts.api import BundleOut, DraftOut, DraftUploadQuery, FrontSheetIn
from service.bundles.views import bundle_out
from service.documents.service import check_length
from service.drafts import service as drafts
from service.drafts.routes import DOCX, WRITER
from service.drafts.views import draft_out
from service.http import Call, Endpoint
from service.runtime import current


async def put_front_sheet(call: Call) -> BundleOut:
    body: FrontSheetIn = call.body
    return await bundle_out(await drafts.set_front_sheet(call.principal, call.path_uuid("bundle_id"), body))


async def upload_draft(call: Call) -> DraftOut:
    check_length(call.request.headers.get("content-length"), current().settings.max_draft_bytes)
    q: DraftUploadQuery = call.query
    draft = await drafts.upload(call.principal, call.path_uuid("bundle_id"), call.request.stream(),
                                filename=q.filename, content_type=call.request.headers.get("content-type"))
    return draft_out(draft)


ENDPOINTS = [
    Endpoint("PUT", "/v1/bundles/{bundle_id}/front-sheet", put_front_sheet, WRITER,
             "Set the front sheet (queries, missing advice, notes for the LA) sent with the next draft", "drafts",
             body=FrontSheetIn, response=BundleOut, errors=(404, 409)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/drafts", upload_draft, WRITER,
             "Upload a draft plan (DOCX, streamed); the automated QA findings come back at once", "drafts",
             query=DraftUploadQuery, response=DraftOut, status=201, raw_body=(DOCX,), errors=(404, 409, 413, 415)),
]
