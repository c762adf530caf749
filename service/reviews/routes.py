"""QA reviewer endpoints under /v1/qa: the review queue (acting on one draft is under /v1/drafts, in drafts/)."""

from __future__ import annotations

from contracts.api import QaQueue
from service.drafts.views import draft_out
from service.http import Call, Endpoint
from service.models import Role
from service.reviews import service as reviews

REVIEWER = frozenset({Role.QA_REVIEWER})


async def qa_queue(call: Call) -> QaQueue:
    return QaQueue(items=[draft_out(d) for d in await reviews.queue(call.principal)])


ENDPOINTS = [
    Endpoint("GET", "/v1/qa/queue", qa_queue, REVIEWER, "Drafts awaiting review, most at risk first", "qa",
             response=QaQueue),
]
