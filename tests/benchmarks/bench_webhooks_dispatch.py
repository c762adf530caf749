"""Webhook figures: signing and verifying, the dispatcher's fan-out rate, and one delivery's round trip (SQLite).

    python -m tests.benchmarks webhooks_dispatch [--events N] [--endpoints N] [--deliveries N]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def _signing(rounds: int = 20_000) -> None:
    from service.webhooks.signing import sign, verify

    body = os.urandom(1024)
    started = time.perf_counter()
    for i in range(rounds):
        header = sign("whsec_bench", 1_800_000_000 + i, body)
    signed = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(rounds):
        verify(header, body, ["whsec_old", "whsec_bench"], now=1_800_000_000 + rounds)
    verified = time.perf_counter() - started
    print(f"sign 1 KiB body: {signed / rounds * 1e6:.1f} us; "
          f"verify against 2 secrets: {verified / rounds * 1e6:.1f} us")


def _receiver() -> ThreadingHTTPServer:
    class Ok(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def _service(events: int, endpoints: int, deliveries: int) -> None:
    from service.db import apply_migrations, close_db, init_db
    from service.logging import configure_logging
    from service.models import (
        Bundle,
        Event,
        Organisation,
        OrganisationKind,
        Role,
        User,
        WebhookDelivery,
        WebhookEndpoint,
        WorkType,
    )
    from service.runtime import build_runtime, install
    from service.settings import Settings
    from service.webhooks.delivery import deliver
    from service.webhooks.dispatch import dispatch_all
    from service.webhooks.secrets import new_secret

    tmp = Path(tempfile.mkdtemp(prefix="planwright-bench-webhooks-"))
    settings = Settings(environment="test", database_url=f"sqlite://{tmp}/bench.sqlite3", storage_dir=tmp / "s",
                        master_key=base64.b64encode(os.urandom(32)).decode(), log_level="warning")  # type: ignore[arg-type]
    configure_logging(json_logs=False, level="warning")
    install(build_runtime(settings))
    await apply_migrations(settings.database_url)
    await init_db(settings.database_url)
    server = _receiver()
    try:
        provider = await Organisation.create(kind=OrganisationKind.PROVIDER, name="bench provider")
        la = await Organisation.create(kind=OrganisationKind.LA, name="bench LA", provider=provider)
        user = await User.create(organisation=la, name="bench", role=Role.LA_OFFICER)
        bundle = await Bundle.create(la=la, provider=provider, created_by=user, reference="BENCH-1",
                                     work_type=WorkType.NEW_PLAN)
        url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
        for _ in range(endpoints):
            _, wrapped, prefix = new_secret()
            await WebhookEndpoint.create(la=la, url=url, event_types=["sla.at_risk"], secret_wrapped=wrapped,
                                         secret_prefix=prefix)
        names = ["sla.at_risk", "document.downloaded"]  # half fan out, half are internal
        await Event.bulk_create([Event(bundle_id=bundle.id, name=names[i % 2]) for i in range(events)])
        started = time.perf_counter()
        await dispatch_all()
        took = time.perf_counter() - started
        made = await WebhookDelivery.all().count()
        print(f"dispatch: {events} events ({events // 2} subscribed x {endpoints} endpoints) -> {made} deliveries "
              f"in {took:.2f}s = {events / took:,.0f} events/s, {made / took:,.0f} deliveries/s")
        ids = await WebhookDelivery.all().limit(deliveries).values_list("id", flat=True)
        times = []
        for delivery_id in ids:
            started = time.perf_counter()
            status = await deliver(delivery_id)  # type: ignore[arg-type]
            times.append(time.perf_counter() - started)
            assert status is not None and status.value == "delivered"
        times.sort()
        print(f"deliver (claim, sign, POST to a local receiver, log the attempt): {len(times)} deliveries, "
              f"median {statistics.median(times) * 1000:.1f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms")
    finally:
        server.shutdown()
        await close_db()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_webhooks_dispatch")
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--endpoints", type=int, default=3)
    parser.add_argument("--deliveries", type=int, default=200)
    args = parser.parse_args(argv)
    _signing()
    asyncio.run(_service(args.events, args.endpoints, args.deliveries))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
