"""The signature scheme: a genuine body verifies; a changed body, a wrong secret, an old or replayed one does not."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.webhooks.signing import (
    InvalidSignature,
    MalformedSignature,
    ReplayGuard,
    SignatureExpired,
    SignatureReplayed,
    parse,
    sign,
    verify,
)

SECRET = "whsec_current"
OLD = "whsec_previous"
BODY = b'{"id":"evt_1","type":"bundle.delivered"}'
T = 1_800_000_000


def test_the_header_is_hmac_sha256_of_timestamp_dot_body_in_hex() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, T, BODY) == f"t={T},v1={expected}"


def test_a_genuine_delivery_verifies_and_returns_its_timestamp() -> None:
    assert verify(sign(SECRET, T, BODY), BODY, [SECRET], now=T + 10) == T


def test_a_changed_body_or_a_wrong_secret_is_refused() -> None:
    header = sign(SECRET, T, BODY)
    with pytest.raises(InvalidSignature):
        verify(header, BODY + b" ", SECRET, now=T)
    with pytest.raises(InvalidSignature):
        verify(header, BODY, "whsec_other", now=T)


def test_a_changed_timestamp_breaks_the_signature() -> None:
    header = sign(SECRET, T, BODY).replace(f"t={T}", f"t={T + 1}")
    with pytest.raises(InvalidSignature):
        verify(header, BODY, SECRET, now=T)


def test_an_old_message_replayed_later_is_refused_even_with_a_genuine_signature() -> None:
    header = sign(SECRET, T, BODY)
    with pytest.raises(SignatureExpired):
        verify(header, BODY, SECRET, now=T + 301)
    with pytest.raises(SignatureExpired):  # a future-dated one too
        verify(header, BODY, SECRET, now=T - 301)
    assert verify(header, BODY, SECRET, now=T + 300, tolerance_seconds=300) == T


def test_the_same_message_twice_within_the_tolerance_is_refused_by_a_replay_guard() -> None:
    guard = ReplayGuard()
    header = sign(SECRET, T, BODY)
    verify(header, BODY, SECRET, now=T, replay_guard=guard)
    with pytest.raises(SignatureReplayed):
        verify(header, BODY, SECRET, now=T + 5, replay_guard=guard)
    # a fresh signature of the same body (a retry) is a new message
    verify(sign(SECRET, T + 60, BODY), BODY, SECRET, now=T + 61, replay_guard=guard)


def test_during_rotation_a_receiver_with_either_secret_verifies() -> None:
    header = sign([SECRET, OLD], T, BODY)
    assert header.count("v1=") == 2
    assert verify(header, BODY, [OLD], now=T) == T
    assert verify(header, BODY, [SECRET], now=T) == T
    with pytest.raises(InvalidSignature):
        verify(sign(SECRET, T, BODY), BODY, [OLD], now=T)


@pytest.mark.parametrize("header", ["", "v1=abc", f"t={T}", "t=soon,v1=abc", "garbage"])
def test_a_header_without_timestamp_or_signature_is_malformed(header: str) -> None:
    with pytest.raises(MalformedSignature):
        verify(header, BODY, SECRET, now=T)


def test_unknown_schemes_are_ignored_so_a_v2_can_be_added_later() -> None:
    header = sign(SECRET, T, BODY) + ",v2=deadbeef"
    assert parse(header)[1] == [header.split(",")[1].removeprefix("v1=")]
    assert verify(header, BODY, SECRET, now=T) == T


@settings(max_examples=60, deadline=None)
@given(secret=st.text(min_size=1, max_size=40), body=st.binary(max_size=300), flip=st.integers(min_value=0))
def test_any_body_verifies_and_any_changed_byte_does_not(secret: str, body: bytes, flip: int) -> None:
    header = sign(secret, T, body)
    assert verify(header, body, secret, now=T) == T
    if body:
        i = flip % len(body)
        changed = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1:]
        with pytest.raises(InvalidSignature):
            verify(header, changed, secret, now=T)
