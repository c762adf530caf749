"""Bundle endpoints: thin; parse, call the service, serialise."""

from __future__ import annotations

from starlette.responses import Response

from contracts.api import (
    BundleCreate,
    BundleDetail,
    BundleListQuery,
    BundleOut,
    BundlePage,
    DocumentOut,
    DocumentUploadQuery,
)
from service.bundles import service
from service.bundles.views import bundle_detail_out, bundle_out, bundles_out, document_out
from service.documents.access import may_read_documents, refuse, served_copy, stream_object
from service.documents.service import OCTET_STREAM, check_length
from service.http import Call, Endpoint
from service.models import Bundle, Role
from service.runtime import current

LA = frozenset({Role.LA_OFFICER, Role.LA_ADMIN})
READERS = frozenset({Role.LA_OFFICER, Role.LA_ADMIN, Role.COORDINATOR, Role.WRITER, Role.QA_REVIEWER, Role.ADMIN})
DOCUMENT_READERS = frozenset({Role.LA_OFFICER, Role.LA_ADMIN, Role.WRITER, Role.QA_REVIEWER})


async def create_bundle(call: Call) -> Response:
    bundle, created = await service.create_bundle(
        call.principal, call.body, idempotency_key=call.request.headers.get("idempotency-key")
    )
    return Response((await bundle_out(bundle, call.principal)).model_dump_json(), status_code=201 if created else 200,
                    media_type="application/json", headers={"Location": f"/v1/bundles/{bundle.id}"})


async def list_bundles(call: Call) -> BundlePage:
    q: BundleListQuery = call.query
    rows, next_cursor = await service.list_bundles(call.principal, status=q.status, cursor=q.cursor, limit=q.limit)
    return BundlePage(items=await bundles_out(rows, call.principal), next_cursor=next_cursor)


async def get_bundle(call: Call) -> BundleDetail:
    return await bundle_detail_out(call.principal, *await service.get_detail(call.principal,
                                                                              call.path_uuid("bundle_id")))


async def upload_document(call: Call) -> DocumentOut:
    check_length(call.request.headers.get("content-length"), current().settings.max_document_bytes)
    q: DocumentUploadQuery = call.query
    document = await service.add_document(
        call.principal, call.path_uuid("bundle_id"), call.request.stream(),
        filename=q.filename, content_type=call.request.headers.get("content-type"),
    )
    return document_out(document)


async def download_document(call: Call) -> Response:
    bundle, document = await service.get_document(
        call.principal, call.path_uuid("bundle_id"), call.path_uuid("document_id")
    )
    if not may_read_documents(call.principal, bundle):
        raise refuse()
    storage_key, sha256 = served_copy(call.principal, document)
    if call.principal.role == Role.WRITER and bundle.status.value == "allocated":
        await _writer_starts(call, bundle)
    return await stream_object(
        call.principal, current().storage, action="document.download", object_type="document",
        object_id=document.id, bundle_id=bundle.id, storage_key=storage_key, sha256=sha256,
        media_type=document.media_type, download_name=f"{document.id}.{document.kind}",
        accept=call.request.headers.get("accept"),
    )


async def _writer_starts(call: Call, bundle: Bundle) -> None:
    """The writer's first read of the advice starts the drafting."""
    from tortoise.transactions import in_transaction

    from service.bundles.transitions import move
    from service.errors import TransitionNotAllowed
    from service.models import BundleStatus

    try:
        async with in_transaction() as conn:
            await move(bundle.id, BundleStatus.DRAFTING, conn=conn, actor_id=call.principal.user_id,
                       expect=BundleStatus.ALLOCATED)
    except TransitionNotAllowed:
        pass  # a concurrent request started it


async def submit_bundle(call: Call) -> BundleOut:
    bundle = await service.submit(call.principal, call.path_uuid("bundle_id"))
    return await bundle_out(bundle, call.principal)


async def cancel_bundle(call: Call) -> BundleOut:
    bundle = await service.cancel(call.principal, call.path_uuid("bundle_id"))
    return await bundle_out(bundle, call.principal)


UPLOAD_TYPES = ("application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "text/plain")

ENDPOINTS = [
    Endpoint("POST", "/v1/bundles", create_bundle, LA, "Create a bundle (honours Idempotency-Key)", "bundles",
             body=BundleCreate, response=BundleOut, status=201, errors=(409, 422),
             replays="The bundle an earlier request with this Idempotency-Key created"),
    Endpoint("GET", "/v1/bundles", list_bundles, READERS, "List bundles, newest first", "bundles",
             query=BundleListQuery, response=BundlePage),
    Endpoint("GET", "/v1/bundles/{bundle_id}", get_bundle, READERS, "A bundle with its documents and timeline",
             "bundles", response=BundleDetail, errors=(404,)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/documents", upload_document, LA,
             "Upload a document (streamed; the type is decided by its content)", "bundles",
             query=DocumentUploadQuery, response=DocumentOut, status=201, raw_body=UPLOAD_TYPES,
             errors=(404, 409, 413, 415)),
    Endpoint("GET", "/v1/bundles/{bundle_id}/documents/{document_id}/content", download_document, DOCUMENT_READERS,
             "Download a document (authorised and audited; writers and QA get the metadata-stripped copy)",
             "bundles", produces=(*UPLOAD_TYPES, OCTET_STREAM), errors=(403, 404, 409)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/submit", submit_bundle, LA, "Submit the bundle for screening",
             "bundles", response=BundleOut, errors=(404, 409)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/cancel", cancel_bundle, LA, "Cancel the bundle", "bundles",
             response=BundleOut, errors=(404, 409)),
]
