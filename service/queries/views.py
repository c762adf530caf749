"""Query serialisers: a writer's query and its answer into the API body."""

from __future__ import annotations

from contracts.api import QueryOut
from service.models import Query


def query_out(q: Query) -> QueryOut:
    return QueryOut(id=q.id, bundle_id=q.bundle_id, question=q.question, answer=q.answer,  # type: ignore[attr-defined]
                    asked_at=q.asked_at, answered_at=q.answered_at)
