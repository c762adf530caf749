"""Notifications from the timeline: the right staff hear of it, by email through a real local SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.models import Notification, User
from service.runtime import current
from service.settings import Settings
from tests.factories import Tenant
from tests.files import EP_REPORT, PDF
from tests.notifications.smtp_sink import Sink, smtp_sink
from tests.service_fixtures import eventually
from tests.webhooks.helpers import new_bundle, raise_event, settle


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    settings: Settings = current().settings
    with smtp_sink() as sink:
        monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
        monkeypatch.setattr(settings, "smtp_port", sink.port)
        monkeypatch.setattr(settings, "smtp_starttls", False)
        monkeypatch.setattr(settings, "smtp_from", "noreply@planwright.test")
        yield sink


async def _give_emails(tenant: Tenant) -> None:
    for key, user in tenant.users.items():
        await User.filter(id=user.id).update(email=f"{key}.{str(user.id)[:8]}@example.org")


def _to(sink: Sink, tenant: Tenant, key: str) -> list[Any]:
    address = f"{key}.{str(tenant.users[key].id)[:8]}@example.org"
    return [m for m in sink.messages if m["To"] == address]


async def test_coordinators_are_emailed_when_a_bundle_is_at_risk_and_the_email_holds_no_case_details(
    client: httpx.AsyncClient, tenant: Tenant, worker: None, smtp: Sink
) -> None:
    await _give_emails(tenant)
    bundle_id = await new_bundle(client, tenant, "DCC-N-1")
    la = tenant.auth("la_officer")
    await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep-report.pdf"},
                      content=EP_REPORT, headers={**la, "Content-Type": PDF})
    await raise_event(bundle_id, "sla.at_risk")

    async def emailed() -> list[Any]:
        return _to(smtp, tenant, "coordinator")

    [message] = await settle(emailed)
    assert message["Subject"] == "Planwright: A bundle's turnaround is at risk (DCC-N-1)"
    assert message["From"] == "noreply@planwright.test"
    body = message.get_content()
    assert f"/v1/bundles/{bundle_id}" in body
    assert "ep-report" not in body and "ep-report" not in message["Subject"]
    # nobody else at the writing service, and nobody at the LA, is told of it
    assert [m["To"] for m in smtp.messages] == [message["To"]]

    async def marked_sent() -> Notification | None:  # the row is marked after the SMTP server took the message
        return await Notification.get_or_none(bundle_id=bundle_id, user_id=tenant.users["coordinator"].id,
                                              status="sent")

    notice = await eventually(marked_sent)
    assert notice.kind == "sla.at_risk"


async def test_an_offer_emails_the_writer_and_a_decline_tells_the_coordinator(
    client: httpx.AsyncClient, tenant: Tenant, worker: None, smtp: Sink
) -> None:
    await _give_emails(tenant)
    bundle_id = await new_bundle(client, tenant, "DCC-N-2")
    la = tenant.auth("la_officer")
    await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep.pdf"},
                      content=EP_REPORT, headers={**la, "Content-Type": PDF})
    assert (await client.post(f"/v1/bundles/{bundle_id}/submit", headers=la)).status_code == 200

    async def offered_to() -> tuple[str, dict[str, Any]] | None:
        for key in ("writer1", "writer2", "writer3"):
            offers = (await client.get("/v1/offers", headers=tenant.auth(key))).json()["items"]
            mine = [o for o in offers if o["bundle_id"] == bundle_id]
            if mine and _to(smtp, tenant, key):
                return key, mine[0]
        return None

    key, offer = await settle(offered_to)
    [offer_mail] = _to(smtp, tenant, key)
    assert offer_mail["Subject"] == "Planwright: You have been offered a bundle (DCC-N-2)"
    assert "/v1/offers" in offer_mail.get_content()
    declined = await client.post(f"/v1/offers/{offer['id']}/decline", headers=tenant.auth(key),
                                 json={"reason": "on leave"})
    assert declined.status_code == 200, declined.text

    async def coordinator_told() -> list[Any]:
        return [m for m in _to(smtp, tenant, "coordinator") if "back in the queue" in m["Subject"]]

    await settle(coordinator_told)
    # the writer sees it in the app too
    mine = (await client.get("/v1/notifications", headers=tenant.auth(key))).json()["items"]
    assert [(n["kind"], n["bundle_id"], n["status"]) for n in mine] == [("offer.made", bundle_id, "sent")]
    others = (await client.get("/v1/notifications", headers=tenant.auth("finance"))).json()["items"]
    assert others == []


async def test_without_smtp_or_an_address_notifications_stay_in_the_app(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    assert current().settings.smtp_host is None
    bundle_id = await new_bundle(client, tenant, "DCC-N-3")
    await raise_event(bundle_id, "sla.breached")

    async def listed() -> list[Any]:
        items = (await client.get("/v1/notifications", headers=tenant.auth("coordinator"))).json()["items"]
        return [n for n in items if n["bundle_id"] == bundle_id]

    [notice] = await settle(listed)
    assert notice["kind"] == "sla.breached" and notice["status"] == "skipped"
    assert notice["subject"] == "Planwright: A bundle's turnaround was missed (DCC-N-3)"


async def test_a_refusing_smtp_server_is_retried_and_then_recorded_as_failed(
    client: httpx.AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.notifications.service import MAX_SEND_ATTEMPTS, SendFailed, send

    with smtp_sink() as sink:
        port = sink.port  # closed after the block: nothing listens there
    settings = current().settings
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", port)
    await _give_emails(tenant)
    bundle_id = await new_bundle(client, tenant, "DCC-N-4")
    await raise_event(bundle_id, "sla.breached")
    from service.webhooks.dispatch import dispatch_all

    await dispatch_all()
    notice = await Notification.get(bundle_id=bundle_id, user_id=tenant.users["coordinator"].id)
    for _ in range(MAX_SEND_ATTEMPTS - 1):
        with pytest.raises(SendFailed):
            await send(notice.id)
    assert (await send(notice.id)).value == "failed"  # type: ignore[union-attr]
    failed = await Notification.get(id=notice.id)
    assert failed.attempts == MAX_SEND_ATTEMPTS and failed.error == "ConnectionRefusedError"
