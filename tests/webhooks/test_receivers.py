"""Receivers verify deliveries with the libraries they already use: Stripe's, on `Planwright-Signature`, and the
Standard Webhooks library, on `webhook-id` / `webhook-timestamp` / `webhook-signature`, with the secret as shown."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import UTC, datetime

import httpx
import pytest
import standardwebhooks
import stripe
import time_machine

from service.models import WebhookDelivery, WebhookEndpoint
from service.webhooks.secrets import master_key, new_secret, secret_text, signing_key, unwrap
from service.webhooks.signing import sign, sign_standard
from tests.factories import Tenant
from tests.webhooks.helpers import new_bundle, raise_event, register, settle
from tests.webhooks.receiver import Receiver, by_libraries, running

T = 1_800_000_000
BODY = b'{"id":"evt_7","type":"bundle.delivered","data":{"bundle":{"reference":"DCC-7"}}}'


def test_the_standard_signature_is_the_one_the_standard_webhooks_library_computes() -> None:
    key = os.urandom(32)
    at = datetime.fromtimestamp(T, UTC)
    assert sign_standard(key, "evt_7", T, BODY) == standardwebhooks.Webhook(secret_text(key)).sign("evt_7", at, BODY)
    two = sign_standard([key, b"k" * 32], "evt_7", T, BODY)
    assert two.split(" ")[0] == sign_standard(key, "evt_7", T, BODY) and two.count("v1,") == 2
    with time_machine.travel(at, tick=False):
        headers = {"webhook-id": "evt_7", "webhook-timestamp": str(T), "webhook-signature": two}
        assert standardwebhooks.Webhook(secret_text(key)).verify(BODY, headers)["id"] == "evt_7"
        with pytest.raises(standardwebhooks.WebhookVerificationError):
            standardwebhooks.Webhook(secret_text(key)).verify(BODY + b" ", headers)
        with pytest.raises(standardwebhooks.WebhookVerificationError):  # the id is signed too
            standardwebhooks.Webhook(secret_text(key)).verify(BODY, {**headers, "webhook-id": "evt_8"})


def test_the_stripe_style_header_is_the_one_stripes_library_checks() -> None:
    secret = secret_text(os.urandom(32))
    with time_machine.travel(datetime.fromtimestamp(T + 5, UTC), tick=False):
        assert stripe.WebhookSignature.verify_header(BODY, sign(secret, T, BODY), secret, tolerance=300)
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.WebhookSignature.verify_header(BODY, sign(secret, T, BODY + b"!"), secret, tolerance=300)
    with time_machine.travel(datetime.fromtimestamp(T + 301, UTC), tick=False), \
            pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(BODY, sign(secret, T, BODY), secret, tolerance=300)


async def test_a_new_secret_is_in_the_standard_form_and_stored_as_shown(app: object) -> None:
    text, wrapped, prefix = new_secret()
    assert text.startswith("whsec_") and text.startswith(prefix)
    key = base64.b64decode(text.removeprefix("whsec_"), validate=True)  # standard base64, padded
    assert len(key) == 32 and signing_key(text) == key
    assert unwrap(wrapped) == text


async def test_a_secret_made_before_the_standard_form_keeps_its_text_and_signs_both_ways(
    client: httpx.AsyncClient, tenant: Tenant, worker: None
) -> None:
    """An endpoint whose secret was stored as the 32 bytes alone: its owner holds the URL-safe text, so the
    Stripe-style signature is keyed by that text as before; the Standard Webhooks one by the same bytes."""
    key = os.urandom(32)
    legacy_text = "whsec_" + base64.urlsafe_b64encode(key).decode().rstrip("=")
    with running(Receiver(secrets=[legacy_text])) as receiver:
        endpoint_id, _ = await register(client, tenant, receiver.url, ["sla.at_risk"])
        await WebhookEndpoint.filter(id=endpoint_id).update(secret_wrapped=master_key().wrap(key))
        await raise_event(await new_bundle(client, tenant, "HOOK-LEGACY"), "sla.at_risk")
        await settle(lambda: WebhookDelivery.filter(endpoint_id=endpoint_id, status="delivered").exists())
    [got] = receiver.received
    assert got.verified and got.libraries["stripe"]
    t = got.headers["webhook-timestamp"]
    expected = hmac.new(key, f"{got.headers['webhook-id']}.{t}.".encode() + got.body, hashlib.sha256).digest()
    assert got.headers["webhook-signature"] == "v1," + base64.b64encode(expected).decode()
    assert by_libraries(got.headers, got.body, [secret_text(key)])["standardwebhooks"]


async def test_every_delivery_verifies_with_stripes_library_and_the_standard_webhooks_library(
    client: httpx.AsyncClient, tenant: Tenant, worker: None
) -> None:
    with running(Receiver(secrets=[])) as receiver:
        endpoint_id, secret = await register(client, tenant, receiver.url, ["sla.at_risk", "sla.breached"])
        receiver.secrets.append(secret)
        bundle_id = await new_bundle(client, tenant, "HOOK-LIBS")
        await raise_event(bundle_id, "sla.at_risk")
        await raise_event(bundle_id, "sla.breached")
        await settle(lambda: _delivered(endpoint_id, 2))
    assert len(receiver.received) == 2
    for got in receiver.received:
        assert got.libraries == {"stripe": True, "standardwebhooks": True}, got.headers
        assert got.headers["webhook-id"] == got.headers["planwright-event-id"]
        assert got.headers["planwright-signature"].startswith(f"t={got.headers['webhook-timestamp']},")
        # a body changed on the way fails both, and so does another endpoint's secret
        assert by_libraries(got.headers, got.body + b" ", [secret]) == {"stripe": False, "standardwebhooks": False}
        other = secret_text(os.urandom(32))
        assert by_libraries(got.headers, got.body, [other]) == {"stripe": False, "standardwebhooks": False}


async def _delivered(endpoint_id: str, n: int) -> bool:
    return await WebhookDelivery.filter(endpoint_id=endpoint_id, status="delivered").count() == n
