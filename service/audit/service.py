"""The audit log: every document access and privileged act, written by one function."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from service.auth.principal import Principal
from service.models import AuditEntry
from service.request_context import current_request_id


async def audit(
    principal: Principal | None,
    action: str,
    *,
    object_type: str,
    object_id: UUID | str,
    bundle_id: UUID | None = None,
    data: dict[str, Any] | None = None,
    using: BaseDBAsyncClient | None = None,
) -> None:
    await AuditEntry.create(
        actor_id=principal.user_id if principal else None,
        organisation_id=principal.organisation_id if principal else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        bundle_id=bundle_id,
        request_id=current_request_id(),
        data=data or {},
        using_db=using,
    )
