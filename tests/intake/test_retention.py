"""Retention: days after a bundle closes, its stored documents and drafts are purged, leaving tombstones."""

from __future__ import annotations

from datetime import timedelta

import httpx

from service import clock
from service.intake.retention import purge_expired
from service.jobs import Job
from service.models import AuditEntry, Bundle, BundleStatus, Document, Draft, Event, LaContract
from service.runtime import current
from service.storage import new_object_key
from tests.factories import Tenant
from tests.files import DRAFT_PLAN, make_pdf
from tests.intake.support import create_bundle, hand_to_writer, live_documents, submit_and_screen, upload


async def _closed_bundle(client: httpx.AsyncClient, tenant: Tenant, *, days_ago: float) -> tuple[str, Draft]:
    """A bundle that was screened, worked on (a draft stored) and cancelled `days_ago` days ago."""
    bundle_id = await create_bundle(client, tenant)
    document_id = await upload(client, tenant, bundle_id, "ep.pdf", make_pdf(["Reading is a strength."]))
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    await hand_to_writer(tenant, bundle_id)
    la = tenant.auth("la_officer")
    read = await client.get(f"/v1/bundles/{bundle_id}/documents/{document_id}/content", headers=la)
    assert read.status_code == 200  # an audited read, which the purge must keep
    stored = await current().storage.put_bytes(new_object_key("drafts"), DRAFT_PLAN)
    draft = await Draft.create(bundle_id=bundle_id, writer_id=tenant.writers["writer1"].id, cycle=1,
                               filename="draft.docx", size=stored.size, sha256=stored.sha256, storage_key=stored.key)
    cancelled = await client.post(f"/v1/bundles/{bundle_id}/cancel", headers=la)
    assert cancelled.status_code == 200, cancelled.text
    await Event.filter(bundle_id=bundle_id, to_status="cancelled").update(
        created_at=clock.now() - timedelta(days=days_ago))
    return bundle_id, draft


async def test_documents_and_drafts_are_purged_from_storage_after_the_retention_period(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    bundle_id, draft = await _closed_bundle(client, tenant, days_ago=91)
    [document] = await live_documents(bundle_id)
    storage = current().storage
    keys = [document.storage_key, document.clean_key, draft.storage_key]
    for key in keys:
        assert key is not None and await storage.exists(key)

    purged = await purge_expired()
    assert [(str(p.bundle_id), p.documents, p.drafts) for p in purged if str(p.bundle_id) == bundle_id] == [
        (bundle_id, 1, 1)]
    for key in keys:
        assert key is not None and not await storage.exists(key)
    tombstone = await Document.get(id=document.id)
    assert tombstone.deleted_at is not None and tombstone.storage_key == "" and tombstone.clean_key is None
    draft_row = await Draft.get(id=draft.id)
    assert draft_row.deleted_at is not None and draft_row.storage_key == ""
    # the timeline and the audit trail stay
    names = [e.name for e in await Event.filter(bundle_id=bundle_id).order_by("id")]
    assert names[-1] == "bundle.purged" and "bundle.created" in names
    assert await AuditEntry.filter(bundle_id=bundle_id, action="document.download").exists()
    assert (await Bundle.get(id=bundle_id)).status == BundleStatus.CANCELLED
    # the LA's own copy is gone too: its document is no longer listed or served
    la = tenant.auth("la_officer")
    gone = await client.get(f"/v1/bundles/{bundle_id}/documents/{document.id}/content", headers=la)
    assert gone.status_code == 404
    assert (await client.get(f"/v1/bundles/{bundle_id}", headers=la)).json()["documents"] == []
    # a second purge has nothing left to do
    assert all(str(p.bundle_id) != bundle_id for p in await purge_expired())


async def test_nothing_is_purged_before_the_contracts_retention_days(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await LaContract.filter(la_id=tenant.la.id).update(retention_days=30)
    young, _ = await _closed_bundle(client, tenant, days_ago=29)
    old, _ = await _closed_bundle(client, tenant, days_ago=31)
    purged = {str(p.bundle_id) for p in await purge_expired()}
    assert old in purged and young not in purged
    [document] = await live_documents(young)
    assert await current().storage.exists(document.storage_key)
    # and when its day comes, it goes too
    later = {str(p.bundle_id) for p in await purge_expired(now=clock.now() + timedelta(days=2))}
    assert young in later
    assert not await current().storage.exists(document.storage_key)


async def test_open_bundles_are_never_purged(client: httpx.AsyncClient, tenant: Tenant) -> None:
    bundle_id = await create_bundle(client, tenant)
    await upload(client, tenant, bundle_id, "ep.pdf", make_pdf(["Reading is a strength."]))
    assert await submit_and_screen(client, tenant, bundle_id) == BundleStatus.QUEUED
    far_future = clock.now() + timedelta(days=3650)
    assert all(str(p.bundle_id) != bundle_id for p in await purge_expired(now=far_future))
    [document] = await live_documents(bundle_id)
    assert await current().storage.exists(document.storage_key)


def test_the_purge_is_scheduled_as_its_own_periodic_job() -> None:
    from service.settings import get_settings
    from workers.actors import purge_retention
    from workers.scheduler import build_scheduler

    job = build_scheduler(get_settings()).get_job("retention_purge")
    assert job is not None and job.trigger.interval.total_seconds() == get_settings().retention_interval_seconds
    assert purge_retention.actor_name == Job.PURGE_RETENTION
