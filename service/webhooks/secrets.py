"""Endpoint signing secrets: 32 random bytes shown once as `whsec_<base64>`, stored wrapped by the master key.

The text is the Standard Webhooks form (`whsec_` + the key's standard base64, padded): a Standard Webhooks
library takes it as it is and signs with the 32 bytes it decodes to; the Stripe-style `Planwright-Signature`
keys its HMAC with the whole text, as ever. Secrets made before the Standard Webhooks headers were shown as the
URL-safe unpadded base64 of the same bytes; their owners hold that text, so it keeps keying their Stripe-style
signatures (they rotate the secret to get one a Standard Webhooks library reads). Which text a stored secret
was shown as is bound to its wrapping: the standard form is wrapped for its own purpose.
"""

from __future__ import annotations

import base64
import secrets
from functools import lru_cache
from pathlib import Path

from service.runtime import current
from service.storage.crypto import MasterKey
from service.storage.port import IntegrityError

PREFIX = "whsec_"
KEY_BYTES = 32
# the wrapping purpose of a secret shown in the standard form (older ones were wrapped with none)
STANDARD_FORM = b"|webhook-secret:standard-base64"


@lru_cache(maxsize=4)
def _master_key(encoded: str | None, key_file: Path) -> MasterKey:
    return MasterKey.from_base64(encoded) if encoded is not None else MasterKey.load_or_create(key_file)


def master_key() -> MasterKey:
    settings = current().settings
    encoded = settings.master_key.get_secret_value() if settings.master_key is not None else None
    return _master_key(encoded, settings.master_key_file)


def secret_text(key: bytes) -> str:
    """The Standard Webhooks text of a key: `whsec_` + its standard base64."""
    return PREFIX + base64.b64encode(key).decode()


def signing_key(text: str) -> bytes:
    """The key bytes a secret's text stands for (the Standard Webhooks HMAC key); reads both base64 alphabets."""
    encoded = text.removeprefix(PREFIX).translate(str.maketrans("-_", "+/"))
    return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)


def new_secret() -> tuple[str, bytes, str]:
    """A fresh secret: its text (give it to the admin once), its wrapped form (store it), its display prefix."""
    key = secrets.token_bytes(KEY_BYTES)
    text = secret_text(key)
    return text, master_key().wrap(key, purpose=STANDARD_FORM), text[: len(PREFIX) + 4]


def unwrap(wrapped: bytes) -> str:
    """The secret's text, as its owner was shown it, from its stored form."""
    blob = bytes(wrapped)
    try:
        return secret_text(master_key().unwrap(blob, purpose=STANDARD_FORM))
    except IntegrityError:  # made before the standard form (or not this key's: then this raises as well)
        return PREFIX + base64.urlsafe_b64encode(master_key().unwrap(blob)).decode().rstrip("=")
