"""Object keys and the adapter factory."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.storage import (
    InvalidObjectKey,
    LocalStorage,
    MasterKey,
    S3Storage,
    build_storage,
    new_object_key,
    validate_object_key,
)


def test_new_object_keys_are_random_and_dated_under_their_prefix() -> None:
    moment = datetime(2026, 11, 3, tzinfo=UTC)
    keys = {new_object_key("documents", now=moment) for _ in range(1000)}
    assert len(keys) == 1000
    for key in keys:
        assert re.fullmatch(r"documents/2026/11/[0-9a-f]{32}", key)
        assert validate_object_key(key) == key


def test_a_file_name_is_not_a_valid_prefix() -> None:
    with pytest.raises(InvalidObjectKey):
        new_object_key("../EHCP draft v2.docx")


def test_build_storage_makes_the_configured_adapter(tmp_path: Path) -> None:
    key = MasterKey.generate()
    local = build_storage(
        "local",
        local_root=tmp_path,
        s3_bucket=None,
        s3_endpoint=None,
        s3_region=None,
        s3_access_key=None,
        s3_secret_key=None,
        master_key=key,
    )
    assert isinstance(local, LocalStorage)
    assert local.root == tmp_path
    s3 = build_storage(
        "s3",
        local_root=None,
        s3_bucket="planwright-docs",
        s3_endpoint="http://127.0.0.1:9",
        s3_region="eu-west-2",
        s3_access_key="a",
        s3_secret_key="b",
        master_key=key,
    )
    assert isinstance(s3, S3Storage)
    assert s3.bucket == "planwright-docs"


@pytest.mark.parametrize(
    ("kind", "root", "bucket"), [("local", None, None), ("s3", None, None), ("ftp", "/tmp/x", "b")]
)
def test_build_storage_names_what_is_missing_or_wrong(
    kind: str, root: str | None, bucket: str | None
) -> None:
    with pytest.raises(ValueError, match=kind if kind == "ftp" else "needs"):
        build_storage(
            kind,
            local_root=root,
            s3_bucket=bucket,
            s3_endpoint=None,
            s3_region=None,
            s3_access_key=None,
            s3_secret_key=None,
            master_key=MasterKey.generate(),
        )
