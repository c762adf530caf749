"""Intake endpoints the LA uses to fix a rejected bundle: its deny-list, and replacing a document. Thin."""

from __future__ import annotations

from contracts.api import (
    DenyListIn,
    DenyListOut,
    DocumentOut,
    DocumentUploadQuery,
    UnreadableConfirmationIn,
    UnreadableConfirmationOut,
)
from service.bundles.routes import LA, UPLOAD_TYPES
from service.bundles.views import document_out
from service.documents.replace import replace_document
from service.documents.service import check_length
from service.http import Call, Endpoint
from service.intake import denylists
from service.intake.unreadable import confirm_unreadable
from service.runtime import current


async def put_deny_list(call: Call) -> DenyListOut:
    bundle_id = call.path_uuid("bundle_id")
    return DenyListOut(bundle_id=bundle_id, hashes=await denylists.attach(call.principal, bundle_id, call.body))


async def delete_deny_list(call: Call) -> None:
    await denylists.remove(call.principal, call.path_uuid("bundle_id"))


async def put_document_content(call: Call) -> DocumentOut:
    check_length(call.request.headers.get("content-length"), current().settings.max_document_bytes)
    q: DocumentUploadQuery = call.query
    document = await replace_document(
        call.principal, call.path_uuid("bundle_id"), call.path_uuid("document_id"), call.request.stream(),
        filename=q.filename, content_type=call.request.headers.get("content-type"),
    )
    return document_out(document)


async def post_unreadable_confirmation(call: Call) -> UnreadableConfirmationOut:
    document_id = call.path_uuid("document_id")
    pages = await confirm_unreadable(call.principal, call.path_uuid("bundle_id"), document_id, call.body)
    return UnreadableConfirmationOut(document_id=document_id, pages=pages)


ENDPOINTS = [
    Endpoint("PUT", "/v1/bundles/{bundle_id}/deny-list", put_deny_list, LA,
             "Attach the LA's salted-hash deny-list (only hashes; while draft or rejected)", "bundles",
             body=DenyListIn, response=DenyListOut, errors=(404, 409, 422)),
    Endpoint("DELETE", "/v1/bundles/{bundle_id}/deny-list", delete_deny_list, LA,
             "Remove the bundle's deny-list (while draft or rejected)", "bundles", status=204, errors=(404, 409)),
    Endpoint("PUT", "/v1/bundles/{bundle_id}/documents/{document_id}/content", put_document_content, LA,
             "Replace a document (streamed; the old version is deleted from storage)", "bundles",
             query=DocumentUploadQuery, response=DocumentOut, status=201, raw_body=UPLOAD_TYPES,
             errors=(404, 409, 413, 415)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/documents/{document_id}/unreadable-confirmations",
             post_unreadable_confirmation, LA,
             "Confirm that pages screening could not read (unreadable_content) hold no identifiers; audited. The "
             "next submission treats them as confirmed warnings (only while rejected)", "bundles",
             body=UnreadableConfirmationIn, response=UnreadableConfirmationOut, status=201, errors=(404, 409, 422)),
]
