"""QA reviewer endpoints on one draft: claim, review sheet, dismiss a finding, pass, return (queue: reviews/)."""

from __future__ import annotations

from contracts.api import DismissFinding, DraftOut, QaPass, QaReturn, ReviewSheet
from service.auth import scope
from service.drafts.views import draft_out, review_sheet_out
from service.http import Call, Endpoint
from service.models import Role
from service.reviews import service as reviews

REVIEWER = frozenset({Role.QA_REVIEWER})


async def claim_draft(call: Call) -> DraftOut:
    return draft_out(await reviews.claim(call.principal, call.path_uuid("draft_id")))


async def review_sheet(call: Call) -> ReviewSheet:
    return review_sheet_out(await scope.get_draft(call.principal, call.path_uuid("draft_id")))


async def dismiss_finding(call: Call) -> DraftOut:
    body: DismissFinding = call.body
    index = call.path_int("index", missing="no such finding on this draft")
    return draft_out(await reviews.dismiss(call.principal, call.path_uuid("draft_id"), index, body.reason))


async def pass_draft(call: Call) -> DraftOut:
    body: QaPass = call.body
    return draft_out(await reviews.pass_draft(call.principal, call.path_uuid("draft_id"), body.checklist))


async def return_draft(call: Call) -> DraftOut:
    body: QaReturn = call.body
    return draft_out(await reviews.return_draft(call.principal, call.path_uuid("draft_id"), body.comments))


ENDPOINTS = [
    Endpoint("POST", "/v1/drafts/{draft_id}/claim", claim_draft, REVIEWER, "Claim a draft for review", "qa",
             response=DraftOut, errors=(404, 409)),
    Endpoint("GET", "/v1/drafts/{draft_id}/review", review_sheet, REVIEWER,
             "The review checklist: automated findings and manual items", "qa", response=ReviewSheet, errors=(404,)),
    Endpoint("POST", "/v1/drafts/{draft_id}/findings/{index}/dismiss", dismiss_finding, REVIEWER,
             "Dismiss an automated finding, with a reason (logged)", "qa", body=DismissFinding, response=DraftOut,
             errors=(404, 409, 422)),
    Endpoint("POST", "/v1/drafts/{draft_id}/pass", pass_draft, REVIEWER,
             "Pass a claimed draft: the LA's copy is made and the bundle delivered", "qa", body=QaPass,
             response=DraftOut, errors=(404, 409, 422)),
    Endpoint("POST", "/v1/drafts/{draft_id}/return", return_draft, REVIEWER, "Return a claimed draft to the writer",
             "qa", body=QaReturn, response=DraftOut, errors=(404, 409, 422)),
]
