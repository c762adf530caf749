"""Local adapter specifics: files stay inside the root, are private, and appear whole or not at all."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from service.storage import LocalStorage, MasterKey, StorageError


async def test_a_symlink_out_of_the_root_is_not_followed(tmp_path: Path, master_key: MasterKey) -> None:
    root, outside = tmp_path / "objects", tmp_path / "elsewhere"
    root.mkdir()
    outside.mkdir()
    (root / "documents").symlink_to(outside, target_is_directory=True)
    (outside / "secret").write_bytes(b"not yours")
    storage = LocalStorage(root, master_key)

    with pytest.raises(StorageError):
        await storage.put_bytes("documents/2026/11/abc", b"draft")
    with pytest.raises(StorageError):
        await storage.read_bytes("documents/secret")
    assert [p.name for p in outside.rglob("*")] == ["secret"]


async def test_object_files_are_readable_by_the_service_only(tmp_path: Path, master_key: MasterKey) -> None:
    storage = LocalStorage(tmp_path, master_key)
    await storage.put_bytes("documents/2026/11/abc", b"case bundle")
    mode = stat.S_IMODE((tmp_path / "documents/2026/11/abc").stat().st_mode)
    assert mode & (stat.S_IRWXG | stat.S_IRWXO) == 0
