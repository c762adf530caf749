"""Object ids on the wire: only the canonical form of a UUID (lower-case hex, hyphenated, 36 characters).

Python's UUID() also takes upper case, no hyphens, braces, `urn:uuid:` and even fullwidth digits; answering to all of
them would give one object many URLs, so logs, caches and firewall rules would not see one key per object.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from pydantic import BeforeValidator, WithJsonSchema

CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CANONICAL_UUID_PATTERN = f"^{CANONICAL_UUID.pattern}$"
NOT_CANONICAL = "not an id: ids are UUIDs in their canonical form (36 characters, lower-case hex and hyphens)"


def parse_canonical_uuid(value: str) -> UUID:
    """The UUID `value` spells in canonical form; ValueError for anything else."""
    if not isinstance(value, str) or CANONICAL_UUID.fullmatch(value) is None:
        raise ValueError(NOT_CANONICAL)
    return UUID(value)


def _canonical(value: Any) -> Any:
    return value if isinstance(value, UUID) else parse_canonical_uuid(value)


# an id in a query string or a body
CanonicalId = Annotated[UUID, BeforeValidator(_canonical),
                        WithJsonSchema({"type": "string", "format": "uuid", "pattern": CANONICAL_UUID_PATTERN})]
