"""Document and draft storage: encrypted, integrity-checked objects in a local directory or S3.

`build_storage` picks the adapter from plain settings values; everything else talks to the
`Storage` port.
"""

from __future__ import annotations

from pathlib import Path

from service.storage.crypto import MasterKey, MasterKeyError
from service.storage.local import LocalStorage
from service.storage.port import (
    IntegrityError,
    InvalidObjectKey,
    ObjectNotFound,
    ObjectTooLarge,
    Storage,
    StorageError,
    StorageUnavailable,
    StoredObject,
    new_object_key,
    validate_object_key,
)
from service.storage.s3 import S3Storage

__all__ = [
    "IntegrityError",
    "InvalidObjectKey",
    "LocalStorage",
    "MasterKey",
    "MasterKeyError",
    "ObjectNotFound",
    "ObjectTooLarge",
    "S3Storage",
    "Storage",
    "StorageError",
    "StorageUnavailable",
    "StoredObject",
    "build_storage",
    "new_object_key",
    "validate_object_key",
]


def build_storage(
    kind: str,
    *,
    local_root: Path | str | None,
    s3_bucket: str | None,
    s3_endpoint: str | None,
    s3_region: str | None,
    s3_access_key: str | None,
    s3_secret_key: str | None,
    master_key: MasterKey,
    s3_sse_kms_key_id: str | None = None,
) -> Storage:
    """The configured adapter: "local" (a directory) or "s3" (a bucket).

    ValueError names a missing setting.
    """
    if kind == "local":
        if not local_root:
            raise ValueError("storage kind 'local' needs a local root directory")
        return LocalStorage(Path(local_root), master_key)
    if kind == "s3":
        if not s3_bucket:
            raise ValueError("storage kind 's3' needs a bucket name")
        return S3Storage(
            s3_bucket,
            master_key,
            endpoint_url=s3_endpoint or None,
            region=s3_region or None,
            access_key=s3_access_key or None,
            secret_key=s3_secret_key or None,
            sse_kms_key_id=s3_sse_kms_key_id or None,
        )
    raise ValueError(f"unknown storage kind {kind!r} (expected 'local' or 's3')")
