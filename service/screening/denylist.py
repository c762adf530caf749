"""The LA's salted-hash deny-list: normalise, hash, and find listed identifiers in text."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from service.screening.detectors import TextFinding

SALT_BYTES = 16
MAX_RUN_WORDS = 4
_WHITE_SPACE = re.compile(r"\s+")
_HEX = re.compile(r"^(?:[0-9a-fA-F]{2})+$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
# Typographic apostrophes and hyphens are the same marks as their ASCII forms, so they are kept too
# (as ASCII): "O\u2019Brien" in a Word file matches "O'Brien" typed into the LA's list.
_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-"}


class DenyListError(Exception):
    """A deny-list or salt that cannot be used, with a message naming the file or field."""


# ASCII punctuation and symbols other than the apostrophe and the hyphen: the common case, done by regex.
_ASCII_PUNCTUATION = re.compile(r"[!-&(-,./:-@\[-`{-~]")


def _strip_punctuation(text: str) -> str:
    if text.isascii():
        return _ASCII_PUNCTUATION.sub("", text)
    kept = []
    for char in text:
        char = _APOSTROPHES.get(char, char)
        if char in "'-" or not unicodedata.category(char).startswith(("P", "S")):
            kept.append(char)
    return "".join(kept)


def normalise(text: str) -> str:
    """Lower-case, drop punctuation other than apostrophes and hyphens, fold white space, trim."""
    return _WHITE_SPACE.sub(" ", _strip_punctuation(text.lower())).strip()


def check_salt(salt_hex: str) -> str:
    """The salt in lower-case hex; DenyListError unless it is whole bytes of hexadecimal."""
    if not _HEX.match(salt_hex):
        raise DenyListError(f"salt {salt_hex!r} is not hexadecimal (two hex digits per byte)")
    return salt_hex.lower()


def hash_identifier(salt_hex: str, normalised: str) -> str:
    return hashlib.sha256((salt_hex + normalised).encode("utf-8")).hexdigest()


def make_denylist(identifiers: Iterable[str], salt_hex: str | None = None) -> dict[str, object]:
    """The deny-list JSON object; a random 16-byte salt when none is given."""
    salt = check_salt(salt_hex) if salt_hex is not None else secrets.token_hex(SALT_BYTES)
    hashes = {hash_identifier(salt, value) for value in map(normalise, identifiers) if value}
    return {"salt": salt, "hashes": sorted(hashes)}


class DenyList:
    """Salted SHA-256 hashes of normalised identifiers; finds one- to four-word runs that match."""

    def __init__(self, salt_hex: str, hashes: Iterable[str]) -> None:
        self.salt_hex = check_salt(salt_hex)
        self.hashes = frozenset(h.lower() for h in hashes)
        self._salted = hashlib.sha256(self.salt_hex.encode("utf-8"))

    def _listed(self, normalised: str) -> bool:
        digest = self._salted.copy()
        digest.update(normalised.encode("utf-8"))
        return digest.hexdigest() in self.hashes

    def __len__(self) -> int:
        return len(self.hashes)

    def find(self, text: str) -> list[TextFinding]:
        words = [(m.start(), m.end(), normalise(m.group(0))) for m in re.finditer(r"\S+", text)]
        findings = []
        for first, (start, _, first_norm) in enumerate(words):
            if not first_norm:
                continue  # a run starting at bare punctuation repeats the run starting after it
            parts: list[str] = []
            for last in range(first, min(first + MAX_RUN_WORDS, len(words))):
                _, end, norm = words[last]
                if not norm:
                    continue
                parts.append(norm)
                run = " ".join(parts)
                # "Jane Smith's mother" names Jane Smith: a possessive is also tried without its "'s".
                candidates = (run, run[:-2]) if run.endswith("'s") else (run,)
                if any(self._listed(candidate) for candidate in candidates):
                    findings.append(TextFinding("denylisted", start, end, 0.99))
        return findings


def load_denylist(path: str | os.PathLike[str]) -> DenyList:
    """Read `{"salt": hex, "hashes": [hex, ...]}`; DenyListError names the file and what is wrong."""
    name = os.fspath(path)
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DenyListError(f"deny-list {name}: cannot be read ({exc.__class__.__name__})") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DenyListError(f"deny-list {name}: not JSON (line {exc.lineno}, column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise DenyListError(f"deny-list {name}: expected an object with 'salt' and 'hashes'")
    salt, hashes = data.get("salt"), data.get("hashes")
    if not isinstance(salt, str):
        raise DenyListError(f"deny-list {name}: 'salt' must be a hex string")
    if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
        raise DenyListError(f"deny-list {name}: 'hashes' must be a list of hex strings")
    bad = next((h for h in hashes if not _SHA256_HEX.match(h.lower())), None)
    if bad is not None:
        raise DenyListError(f"deny-list {name}: 'hashes' holds a value that is not a SHA-256 hex digest")
    try:
        return DenyList(salt, hashes)
    except DenyListError as exc:
        raise DenyListError(f"deny-list {name}: {exc}") from exc
