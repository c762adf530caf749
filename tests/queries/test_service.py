"""Queries to the LA, through the service: raising one pauses the bundle's clock; answering the last resumes it."""

from __future__ import annotations

import pytest

from service.errors import Conflict, NotFound
from service.models import Bundle, BundleStatus
from service.queries import service as queries
from tests.factories import Tenant, bundle_in, principal


async def test_raising_a_query_waits_for_the_la_with_the_clock_paused(tenant: Tenant) -> None:
    bundle = await bundle_in(tenant, BundleStatus.ALLOCATED, writer="writer1")
    await queries.ask(await principal(tenant, "writer1"), bundle.id, "Is the OT report from 2026 the latest?")
    await bundle.refresh_from_db()
    assert bundle.status == BundleStatus.AWAITING_LA
    assert bundle.paused_since is not None


async def test_answering_the_last_open_query_resumes_drafting_and_the_clock(tenant: Tenant) -> None:
    bundle = await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1")
    writer = await principal(tenant, "writer1")
    first = await queries.ask(writer, bundle.id, "Which school is named in the plan?")
    second = await queries.ask(writer, bundle.id, "Is there a new EP report?")
    la = await principal(tenant, "la_officer")

    await queries.answer(la, first.id, "The current one.")
    await bundle.refresh_from_db()
    assert bundle.status == BundleStatus.AWAITING_LA  # one query is still open

    answered = await queries.answer(la, second.id, "No, the 2026 one stands.")
    assert answered.answer == "No, the 2026 one stands." and answered.answered_at is not None
    await bundle.refresh_from_db()
    assert bundle.status == BundleStatus.DRAFTING
    assert bundle.paused_since is None


async def test_a_query_is_answered_once(tenant: Tenant) -> None:
    bundle = await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1")
    query = await queries.ask(await principal(tenant, "writer1"), bundle.id, "Which school?")
    la = await principal(tenant, "la_officer")
    await queries.answer(la, query.id, "Hill Top Primary.")
    with pytest.raises(Conflict, match="already been answered"):
        await queries.answer(la, query.id, "Another answer.")


async def test_only_the_writer_holding_the_bundle_may_raise_a_query_and_not_once_it_is_in_qa(tenant: Tenant) -> None:
    bundle = await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1")
    with pytest.raises(NotFound):  # another writer does not see the bundle at all
        await queries.ask(await principal(tenant, "writer2"), bundle.id, "Can I help?")
    in_qa = await bundle_in(tenant, BundleStatus.IN_QA, writer="writer1")
    with pytest.raises(Conflict, match="in_qa"):
        await queries.ask(await principal(tenant, "writer1"), in_qa.id, "Too late?")
    assert await Bundle.filter(id__in=[bundle.id, in_qa.id], paused_since__isnull=False).count() == 0


async def test_another_la_cannot_see_or_answer_the_query(tenant: Tenant, other_tenant: Tenant) -> None:
    bundle = await bundle_in(tenant, BundleStatus.DRAFTING, writer="writer1")
    query = await queries.ask(await principal(tenant, "writer1"), bundle.id, "Which school?")
    stranger = await principal(other_tenant, "la_officer")
    with pytest.raises(NotFound):
        await queries.answer(stranger, query.id, "Not mine to answer.")
    with pytest.raises(NotFound):
        await queries.for_bundle(stranger, bundle.id)
    assert [q.id for q in await queries.for_bundle(await principal(tenant, "la_officer"), bundle.id)] == [query.id]
