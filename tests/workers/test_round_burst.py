"""A busy round is not a failure: a burst of submissions on PostgreSQL + RabbitMQ leaves the dead-letter queue empty.

Every bundle that reaches the queue asks for an allocation round, so a burst asks for many rounds at once, most of
them while another is running. Those requests coalesce (one waits, the rest leave: the waiting round sees their
bundles), so nothing a healthy system does is retried into dramatiq's dead-letter queue (`<queue>.XQ`), where an
operator's alarm would ring and real failures would hide. And no request is lost: every queued bundle was looked at
by a round after it was queued (offered, or left queued with the round's note), with the periodic sweep, the safety
net, turned off for the test.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from service.models import Bundle, BundleStatus, OutboxMessage
from service.settings import get_settings
from tests.conftest import PG_SERVER_URL
from tests.factories import Tenant, make_tenant
from tests.files import EP_REPORT, PDF
from tests.workers.test_faults import Production, until

BROKER = os.environ.get("PLANWRIGHT_TEST_BROKER_URL", "")
pytestmark = [
    pytest.mark.skipif(PG_SERVER_URL is None or not BROKER.startswith("amqp://"), reason=(
        "the dead-letter queue is RabbitMQ's and rounds coalesce across processes on PostgreSQL: needs both "
        "(PLANWRIGHT_TEST_POSTGRES_URL, PLANWRIGHT_TEST_BROKER_URL=amqp://...)")),
    pytest.mark.postgres,
    pytest.mark.slow,
]
BUNDLES = 30
SETTLED = {BundleStatus.QUEUED, BundleStatus.OFFERED}


def queue_depths(queue: str) -> dict[str, int]:
    """Messages ready in the work queue, its delay queue (retries waiting out their backoff) and its dead letters."""
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    try:
        channel = connection.channel()
        depths = {}
        for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
            try:
                depths[name] = channel.queue_declare(queue=name, passive=True).method.message_count
            except pika.exceptions.ChannelClosedByBroker:  # not declared (yet): nothing in it
                depths[name] = 0
                channel = connection.channel()
        return depths
    finally:
        connection.close()


def dead_letters(queue: str) -> list[str]:
    """What lies in the dead-letter queue, as `actor(args)`, for the failure message (left where it is)."""
    import json

    import pika

    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    try:
        channel, found = connection.channel(), []
        while len(found) < 20:
            _, _, body = channel.basic_get(f"{queue}.XQ", auto_ack=False)
            if body is None:
                break
            message = json.loads(body)
            found.append(f"{message['actor_name']}({message['args']}, {message['kwargs']})")
        return found  # unacknowledged: closing the connection puts them back
    finally:
        connection.close()


def burst_queue() -> str:
    """A queue of the test's own, so nothing an earlier test left in the run's queue is counted here."""
    return f"{get_settings().queue_name}-burst"


@pytest_asyncio.fixture
async def workers(app: Any) -> AsyncIterator[Production]:
    """Two worker processes of four threads (so rounds race within and across processes) and the outbox relay, on a
    queue of their own; the sweep's interval is an hour, so only the requests themselves run rounds."""
    env = {**os.environ, "PLANWRIGHT_BROKER_URL": BROKER, "PLANWRIGHT_OUTBOX_INTERVAL_SECONDS": "0.2",
           "PLANWRIGHT_ALLOCATION_INTERVAL_SECONDS": "3600", "PLANWRIGHT_LOG_LEVEL": "info",
           "PLANWRIGHT_QUEUE_NAME": burst_queue()}
    shape = Production(env=env, logs=Path(tempfile.mkdtemp(prefix="planwright-round-burst-")))
    print(f"worker and relay logs: {shape.logs}")
    shape.worker = shape._spawn("worker", "--processes", "2", "--threads", "4")
    shape.start_scheduler()
    try:
        yield shape
    finally:
        await asyncio.to_thread(shape.stop)
        await asyncio.to_thread(delete_queues, burst_queue())


def delete_queues(queue: str) -> None:
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    try:
        channel = connection.channel()
        for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
            channel.queue_delete(name)
    finally:
        connection.close()


async def test_a_burst_of_submissions_leaves_the_dead_letter_queue_empty(
    client: httpx.AsyncClient, workers: Production
) -> None:
    tenant: Tenant = await make_tenant(writer_skills=[["new_plan"]] * 6)
    la = tenant.auth("la_officer")
    ids: list[str] = []
    for n in range(BUNDLES):
        created = await client.post("/v1/bundles", headers=la,
                                    json={"reference": f"BURST-{n}", "work_type": "new_plan"})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
        uploaded = await client.post(f"/v1/bundles/{ids[-1]}/documents", params={"filename": "ep.pdf"},
                                     content=EP_REPORT, headers={**la, "Content-Type": PDF})
        assert uploaded.status_code == 201, uploaded.text
    answers = await asyncio.gather(*(client.post(f"/v1/bundles/{b}/submit", headers=la) for b in ids))
    assert [a.status_code for a in answers] == [200] * BUNDLES

    async def settled() -> bool:
        statuses = {b.status for b in await Bundle.filter(id__in=ids)}
        return statuses <= SETTLED and not await OutboxMessage.filter(published_at__isnull=True).exists()

    await until(settled, "every bundle screened and queued, the outbox published", timeout=90)
    queue = burst_queue()
    log = workers.logs / "worker.log"

    # Quiet: nothing ready in the work or delay queue and the workers' log (every job logs) still for a few seconds.
    # (A message a worker has taken, a retry waiting out its backoff among them, counts in no queue until acked.)
    quiet_since, size = time.monotonic(), -1

    async def quiet() -> bool:
        nonlocal quiet_since, size
        depths = await asyncio.to_thread(queue_depths, queue)
        if depths[queue] or depths[f"{queue}.DQ"] or log.stat().st_size != size:
            quiet_since, size = time.monotonic(), log.stat().st_size
        return time.monotonic() - quiet_since > 4.0

    await until(quiet, "the queues drained and the workers idle", timeout=60)
    # a graceful stop hands back whatever a worker still holds, so the counts below miss nothing
    await asyncio.to_thread(workers.stop)
    depths = await asyncio.to_thread(queue_depths, queue)
    busy = log.read_text(errors="replace").count("RoundBusy")
    bundles = await Bundle.filter(id__in=ids)
    offered = sum(b.status == BundleStatus.OFFERED for b in bundles)
    unseen = [b.reference for b in bundles
              if b.status == BundleStatus.QUEUED and "unassigned" not in (b.allocation_note or {})]
    print(f"round burst: bundles={BUNDLES} offered={offered} queued={BUNDLES - offered} queues={depths} "
          f"busy_errors={busy} logs={workers.logs}")
    letters = await asyncio.to_thread(dead_letters, queue) if depths[f"{queue}.XQ"] else []
    assert depths[f"{queue}.XQ"] == 0, f"dead letters after a healthy burst: {depths} {letters}"
    assert depths[f"{queue}.DQ"] == 0, f"retries pending after a healthy burst: {depths}"
    assert busy == 0, f"a busy round was raised as an error {busy} times (see {log})"
    assert offered == 12  # six writers, two slots each: the rounds filled every slot
    assert not unseen, f"queued bundles no round looked at after they were queued: {unseen}"
