"""Coordinator endpoints under /v1/qa/templates: learn a profile from an LA's blank template, name it on the
LA's contract."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.qa import LaTemplate, LaTemplateIn, TemplateProfile
from service.documents.service import check_length
from service.http import Call, Endpoint
from service.models import Role
from service.reviews import templates
from service.runtime import current

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COORDINATOR = frozenset({Role.COORDINATOR})
READERS = frozenset({Role.COORDINATOR, Role.QA_REVIEWER})


class LearnQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str = Field(default="", max_length=200)


async def learn_template(call: Call) -> TemplateProfile:
    limit = current().settings.max_draft_bytes
    check_length(call.request.headers.get("content-length"), limit)
    q: LearnQuery = call.query
    return await templates.learn_from(call.request.stream(), limit, name=q.name, title=q.title)


async def get_la_template(call: Call) -> LaTemplate:
    return await templates.get_template(call.principal, call.path_uuid("la_id"))


async def put_la_template(call: Call) -> LaTemplate:
    return await templates.set_template(call.principal, call.path_uuid("la_id"), call.body)


ENDPOINTS = [
    Endpoint("POST", "/v1/qa/templates/learn", learn_template, COORDINATOR,
             "Learn a template profile from an LA's blank plan template (DOCX); nothing is stored", "qa",
             query=LearnQuery, response=TemplateProfile, raw_body=(DOCX,), errors=(413, 415, 422)),
    Endpoint("GET", "/v1/qa/templates/{la_id}", get_la_template, READERS,
             "The template profile the LA's contract names for draft QA (null: detected per draft)", "qa",
             response=LaTemplate, errors=(404,)),
    Endpoint("PUT", "/v1/qa/templates/{la_id}", put_la_template, COORDINATOR,
             "Name the LA's template profile: a shipped one by name, a learned and corrected one, or none", "qa",
             body=LaTemplateIn, response=LaTemplate, errors=(404, 422)),
]
