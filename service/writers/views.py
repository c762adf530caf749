"""Writer serialisers: a writer's load (contract, held work, pending offers, leave) into the API body."""

from __future__ import annotations

from contracts.api import WriterOut
from service import clock
from service.writers.service import WriterLoad, dbs_expiring


def writer_out(load: WriterLoad) -> WriterOut:
    """`load.writer.user` must be loaded."""
    c = load.contract
    return WriterOut(
        id=load.writer.id, name=load.writer.user.name, status=load.writer.status.value,
        skills=list(c.skills) if c else [],
        hours_per_week=c.hours_per_week if c else None, max_concurrent=c.max_concurrent if c else None,
        excluded_las=list(c.excluded_las) if c else [], dbs_expires=c.dbs_expires if c else None,
        dbs_expiring=dbs_expiring(c.dbs_expires if c else None, clock.today()),
        held=load.held, offers_pending=load.offers_pending, leave=load.leave,
    )
