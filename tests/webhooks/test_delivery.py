"""Deliveries to a real local HTTP receiver: signed, retried with backoff, logged, redelivered, and rotated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from contracts.webhooks import WebhookPayload
from service import clock
from service.jobs import Job
from service.models import Event, OutboxMessage, WebhookDelivery, WebhookEndpoint
from service.runtime import current
from service.settings import Settings
from service.webhooks.dispatch import dispatch_all, redrive
from service.webhooks.signing import InvalidSignature, verify
from tests.factories import Tenant
from tests.webhooks.helpers import deliveries, new_bundle, raise_event, register, settle
from tests.webhooks.receiver import Receiver, by_libraries, running

BACKOFF = 0.3
NOWHERE = "http://127.0.0.1:9/in"  # nothing listens: a stray attempt is refused at once


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    settings = current().settings
    monkeypatch.setattr(settings, "webhook_backoff_seconds", BACKOFF)
    monkeypatch.setattr(settings, "webhook_max_attempts", 4)
    yield settings


def _final(status: str) -> Any:
    def check(items: list[dict[str, Any]]) -> bool:
        return bool(items) and all(i["status"] == status for i in items)
    return check


async def test_a_failing_receiver_sees_retries_with_backoff_until_it_answers_200(
    client: httpx.AsyncClient, tenant: Tenant, worker: None, fast: Settings
) -> None:
    with running(Receiver(secrets=[], fail_first=2)) as receiver:
        endpoint_id, secret = await register(client, tenant, receiver.url, ["sla.at_risk"])
        receiver.secrets.append(secret)
        bundle_id = await new_bundle(client, tenant, "DCC-HOOK-7")
        await raise_event(bundle_id, "sla.at_risk")

        async def delivered() -> list[dict[str, Any]] | None:
            items = await deliveries(client, tenant, endpoint_id)
            return items if _final("delivered")(items) else None

        [log] = await settle(delivered)

    assert [r.answered for r in receiver.received] == [500, 500, 200]
    assert all(r.verified for r in receiver.received)
    gaps = [b.at - a.at for a, b in zip(receiver.received, receiver.received[1:], strict=False)]
    assert gaps[0] >= BACKOFF and gaps[1] >= 2 * BACKOFF  # exponential: each wait doubles
    assert [a["status_code"] for a in log["attempts"]] == [500, 500, 200]
    assert [a["error"] for a in log["attempts"]] == ["HTTP 500", "HTTP 500", None]
    assert all(a["duration_ms"] >= 0 and a["manual"] is False for a in log["attempts"])

    # every attempt carried the same event id, type and body; the body names the bundle and nothing else
    first = receiver.received[0]
    assert {r.headers["planwright-event-id"] for r in receiver.received} == {log["event_id"]}
    assert {r.headers["planwright-event-type"] for r in receiver.received} == {"sla.at_risk"}
    # the Standard Webhooks message id is the event id, the same on every retry; each attempt is signed anew
    assert {r.headers["webhook-id"] for r in receiver.received} == {log["event_id"]}
    assert all(r.libraries == {"stripe": True, "standardwebhooks": True} for r in receiver.received)
    assert {r.body for r in receiver.received} == {first.body}
    payload = WebhookPayload.model_validate_json(first.body)
    assert payload.id == log["event_id"] and payload.type == "sla.at_risk"
    assert str(payload.data.bundle.id) == bundle_id and payload.data.bundle.reference == "DCC-HOOK-7"
    assert set(json.loads(first.body)) == {"id", "type", "occurred_at", "data"}


async def test_a_receiver_that_never_answers_200_fails_the_delivery_and_a_manual_redelivery_succeeds(
    client: httpx.AsyncClient, tenant: Tenant, worker: None, fast: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast, "webhook_max_attempts", 3)
    admin = tenant.auth("la_admin")
    with running(Receiver(secrets=[], fail_first=10_000)) as receiver:
        endpoint_id, secret = await register(client, tenant, receiver.url, ["sla.breached"])
        receiver.secrets.append(secret)
        await raise_event(await new_bundle(client, tenant), "sla.breached")

        async def failed() -> list[dict[str, Any]] | None:
            items = await deliveries(client, tenant, endpoint_id)
            return items if _final("failed")(items) else None

        [log] = await settle(failed)
        assert [a["status_code"] for a in log["attempts"]] == [500, 500, 500]
        assert log["next_attempt_at"] is None
        path = f"/v1/webhooks/endpoints/{endpoint_id}/deliveries/{log['id']}/redeliver"

        receiver.fail_first = 0
        again = await client.post(path, headers=admin)
        assert again.status_code == 202 and again.json()["status"] == "pending"
        twice = await client.post(path, headers=admin)  # already scheduled
        assert twice.status_code == 409

        async def delivered() -> list[dict[str, Any]] | None:
            items = await deliveries(client, tenant, endpoint_id)
            return items if _final("delivered")(items) else None

        [log] = await settle(delivered)
    attempts = log["attempts"]
    assert [(a["number"], a["status_code"], a["manual"]) for a in attempts][-1] == (4, 200, True)
    assert len(receiver.received) == 4


async def test_a_receiver_that_cannot_be_reached_is_logged_without_a_status_code(
    client: httpx.AsyncClient, tenant: Tenant, worker: None, fast: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast, "webhook_max_attempts", 1)
    with running(Receiver(secrets=[])) as receiver:
        url = receiver.url  # the server stops at the end of the block: nothing listens on the port after
    endpoint_id, _ = await register(client, tenant, url, ["sla.breached"])
    await raise_event(await new_bundle(client, tenant), "sla.breached")

    async def failed() -> list[dict[str, Any]] | None:
        items = await deliveries(client, tenant, endpoint_id)
        return items if _final("failed")(items) else None

    [log] = await settle(failed)
    assert log["attempts"][0]["status_code"] is None
    assert log["attempts"][0]["error"] == "ConnectError"


async def test_during_a_rotation_the_old_secret_still_verifies_and_after_the_overlap_only_the_new(
    client: httpx.AsyncClient, tenant: Tenant, worker: None, fast: Settings
) -> None:
    admin = tenant.auth("la_admin")
    with running(Receiver(secrets=[])) as receiver:
        endpoint_id, old = await register(client, tenant, receiver.url, ["sla.at_risk"])
        receiver.secrets.append(old)
        rotated = await client.post(f"/v1/webhooks/endpoints/{endpoint_id}/rotate-secret", headers=admin,
                                    json={"overlap_hours": 24})
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        assert new != old and rotated.json()["previous_secret_expires_at"] is not None
        bundle_id = await new_bundle(client, tenant)

        await raise_event(bundle_id, "sla.at_risk")
        await settle(lambda: _count_delivered(endpoint_id, 1))
        during = receiver.received[-1]
        assert during.verified  # the receiver still holds only the old secret
        assert during.headers["planwright-signature"].count("v1=") == 2
        assert verify(during.headers["planwright-signature"], during.body, [new])
        # Stripe's and the Standard Webhooks library verify it too, with either secret
        assert during.headers["webhook-signature"].count("v1,") == 2
        assert during.libraries == {"stripe": True, "standardwebhooks": True}
        assert by_libraries(during.headers, during.body, [new]) == {"stripe": True, "standardwebhooks": True}

        # the overlap ends: deliveries are signed with the new secret only
        await WebhookEndpoint.filter(id=endpoint_id).update(
            previous_secret_expires_at=clock.now() - timedelta(seconds=1))
        await raise_event(bundle_id, "sla.at_risk")
        await settle(lambda: _received(receiver, 2))
        after = receiver.received[1]
        assert not after.verified and after.error == "InvalidSignature" and after.answered == 400
        assert after.headers["planwright-signature"].count("v1=") == 1
        with pytest.raises(InvalidSignature):
            verify(after.headers["planwright-signature"], after.body, [old])
        assert verify(after.headers["planwright-signature"], after.body, [new])
        assert after.headers["webhook-signature"].count("v1,") == 1
        assert after.libraries == {"stripe": False, "standardwebhooks": False}
        assert by_libraries(after.headers, after.body, [new]) == {"stripe": True, "standardwebhooks": True}

        receiver.secrets[:] = [new]  # the receiver is updated: the retry verifies
        await settle(lambda: _count_delivered(endpoint_id, 2))
        assert receiver.received[-1].verified


async def _count_delivered(endpoint_id: str, n: int) -> bool:
    return await WebhookDelivery.filter(endpoint_id=endpoint_id, status="delivered").count() == n


async def _received(receiver: Receiver, n: int) -> bool:
    return len(receiver.received) >= n


async def test_each_event_is_delivered_once_per_subscribed_endpoint_and_not_to_others(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    bundle_id = await new_bundle(client, tenant)
    wants, _ = await register(client, tenant, NOWHERE, ["sla.breached"])
    other_type, _ = await register(client, tenant, NOWHERE, ["bundle.queued"])
    disabled, _ = await register(client, tenant, NOWHERE, ["sla.breached"])
    await client.patch(f"/v1/webhooks/endpoints/{disabled}", headers=tenant.auth("la_admin"),
                       json={"active": False})
    other_la, _ = await register(client, other_tenant, NOWHERE, ["sla.breached"])
    await raise_event(bundle_id, "sla.breached")
    await raise_event(bundle_id, "document.downloaded")
    await dispatch_all()
    await dispatch_all()  # a second pass finds nothing new
    assert await Event.filter(bundle_id=bundle_id, dispatched_at__isnull=True).count() == 0
    counts = {e: await WebhookDelivery.filter(endpoint_id=e).count() for e in (wants, other_type, disabled, other_la)}
    assert counts == {wants: 1, other_type: 0, disabled: 0, other_la: 0}
    await WebhookEndpoint.filter(id=wants).delete()  # its queued job then finds nothing to send


async def test_a_delivery_whose_message_was_lost_is_sent_again_by_the_redrive(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    endpoint_id, _ = await register(client, tenant, NOWHERE, ["sla.breached"])
    await raise_event(await new_bundle(client, tenant), "sla.breached")
    first_job = (await OutboxMessage.all().order_by("-id").first() or OutboxMessage(id=0)).id
    await dispatch_all()
    [lost, held] = [await WebhookDelivery.get(endpoint_id=endpoint_id)] * 2
    now = clock.now()
    await WebhookDelivery.filter(id=lost.id).update(next_attempt_at=now - timedelta(minutes=5))
    assert await redrive(now) == 1
    jobs = [m for m in await OutboxMessage.filter(actor_name=Job.DELIVER_WEBHOOK, id__gt=first_job)
            if m.payload.get("delivery_id") == str(lost.id)]
    assert len(jobs) == 2  # the first from the dispatcher, the second from the redrive
    assert await redrive(now) == 0  # not again until it is overdue once more
    # a delivery a worker is holding (leased) is left alone
    await WebhookDelivery.filter(id=held.id).update(next_attempt_at=now - timedelta(minutes=5),
                                                    leased_until=now + timedelta(seconds=30))
    assert await redrive(now) == 0
    await WebhookEndpoint.filter(id=endpoint_id).delete()
