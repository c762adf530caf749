"""What an LA may know of the provider's people: a stable pseudonym per LA, never a name or an id.

The same writer is the same pseudonym in every answer, report, webhook and audit export one LA reaches (so the
LA can tell "the same writer again" and ask the provider about "writer-3f9a1c02d4b7"), and a different one for
every other LA (so two LAs cannot join what they know). It is an HMAC of the LA's and the person's ids under a key
derived from the master key: the provider can always say who it is, nobody else can.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID

from service.models import Role
from service.runtime import current

# how a provider person's pseudonym starts: what they did for the LA, never who they are
PREFIX = {Role.WRITER: "writer", Role.QA_REVIEWER: "reviewer", Role.COORDINATOR: "coordinator",
          Role.FINANCE: "finance", Role.ADMIN: "provider-admin", Role.OPERATOR: "operator"}


def pseudonym(la_id: UUID, person_id: UUID, role: Role | None = None) -> str:
    """The name LA `la_id` knows the provider's person `person_id` (a user or a writer id) by."""
    digest = hmac.new(current().pseudonym_key, f"{la_id}:{person_id}".encode(), hashlib.sha256).hexdigest()
    return f"{PREFIX.get(role, 'writer') if role else 'writer'}-{digest[:12]}"
