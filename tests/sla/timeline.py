"""Bundles with a timeline at chosen instants, for SLA tests (events are backdated after they are written)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.models import Bundle, BundleStatus, Event, WorkType
from tests.factories import Tenant


async def bundle_with_timeline(tenant: Tenant, status: BundleStatus, moves: list[tuple[str | None, str, datetime]],
                               *, work_type: WorkType = WorkType.NEW_PLAN, **fields: Any) -> Bundle:
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference="SLA-1", work_type=work_type, status=status, **fields)
    for source, target, at in moves:
        event = await Event.create(bundle_id=bundle.id, name=f"bundle.{target}", from_status=source,
                                   to_status=target)
        await Event.filter(id=event.id).update(created_at=at)
    return bundle
