"""The whole journey: a bundle is screened, allocated and delivered, and the LA's endpoint hears each step."""

from __future__ import annotations

from typing import Any

import httpx

from contracts.webhooks import WebhookPayload
from tests.delivery.test_workflow import pass_it
from tests.factories import Tenant
from tests.files import DOCX, DRAFT_PLAN, EP_REPORT, PDF
from tests.webhooks.helpers import register, settle
from tests.webhooks.receiver import Receiver, running


async def _status(client: httpx.AsyncClient, tenant: Tenant, bundle_id: str) -> str:
    return str((await client.get(f"/v1/bundles/{bundle_id}", headers=tenant.auth("la_officer"))).json()["status"])


async def test_a_delivered_bundle_reaches_the_las_endpoint_as_bundle_delivered(
    client: httpx.AsyncClient, tenant: Tenant, worker: None
) -> None:
    la = tenant.auth("la_officer")
    with running(Receiver(secrets=[])) as receiver:
        _, secret = await register(client, tenant, receiver.url,
                                   ["bundle.queued", "bundle.allocated", "bundle.delivered"])
        receiver.secrets.append(secret)
        created = await client.post("/v1/bundles", headers=la, json={"reference": "DCC-J-9", "work_type": "new_plan"})
        bundle_id = created.json()["id"]
        uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep-report.pdf"},
                                     content=EP_REPORT, headers={**la, "Content-Type": PDF})
        assert uploaded.status_code == 201, uploaded.text
        assert (await client.post(f"/v1/bundles/{bundle_id}/submit", headers=la)).status_code == 200

        async def offered() -> bool:
            return await _status(client, tenant, bundle_id) == "offered"

        await settle(offered)
        writer, offer = None, None
        for key in ("writer1", "writer2", "writer3"):
            mine = [o for o in (await client.get("/v1/offers", headers=tenant.auth(key))).json()["items"]
                    if o["bundle_id"] == bundle_id]
            if mine:
                writer, offer = tenant.auth(key), mine[0]
        assert writer is not None and offer is not None
        assert (await client.post(f"/v1/offers/{offer['id']}/accept", headers=writer)).status_code == 200
        document_id = uploaded.json()["id"]
        await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content", headers=writer)
        draft = await client.post(f"/v1/bundles/{bundle_id}/drafts", params={"filename": "draft.docx"},
                                  content=DRAFT_PLAN, headers={**writer, "Content-Type": DOCX})
        assert draft.status_code == 201, draft.text
        passed = await pass_it(client, tenant, draft.json()["id"])
        assert passed.status_code == 200, passed.text

        async def heard_delivered() -> list[Any] | None:
            types = [r.headers["planwright-event-type"] for r in receiver.received if r.answered == 200]
            return types if "bundle.delivered" in types and len(types) >= 3 else None

        types = await settle(heard_delivered)

    assert sorted(types) == ["bundle.allocated", "bundle.delivered", "bundle.queued"]
    assert all(r.verified for r in receiver.received)
    delivered = next(r for r in receiver.received if r.headers["planwright-event-type"] == "bundle.delivered")
    payload = WebhookPayload.model_validate_json(delivered.body)
    assert (str(payload.data.bundle.id), payload.data.bundle.reference, payload.data.bundle.status) == \
        (bundle_id, "DCC-J-9", "delivered")
    for received in receiver.received:  # no file names or document text ever leave in a webhook
        assert b"ep-report" not in received.body and b"draft.docx" not in received.body
