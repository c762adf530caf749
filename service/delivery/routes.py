"""Download by link: the five-minute signed link an LA made for its returned draft is the authority."""

from __future__ import annotations

from starlette.responses import Response

from service.delivery import service as delivery
from service.delivery.views import DOCX, stream_delivered
from service.documents.service import OCTET_STREAM
from service.http import PUBLIC, Call, Endpoint


async def redeem(call: Call) -> Response:
    """Whoever holds the link fetches the draft once; the audit records the link's use (who made it, from which
    client address it was used), not a login the fetcher never had."""
    client = call.request.client.host if call.request.client else None
    bundle, draft, link = await delivery.redeem_link(str(call.request.path_params["token"]), client=client)
    return await stream_delivered(None, bundle, draft, "delivered_draft.download_by_link",
                                  accept=call.request.headers.get("accept"),
                                  audit_data={"link_id": str(link.id), "made_by": str(link.made_by_id),  # type: ignore[attr-defined]
                                              "client": client})


ENDPOINTS = [
    Endpoint("GET", "/v1/downloads/{token}", redeem, PUBLIC,
             "Download by link (single use, within five minutes, while its maker's access lasts; audited with the "
             "client address)", "delivery", produces=(DOCX, OCTET_STREAM),
             errors=(404,)),
]
