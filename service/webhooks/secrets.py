"""Endpoint signing secrets: 32 random bytes shown once as `whsec_...`, stored wrapped by the master key."""

from __future__ import annotations

import base64
import secrets
from functools import lru_cache
from pathlib import Path

from service.runtime import current
from service.storage.crypto import MasterKey

PREFIX = "whsec_"


@lru_cache(maxsize=4)
def _master_key(encoded: str | None, key_file: Path) -> MasterKey:
    return MasterKey.from_base64(encoded) if encoded is not None else MasterKey.load_or_create(key_file)


def master_key() -> MasterKey:
    settings = current().settings
    encoded = settings.master_key.get_secret_value() if settings.master_key is not None else None
    return _master_key(encoded, settings.master_key_file)


def _text(raw: bytes) -> str:
    return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def new_secret() -> tuple[str, bytes, str]:
    """A fresh secret: its text (give it to the admin once), its wrapped form (store it), its display prefix."""
    raw = secrets.token_bytes(32)
    text = _text(raw)
    return text, master_key().wrap(raw), text[: len(PREFIX) + 4]


def unwrap(wrapped: bytes) -> str:
    """The secret's text from its stored form."""
    return _text(master_key().unwrap(bytes(wrapped)))
