"""The writer's work on one bundle: the front sheet, and uploading a draft (its QA findings come back at once)."""

from __future__ import annotations

import functools

from contracts.api import BundleOut, DraftOut, DraftQuery, FrontSheetIn
from service.bundles.views import bundle_out
from service.drafts import service as drafts
from service.drafts.routes import DOCX, WRITER, receive_draft
from service.http import Call, Endpoint


async def put_front_sheet(call: Call) -> BundleOut:
    body: FrontSheetIn = call.body
    bundle = await drafts.set_front_sheet(call.principal, call.path_uuid("bundle_id"), body)
    return await bundle_out(bundle, call.principal)


async def upload_draft(call: Call) -> DraftOut:
    q: DraftQuery = call.query
    return await receive_draft(call, functools.partial(drafts.upload, hours_spent=q.hours_spent), "bundle_id")


ENDPOINTS = [
    Endpoint("PUT", "/v1/bundles/{bundle_id}/front-sheet", put_front_sheet, WRITER,
             "Set the front sheet (queries, missing advice, notes for the LA) sent with the next draft", "drafts",
             body=FrontSheetIn, response=BundleOut, errors=(404, 409)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/drafts", upload_draft, WRITER,
             "Upload a draft plan (DOCX, streamed); the automated QA findings come back at once", "drafts",
             query=DraftQuery, response=DraftOut, status=201, raw_body=(DOCX,), errors=(404, 409, 413, 415)),
]
