"""Writer serialisers: a writer's load (contract, held work, pending offers, leave) into the API body."""

from __future__ import annotations

from contracts.api import WriterOut
from service.writers.service import WriterLoad


def writer_out(load: WriterLoad) -> WriterOut:
    """`load.writer.user` must be loaded."""
    c = load.contract
    return WriterOut(
        id=load.writer.id, name=load.writer.user.name, skills=list(c.skills) if c else [],
        hours_per_week=c.hours_per_week if c else None, max_concurrent=c.max_concurrent if c else None,
        excluded_las=list(c.excluded_las) if c else [], dbs_expires=c.dbs_expires if c else None,
        held=load.held, offers_pending=load.offers_pending, leave=load.leave,
    )
