"""Download by link: the five-minute signed link an LA made for its returned draft is the authority."""

from __future__ import annotations

from starlette.responses import Response

from service.auth.principal import principal_for
from service.delivery import service as delivery
from service.delivery.views import DOCX, stream_delivered
from service.http import PUBLIC, Call, Endpoint
from service.models import User


async def redeem(call: Call) -> Response:
    bundle, draft, claims = await delivery.redeem_link(str(call.request.path_params["token"]))
    user = await User.get(id=claims.user_id).select_related("organisation", "writer")
    return await stream_delivered(principal_for(user), bundle, draft, "delivered_draft.download_by_link")


ENDPOINTS = [
    Endpoint("GET", "/v1/downloads/{token}", redeem, PUBLIC,
             "Download by link (the signed link is the authority; audited)", "delivery", produces=DOCX,
             errors=(404,)),
]
