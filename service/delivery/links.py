"""Short-lived download links: an HMAC-signed token naming the link, the draft, the access version and the expiry.

The signature makes the link unforgeable; the link's row (service/delivery/service.py) makes it single use and ties
it to its maker's access. Revoking access bumps the bundle's access version, so every link signed before it stops
working at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from service import clock

LINK_SECONDS = 300


class BadLink(Exception):
    """The link is malformed, tampered with, or expired."""


@dataclass(frozen=True)
class LinkClaims:
    link_id: UUID
    draft_id: UUID
    user_id: UUID
    access_version: int
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_link(key: bytes, claims: LinkClaims) -> str:
    payload = json.dumps({"l": str(claims.link_id), "d": str(claims.draft_id), "u": str(claims.user_id),
                          "v": claims.access_version, "e": claims.expires},
                         separators=(",", ":"), sort_keys=True).encode()
    signature = hmac.new(key, payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


def verify_link(key: bytes, token: str, *, now: datetime | None = None) -> LinkClaims:
    try:
        payload_text, signature_text = token.split(".")
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except (ValueError, TypeError):
        raise BadLink("malformed") from None
    if not hmac.compare_digest(signature, hmac.new(key, payload, hashlib.sha256).digest()):
        raise BadLink("bad signature")
    try:
        raw = json.loads(payload)
        claims = LinkClaims(link_id=UUID(raw["l"]), draft_id=UUID(raw["d"]), user_id=UUID(raw["u"]),
                            access_version=int(raw["v"]), expires=int(raw["e"]))
    except (ValueError, KeyError, TypeError):
        raise BadLink("malformed") from None
    if claims.expires <= int((now or clock.now()).timestamp()):
        raise BadLink("expired")
    return claims
