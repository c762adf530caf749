"""The audit log's hash chain, as pure functions: each entry's hash is SHA-256 over a canonical serialisation of
its fields and the previous entry's hash, so editing, removing or reordering an entry breaks every link after it.

Canonical serialisation: a JSON object of the fields below plus `prev_hash`, keys sorted, no whitespace, ASCII
only; ids as lowercase hyphenated UUID strings, `at` as UTC ISO 8601 with microseconds ("+00:00"), absent values
as null. The first entry's `prev_hash` is GENESIS. Entries written before the chain began carry no hash.
Anyone holding exported entries can recompute `hash` from an entry's fields and its `prev_hash`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = (
    "at", "actor_id", "organisation_id", "action", "object_type", "object_id", "bundle_id", "request_id", "data",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="microseconds")
    if value is None or isinstance(value, (str, int, float, bool, dict, list)):
        return value
    return str(value)  # UUIDs


def plain_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry as exported: its id, the hashed fields exactly as hashed, prev_hash and hash."""
    return {"id": entry["id"], **{name: _plain(entry.get(name)) for name in HASHED_FIELDS},
            "prev_hash": entry.get("prev_hash"), "hash": entry.get("hash")}


def canonical(entry: Mapping[str, Any], prev_hash: str) -> bytes:
    body = {name: _plain(entry.get(name)) for name in HASHED_FIELDS}
    body["prev_hash"] = prev_hash
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(entry: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(entry, prev_hash)).hexdigest()


@dataclass(frozen=True)
class Verdict:
    checked: int  # entries on the chain whose link was verified
    before_chain: int  # entries written before the chain began (no hash, nothing to verify)
    head_id: int | None
    head_hash: str | None
    broken_id: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_id is None


class Walk:
    """Verifies entries fed one at a time in id order; stops at the first broken link. Each entry mapping has
    `id`, the hashed fields, `prev_hash` and `hash`."""

    def __init__(self, *, continues: bool = False) -> None:
        """`continues`: the entries are a later part of a chain (an export `after` some entry), so the first
        entry's prev_hash is taken as given rather than required to be GENESIS."""
        self.continues = continues
        self.checked = self.before_chain = 0
        self.previous: str | None = None  # the last hash on the chain; None until it begins
        self.head_id: int | None = None
        self.broken_id: int | None = None
        self.reason: str | None = None

    def step(self, entry: Mapping[str, Any]) -> bool:
        """Check one more entry: False (and the reason kept) when its link is broken."""
        entry_id, stored, prev = int(entry["id"]), entry.get("hash"), entry.get("prev_hash")
        if self.previous is None and stored is None:
            self.before_chain += 1
            return True
        if stored is None or prev is None:
            return self._broken(entry_id, "the entry has no hash, but the chain had begun: it was altered")
        if self.previous is None and self.continues:
            self.previous = prev
        if prev != (GENESIS if self.previous is None else self.previous):
            return self._broken(entry_id, "its prev_hash is not the previous entry's hash: an entry before it "
                                          "was removed, inserted or altered")
        if entry_hash(entry, prev) != stored:
            return self._broken(entry_id, "its hash does not match its contents: the entry was altered")
        self.previous, self.head_id = stored, entry_id
        self.checked += 1
        return True

    def _broken(self, entry_id: int, reason: str) -> bool:
        self.broken_id, self.reason = entry_id, reason
        return False

    def verdict(self) -> Verdict:
        return Verdict(self.checked, self.before_chain, self.head_id, self.previous, self.broken_id, self.reason)


def verify(entries: Iterable[Mapping[str, Any]], *, continues: bool = False) -> Verdict:
    walk = Walk(continues=continues)
    for entry in entries:
        if not walk.step(entry):
            break
    return walk.verdict()


def read_export(text: str) -> list[dict[str, Any]]:
    """An LA's export (JSON lines or CSV, as `GET /v1/audit/export` gives it) back into entries; ValueError
    naming the line for anything that is not one."""
    lines = text.splitlines()
    if not lines:
        return []
    if lines[0].lstrip().startswith("{"):
        rows = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict) or "id" not in row:
                raise ValueError(f"line {number}: not an audit entry (no id)")
            rows.append(row)
        return rows
    import csv

    reader = csv.DictReader(lines)
    expected = {"id", *HASHED_FIELDS, "prev_hash", "hash"}
    if set(reader.fieldnames or ()) != expected:
        raise ValueError(f"line 1: the CSV header must name {', '.join(sorted(expected))}")
    read: list[dict[str, Any]] = []
    for number, raw in enumerate(reader, start=2):
        entry: dict[str, Any] = {name: (value if value != "" else None) for name, value in raw.items()}
        try:
            entry["id"] = int(raw["id"])
            entry["data"] = json.loads(raw["data"]) if raw["data"] else None
        except ValueError:
            raise ValueError(f"line {number}: the id or the data column cannot be read") from None
        read.append(entry)
    return read
