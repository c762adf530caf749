"""The coordinators are warned 30 days before a writer's DBS certificate expires: through the notifications (in the
app, and by email through a real local SMTP server), once per writer per certificate, naming the writer by
pseudonym, never by name, in the notice, the email and the log."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import time_machine
from structlog.testing import capture_logs

from service import clock
from service.models import Notification, User
from service.notifications.service import send, writer_pseudonym
from service.writers.dbs_warnings import warn_expiring_dbs
from tests.factories import Tenant
from tests.notifications.smtp_sink import Sink
from tests.notifications.test_notifications import smtp  # noqa: F401 - the SMTP server fixture
from tests.service_fixtures import eventually

TERMS = {"skills": ["new_plan"], "hours_per_week": 30, "max_concurrent": 3, "excluded_las": [],
         "dbs_number": "001234567890"}


def noon(day: Any) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


async def test_coordinators_are_warned_once_29_days_before_a_dbs_certificate_expires(
    client: httpx.AsyncClient, tenant: Tenant, smtp: Sink  # noqa: F811 - the fixture imported above
) -> None:
    coordinator = tenant.users["coordinator"]
    await User.filter(id=coordinator.id).update(email="coordinator@provider.example")
    writer = tenant.writers["writer2"]
    expires = clock.today() + timedelta(days=90)
    put = await client.put(f"/v1/writers/{writer.id}/terms", headers=tenant.auth("coordinator"),
                           json={**TERMS, "dbs_expires": expires.isoformat()})
    assert put.status_code == 200, put.text

    async def notices() -> list[Notification]:
        return list(await Notification.filter(writer_id=writer.id, kind="writer.dbs_expiring"))

    async def ours_warned() -> list[Any]:
        """A pass; the writers of this tenant it warned (the database holds other tests' writers too)."""
        return [w.writer_id for w in await warn_expiring_dbs() if w.writer_id in tenant_writers]

    tenant_writers = {w.id for w in tenant.writers.values()}

    with time_machine.travel(noon(expires - timedelta(days=31)), tick=False):
        assert await ours_warned() == []
    assert await notices() == []

    with time_machine.travel(noon(expires - timedelta(days=29)), tick=False), capture_logs() as logs:
        assert await ours_warned() == [writer.id]
        [notice] = await notices()
        assert notice.user_id == coordinator.id  # type: ignore[attr-defined]
        assert notice.bundle_id is None  # type: ignore[attr-defined]
        pseudonym = writer_pseudonym(writer)
        assert notice.subject == f"Planwright: A writer's DBS certificate expires soon ({pseudonym}, expires " \
                                 f"{expires.isoformat()})"
        # in the coordinator's notifications
        mine = (await client.get("/v1/notifications", headers=tenant.auth("coordinator"))).json()["items"]
        assert [(n["kind"], n["writer_id"]) for n in mine if n["kind"] == "writer.dbs_expiring"] == [
            ("writer.dbs_expiring", str(writer.id))]
        # and by email, naming the pseudonym and where to look
        await send(notice.id)
        [message] = [m for m in smtp.messages if m["To"] == "coordinator@provider.example"]
        assert pseudonym in message["Subject"] and f"/v1/writers/{writer.id}" in message.get_content()
        # again, the same day or later: no second warning for the same certificate
        assert await ours_warned() == []
    with time_machine.travel(noon(expires - timedelta(days=3)), tick=False):
        assert await ours_warned() == []
    assert len(await notices()) == 1
    # the writer's name is in no log line, nor in the notice or the email; the pseudonym is
    name = (await User.get(id=writer.user_id)).name  # type: ignore[attr-defined]
    assert logs and any(entry.get("writer") == pseudonym for entry in logs)
    assert name not in str(logs) and name not in notice.subject and name not in message.as_string()
    # only the writer's own provider's coordinators hear of it, and no one for the writers in date
    assert await Notification.filter(writer_id=writer.id).exclude(user_id=coordinator.id).count() == 0
    assert await Notification.filter(writer__provider_id=tenant.provider.id).exclude(writer_id=writer.id).count() == 0

    # a renewed certificate (new terms, a later expiry) is warned about afresh, when its own time comes
    renewed = expires + timedelta(days=3 * 365)
    with time_machine.travel(noon(expires - timedelta(days=2)), tick=False):
        again = await client.put(f"/v1/writers/{writer.id}/terms", headers=tenant.auth("coordinator"),
                                 json={**TERMS, "dbs_expires": renewed.isoformat()})
        assert again.status_code == 200, again.text
        assert await ours_warned() == []
    with time_machine.travel(noon(renewed - timedelta(days=10)), tick=False):
        # (the tenant's other writers, whose certificates have long expired by then, are warned about too)
        assert writer.id in await ours_warned()
    assert len(await notices()) == 2


async def test_the_sweep_sets_off_the_dbs_warnings(client: httpx.AsyncClient, tenant: Tenant, worker: None) -> None:
    writer = tenant.writers["writer1"]
    expires = clock.today() + timedelta(days=20)
    put = await client.put(f"/v1/writers/{writer.id}/terms", headers=tenant.auth("coordinator"),
                           json={**TERMS, "dbs_expires": expires.isoformat()})
    assert put.status_code == 200, put.text
    from workers.actors import sweep

    sweep.send()

    async def warned() -> Notification | None:
        return await Notification.get_or_none(writer_id=writer.id, kind="writer.dbs_expiring")

    assert (await eventually(warned)).user_id == tenant.users["coordinator"].id  # type: ignore[attr-defined]
