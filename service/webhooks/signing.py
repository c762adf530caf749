"""Webhook signatures: HMAC-SHA256 over "<unix timestamp>.<body>", sent as `t=<ts>,v1=<hex>[,v1=<hex>...]`;
and beside it the Standard Webhooks signature (`sign_standard`), which receivers check with its libraries.

Pure and standalone (standard library only) so a receiver can copy this file. During a secret rotation the
sender includes one `v1` per live secret, so a receiver holding either secret verifies. A receiver refuses a
signature whose timestamp is outside the tolerance (an old message replayed), and may pass a `ReplayGuard` to
refuse the same signed message twice within it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from service import clock

SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The signature header does not prove the body came from the sender just now."""


class MalformedSignature(SignatureError):
    """The header cannot be read: no timestamp, or no v1 signature."""


class InvalidSignature(SignatureError):
    """No v1 signature matches the body under any of the receiver's secrets."""


class SignatureExpired(SignatureError):
    """The timestamp is outside the tolerance: an old (replayed) or future-dated message."""


class SignatureReplayed(SignatureError):
    """This exact signed message was already accepted."""


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str | Iterable[str], timestamp: int, body: bytes) -> str:
    """The header value for `body` sent at `timestamp` (unix seconds), one v1 per secret, newest first."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    return ",".join([f"t={timestamp}", *(f"{SCHEME}={_digest(s, timestamp, body)}" for s in secrets)])


def sign_standard(keys: bytes | Iterable[bytes], message_id: str, timestamp: int, body: bytes) -> str:
    """The Standard Webhooks `webhook-signature` value: `v1,<base64 HMAC-SHA256(key, "<id>.<ts>.<body>")>` per
    key (the bytes a `whsec_` secret decodes to), space-separated, newest first."""
    secrets = [keys] if isinstance(keys, bytes) else list(keys)
    if not secrets:
        raise ValueError("at least one key is needed to sign")
    signed = f"{message_id}.{timestamp}.".encode() + body
    return " ".join(f"{SCHEME},{base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()}"
                    for key in secrets)


def parse(header: str) -> tuple[int, list[str]]:
    """The timestamp and the v1 signatures of a header; unknown schemes are ignored (forward compatible)."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise MalformedSignature("the timestamp is not an integer") from None
        elif key == SCHEME:
            signatures.append(value)
    if timestamp is None:
        raise MalformedSignature("no timestamp (t=) in the signature header")
    if not signatures:
        raise MalformedSignature("no v1 signature in the signature header")
    return timestamp, signatures


@dataclass
class ReplayGuard:
    """Remembers accepted (timestamp, signature) pairs for the tolerance window: a second copy is refused.

    One process's memory only; a receiver with several processes keeps the event ids it handled instead.
    """

    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
    _seen: dict[tuple[int, str], None] = field(default_factory=dict)

    def check_and_remember(self, timestamp: int, signature: str, now: float) -> None:
        for key in [k for k in self._seen if k[0] < now - self.tolerance_seconds]:
            del self._seen[key]
        if (timestamp, signature) in self._seen:
            raise SignatureReplayed("this signed message was already accepted")
        self._seen[(timestamp, signature)] = None


def verify(
    header: str,
    body: bytes,
    secrets: str | Iterable[str],
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
    replay_guard: ReplayGuard | None = None,
) -> int:
    """Check `header` against `body` under any of `secrets`; return the signed timestamp or raise SignatureError.

    The timestamp is checked first so that a replayed old message is refused even when its signature is genuine.
    """
    timestamp, signatures = parse(header)
    now = clock.now().timestamp() if now is None else now
    if abs(now - timestamp) > tolerance_seconds:
        raise SignatureExpired(f"the timestamp is {int(now - timestamp)} s away from now (tolerance "
                               f"{tolerance_seconds} s)")
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    for secret in keys:
        expected = _digest(secret, timestamp, body)
        for candidate in signatures:
            if hmac.compare_digest(expected, candidate):
                if replay_guard is not None:
                    replay_guard.check_and_remember(timestamp, candidate, now)
                return timestamp
    raise InvalidSignature("no signature matches the body under the given secret(s)")
