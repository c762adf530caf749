"""The audit log is hash-chained: tampering with a row is found (and named) by `planwright audit verify`, concurrent
appends never fork the chain, and an LA exports its own entries with the hashes to check them."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import pytest_asyncio
from tortoise import connections

from service.audit.chain import GENESIS, entry_hash, verify
from service.audit.service import audit, verify_log
from service.models import AuditEntry
from tests.factories import Tenant
from tests.service.test_tenancy import new_bundle


def _entry(n: int, prev: str) -> dict[str, Any]:
    fields = {"id": n, "at": datetime(2027, 1, 4, 9, n, tzinfo=UTC), "actor_id": uuid4(), "organisation_id": None,
              "action": "document.download", "object_type": "document", "object_id": str(n), "bundle_id": uuid4(),
              "request_id": f"r{n}", "data": {"n": n}}
    return {**fields, "prev_hash": prev, "hash": entry_hash(fields, prev)}


def _chain(length: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for n in range(1, length + 1):
        entries.append(_entry(n, entries[-1]["hash"] if entries else GENESIS))
    return entries


def test_an_intact_chain_verifies_and_names_its_head() -> None:
    chain = _chain(5)
    legacy = [{"id": 0, "hash": None, "prev_hash": None}]
    verdict = verify(legacy + chain)
    assert verdict.intact and verdict.checked == 5 and verdict.before_chain == 1
    assert (verdict.head_id, verdict.head_hash) == (5, chain[-1]["hash"])


@pytest.mark.parametrize(("tamper", "broken_at"), [
    (lambda c: c[2].update(action="nothing.to.see"), 3),  # an edited entry
    (lambda c: c.pop(2), 4),  # a removed entry: the next one's link no longer fits
    (lambda c: c.__setitem__(slice(2, 4), [{**c[3], "id": 3}, {**c[2], "id": 4}]), 3),  # two entries swapped
    (lambda c: c[2].update(hash=None, prev_hash=None), 3),  # the hash stripped
    (lambda c: c[2].update(data={"n": 3, "extra": True}), 3),
])
def test_tampering_breaks_the_chain_at_the_first_altered_entry(tamper: Any, broken_at: int) -> None:
    chain = _chain(6)
    tamper(chain)
    verdict = verify(chain)
    assert not verdict.intact and verdict.broken_id == broken_at, verdict


def test_an_edited_entry_with_a_recomputed_hash_still_breaks_the_next_link() -> None:
    chain = _chain(4)
    chain[1]["action"] = "rewritten"
    chain[1]["hash"] = entry_hash(chain[1], chain[1]["prev_hash"])
    assert verify(chain).broken_id == 3


@pytest_asyncio.fixture
async def audited(tenant: Tenant) -> AsyncIterator[list[int]]:
    """A few real entries, appended through the service."""
    for n in range(3):
        await audit(None, "test.touched", object_type="bundle", object_id=str(uuid4()), data={"n": n})
    ids = [e.id for e in await AuditEntry.filter(action="test.touched").order_by("-id").limit(3)]
    yield sorted(ids)


def _cli_verify() -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", "audit", "verify"], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)


async def _set_action(entry_id: int, action: str) -> None:
    """Edit a row behind the service's back, in plain SQL."""
    conn = connections.get("default")
    placeholder = "$1" if conn.capabilities.dialect == "postgres" else "?"
    sql = f"UPDATE audit_entry SET action = {placeholder} WHERE id = {int(entry_id)}"
    await conn.execute_query(sql, [action])


async def test_a_row_edited_in_the_database_is_found_by_verify_and_the_cli(audited: list[int]) -> None:
    verdict = await verify_log()
    assert verdict.intact, verdict
    assert verdict.head_id is not None and verdict.head_id >= audited[-1]
    ok = await asyncio.to_thread(_cli_verify)
    assert ok.returncode == 0, ok.stderr
    assert "audit chain intact" in ok.stdout
    victim = audited[1]
    original = (await AuditEntry.get(id=victim)).action
    await _set_action(victim, "test.innocent")
    try:
        verdict = await verify_log()
        assert not verdict.intact and verdict.broken_id == victim
        broken = await asyncio.to_thread(_cli_verify)
        assert broken.returncode == 2
        assert f"broken at entry {victim}:" in broken.stderr and "altered" in broken.stderr
    finally:
        await _set_action(victim, original)  # the log is shared by the whole run
    assert (await verify_log()).intact


async def test_concurrent_appends_never_fork_the_chain(tenant: Tenant) -> None:
    """On PostgreSQL these are real concurrent transactions on separate connections; the advisory lock orders
    them. (On SQLite the single connection serialises them.)"""
    marker = uuid4().hex
    await asyncio.gather(*[
        audit(None, "test.concurrent", object_type="bundle", object_id=marker, data={"n": n}) for n in range(40)
    ])
    rows = await AuditEntry.filter(object_id=marker).order_by("id").values("prev_hash", "hash")
    assert len(rows) == 40
    every = await AuditEntry.filter(hash__isnull=False).values_list("prev_hash", flat=True)
    assert len(every) == len(set(every)), "two entries claim the same predecessor: the chain forked"
    assert (await verify_log()).intact


async def test_an_la_exports_its_own_entries_and_can_recompute_their_hashes(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine, document = await new_bundle(client, tenant)
    theirs, _ = await new_bundle(client, other_tenant)
    await audit(None, "test.mine", object_type="bundle", object_id=mine, bundle_id=UUID(mine))
    await audit(None, "test.theirs", object_type="bundle", object_id=theirs, bundle_id=UUID(theirs))
    read = await client.get(f"/v1/bundles/{mine}/documents/{document}/content", headers=tenant.auth("la_officer"))
    assert read.status_code == 200

    exported = await client.get("/v1/audit/export", headers=tenant.auth("la_admin"))
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    head_id, head_hash = exported.headers["x-audit-chain-head"].split()
    assert int(head_id) > 0 and len(head_hash) == 64
    lines = [json.loads(line) for line in exported.text.splitlines()]
    assert {e["action"] for e in lines} >= {"test.mine", "document.download"}
    assert theirs not in exported.text and "test.theirs" not in exported.text
    for entry in lines:  # what the LA can check on its own: each entry's hash from its fields and prev_hash
        body = {k: v for k, v in entry.items() if k not in {"id", "hash"}}
        recomputed = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        assert recomputed == entry["hash"], entry

    as_csv = await client.get("/v1/audit/export", params={"format": "csv", "after": lines[0]["id"]},
                              headers=tenant.auth("la_admin"))
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [int(r["id"]) for r in rows][:len(lines) - 1] == [e["id"] for e in lines[1:]]
    assert all(len(r["hash"]) == 64 for r in rows)
    # the export itself is on the record
    assert await AuditEntry.filter(action="audit.exported", organisation_id=tenant.la.id).count() == 2


def test_a_later_part_of_a_chain_verifies_only_when_said_to_continue() -> None:
    """An LA's export taken with ?after=ID starts mid-chain: its first link is taken as given (`--continues`)."""
    chain = _chain(6)
    assert not verify(chain[2:]).intact  # its first prev_hash is not GENESIS
    continued = verify(chain[2:], continues=True)
    assert continued.intact and continued.checked == 4 and continued.head_hash == chain[-1]["hash"]
    tampered = [dict(e) for e in chain[2:]]
    tampered[1]["action"] = "rewritten"
    assert verify(tampered, continues=True).broken_id == tampered[1]["id"]
