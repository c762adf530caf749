"""LA endpoints for the returned draft under its bundle: download, make a five-minute link, revoke, accept, amend."""

from __future__ import annotations

from starlette.responses import Response

from contracts.api import AmendmentRequest, BundleOut, DownloadLink
from service.bundles.routes import LA
from service.bundles.views import bundle_out
from service.delivery import service as delivery
from service.delivery.views import DOCX, stream_delivered
from service.documents.access import stream_object
from service.documents.service import OCTET_STREAM
from service.errors import NotFound
from service.http import Call, Endpoint
from service.models import Role
from service.runtime import current


async def download_delivered(call: Call) -> Response:
    bundle, draft = await delivery.delivered_draft(call.principal, call.path_uuid("bundle_id"))
    return await stream_delivered(call.principal, bundle, draft, "delivered_draft.download",
                                  accept=call.request.headers.get("accept"))


async def download_rendition(call: Call) -> Response:
    bundle, draft = await delivery.delivered_draft(call.principal, call.path_uuid("bundle_id"))
    if draft.rendition_key is None or draft.rendition_sha256 is None:
        raise NotFound("the writer sent no PDF rendition with this draft")
    return await stream_object(
        call.principal, current().storage, action="delivered_rendition.download", object_type="draft",
        object_id=draft.id, bundle_id=bundle.id, storage_key=draft.rendition_key, sha256=draft.rendition_sha256,
        media_type="application/pdf", download_name=f"{bundle.reference}-draft.pdf",
        accept=call.request.headers.get("accept"),
    )


async def delivered_link(call: Call) -> DownloadLink:
    token, expires, draft = await delivery.make_link(call.principal, call.path_uuid("bundle_id"))
    return DownloadLink(url=f"/v1/downloads/{token}", expires_at=expires, sha256=draft.delivered_sha256 or "")


async def revoke_access(call: Call) -> BundleOut:
    bundle = await delivery.set_access(call.principal, call.path_uuid("bundle_id"), revoked=True)
    return await bundle_out(bundle, call.principal)


async def restore_access(call: Call) -> BundleOut:
    bundle = await delivery.set_access(call.principal, call.path_uuid("bundle_id"), revoked=False)
    return await bundle_out(bundle, call.principal)


async def accept_delivery(call: Call) -> BundleOut:
    bundle = await delivery.accept(call.principal, call.path_uuid("bundle_id"))
    return await bundle_out(bundle, call.principal)


async def request_amendment(call: Call) -> BundleOut:
    body: AmendmentRequest = call.body
    bundle = await delivery.request_amendment(call.principal, call.path_uuid("bundle_id"), body.reason)
    return await bundle_out(bundle, call.principal)


ENDPOINTS = [
    Endpoint("GET", "/v1/bundles/{bundle_id}/delivered-draft", download_delivered, LA,
             "Download the passed draft (audited; no author metadata; Repr-Digest header)", "delivery",
             produces=(DOCX, OCTET_STREAM), errors=(403, 404, 409)),
    Endpoint("GET", "/v1/bundles/{bundle_id}/delivered-draft/rendition", download_rendition, LA,
             "Download the passed draft's PDF rendition, if the writer sent one (audited)", "delivery",
             produces=("application/pdf", OCTET_STREAM), errors=(403, 404, 409)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/delivered-draft/link", delivered_link, LA,
             "A single-use download link for the passed draft: expires in five minutes, dies with its maker's "
             "token or user", "delivery",
             response=DownloadLink, errors=(403, 404, 409)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/access/revoke", revoke_access, frozenset({Role.LA_ADMIN}),
             "Revoke access to the returned draft: outstanding links stop working at once", "delivery",
             response=BundleOut, errors=(404,)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/access/restore", restore_access, frozenset({Role.LA_ADMIN}),
             "Restore access (links made before the revocation stay dead)", "delivery", response=BundleOut,
             errors=(404,)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/accept", accept_delivery, LA, "Accept the delivered draft",
             "delivery", response=BundleOut, errors=(404, 409)),
    Endpoint("POST", "/v1/bundles/{bundle_id}/amendments", request_amendment, LA,
             "Ask for amendments: back to the same writer, ahead of new work", "delivery", body=AmendmentRequest,
             response=BundleOut, errors=(404, 409, 422)),
]
