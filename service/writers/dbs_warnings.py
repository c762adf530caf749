"""The coordinators' DBS warning: a periodic, idempotent pass that warns a writing service's coordinators, once per
writer per certificate, when a writer's DBS certificate expires within DBS_WARNING_DAYS (or has expired unwarned).

"Once" is a claim on the writer's row (`dbs_warned_for`: the expiry last warned about), made in the same transaction
as the notices, so a second pass (or two at once) warns no one again; new terms with a renewed certificate (another
expiry) are warned about afresh when their time comes. Offboarded writers are not warned about. Notices, emails and
log lines name the writer by the provider's pseudonym for them, never by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from service import clock
from service.logging import get_logger
from service.models import Writer, WriterContract, WriterStatus
from service.notifications.service import notify_coordinators, writer_pseudonym
from service.writers.service import DBS_WARNING_DAYS, current_terms, dbs_expiring

log = get_logger(__name__)
KIND = "writer.dbs_expiring"


@dataclass(frozen=True)
class Warned:
    writer_id: UUID
    expires: date
    coordinators: int


async def warn_expiring_dbs() -> list[Warned]:
    """One pass: the writers whose certificate in force expires within the warning window and who were not yet
    warned about that certificate; returns those warned now."""
    today = clock.today()
    candidates: set[UUID] = set(await WriterContract.filter(  # type: ignore[arg-type]
        dbs_expires__lte=today + timedelta(days=DBS_WARNING_DAYS), starts_on__lte=today,
        writer__status__not=WriterStatus.OFFBOARDED).values_list("writer_id", flat=True))
    warned: list[Warned] = []
    for writer_id in sorted(candidates, key=str):
        terms = await current_terms(writer_id)  # the certificate in force today, not one replaced since
        if terms is None or not dbs_expiring(terms.dbs_expires, today):
            continue
        async with in_transaction() as conn:
            claimed = await Writer.filter(Q(dbs_warned_for__isnull=True) | ~Q(dbs_warned_for=terms.dbs_expires),
                                          id=writer_id).exclude(status=WriterStatus.OFFBOARDED).using_db(conn).update(
                dbs_warned_for=terms.dbs_expires)
            if not claimed:
                continue
            writer = await Writer.filter(id=writer_id).using_db(conn).get()
            detail = f"expires {terms.dbs_expires.isoformat()}"
            told = await notify_coordinators(writer, KIND, detail, conn)
        log.info("writer.dbs_expiring", writer=writer_pseudonym(writer), expires=terms.dbs_expires.isoformat(),
                 days_left=(terms.dbs_expires - today).days, coordinators=told)
        warned.append(Warned(writer_id, terms.dbs_expires, told))
    return warned
