"""Headless load on the production shape: `planwright serve --workers N` + `planwright worker` + `planwright
scheduler` on PostgreSQL and RabbitMQ (encrypted local storage shared by the processes).

A fresh database gets one tenant and --history accepted bundles (INSERT ... SELECT generate_series, as the SLA
benchmark does) plus a few bundles with a document, uploaded over HTTP. Then, all on this machine's loopback:
  1. mixed: --users virtual users for --seconds, each picking submissions (create, upload a PDF, submit: three
     requests), listings (GET /v1/bundles?limit=50) and downloads (a document's content, audited) 1:6:3;
  2. listing only, Planwright's GET /v1/bundles against the same query behind a bare Starlette endpoint
     (tests/benchmarks/bare_listing.py, same uvicorn worker count, no auth/ORM/middleware), --seconds each.
Prints throughput and p50/p99 per kind and the ratio. Each virtual user has its own token (as each LA system
would), and 429 answers (per-token rate limits) are counted apart. Bounded: it stops by itself after the phases.

The driver is asyncio + httpx rather than locust: locust patches the whole process with gevent at import, and
this process also seeds through the ORM on asyncio; an httpx driver needs no new dependency.
`make bench BENCH_ARGS=load` or `python -m tests.benchmarks load`; options below via `python -m
tests.benchmarks.bench_load --users 16 ...`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SERVER = os.environ.get("PLANWRIGHT_BENCH_POSTGRES_URL",
                        os.environ.get("PLANWRIGHT_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
BROKER = os.environ.get("PLANWRIGHT_BENCH_BROKER_URL",
                        os.environ.get("PLANWRIGHT_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/"))
MIX = (("submission", 1), ("listing", 6), ("download", 3))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def record(self, kind: str, started: float, status: int) -> None:
        self.statuses[kind][status] += 1
        if status < 400:
            self.latencies[kind].append(time.perf_counter() - started)

    def report(self, seconds: float) -> None:
        for kind in sorted(self.statuses):
            done = self.latencies[kind]
            other = {s: n for s, n in sorted(self.statuses[kind].items()) if s >= 400}
            if not done:
                print(f"  {kind:<22} no successful requests; statuses {dict(self.statuses[kind])}")
                continue
            q = statistics.quantiles(done, n=100) if len(done) > 1 else [done[0]] * 99
            print(f"  {kind:<22} {len(done) / seconds:7.1f}/s  p50 {q[49] * 1000:7.1f} ms  p99 {q[98] * 1000:7.1f} ms"
                  f"  ({len(done)} ok{', other ' + str(other) if other else ''})")


async def _timed(stats: Stats, kind: str, request: httpx.Request, client: httpx.AsyncClient) -> httpx.Response:
    started = time.perf_counter()
    response = await client.send(request)
    stats.record(kind, started, response.status_code)
    return response


async def _mixed_user(client: httpx.AsyncClient, token: str, documents: list[tuple[str, str]], pdf: bytes,
                      until: float, stats: Stats, rng: random.Random) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    while time.perf_counter() < until:
        kind = rng.choice(kinds)
        if kind == "listing":
            await _timed(stats, "listing", client.build_request("GET", "/v1/bundles", params={"limit": 50},
                                                                headers=auth), client)
        elif kind == "download":
            bundle_id, document_id = rng.choice(documents)
            await _timed(stats, "download", client.build_request(
                "GET", f"/v1/bundles/{bundle_id}/documents/{document_id}/content", headers=auth), client)
        else:
            created = await _timed(stats, "submission: create", client.build_request(
                "POST", "/v1/bundles", headers=auth, json={"reference": f"LOAD-{rng.randrange(10**9)}",
                                                           "work_type": "new_plan"}), client)
            if created.status_code != 201:
                continue
            bundle_id = created.json()["id"]
            uploaded = await _timed(stats, "submission: upload", client.build_request(
                "POST", f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep.pdf"}, content=pdf,
                headers={**auth, "Content-Type": "application/pdf"}), client)
            if uploaded.status_code == 201:
                await _timed(stats, "submission: submit", client.build_request(
                    "POST", f"/v1/bundles/{bundle_id}/submit", headers=auth), client)


async def _listing_user(client: httpx.AsyncClient, path: str, headers: dict[str, str], until: float,
                        stats: Stats, kind: str) -> None:
    while time.perf_counter() < until:
        await _timed(stats, kind, client.build_request("GET", path, params={"limit": 50}, headers=headers), client)


async def _wait_ready(url: str, processes: list[subprocess.Popen[bytes]], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            for process in processes:
                if process.poll() is not None:
                    raise RuntimeError(f"a process exited early with {process.returncode}: {process.args}")
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


async def _seed(url: str, users: int, history: int) -> tuple[str, list[str]]:
    """One tenant, a token per virtual user, and `history` accepted bundles; returns the LA id and the tokens."""
    import asyncpg

    from service.auth.tokens import issue_token
    from service.db import apply_migrations, close_db, init_db
    from tests.benchmarks.bench_sla_reports import GENERATE
    from tests.factories import make_tenant

    await apply_migrations(url)
    await init_db(url)
    tenant = await make_tenant()
    officer = tenant.users["la_officer"]
    tokens = [(await issue_token(officer)).token for _ in range(users)]
    await close_db()
    data = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        # the SLA benchmark's history, for this one LA and its three writers
        one_la = GENERATE.replace("las[1 + (g % 30)]", "las[1]").replace("(g % 60)", "(g % 3)")
        await data.execute(one_la, str(tenant.provider.id), str(officer.id), history)
        await data.execute("ANALYZE bundle")
    finally:
        await data.close()
    return str(tenant.la.id), tokens


async def _bench(args: argparse.Namespace) -> None:
    import asyncpg

    from tests.files import EP_REPORT

    name = f"planwright_bench_load_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(SERVER.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{SERVER.rsplit('/', 1)[0]}/{name}"
    work = Path(tempfile.mkdtemp(prefix="planwright-bench-load-"))
    api_port, bare_port = _free_port(), _free_port()
    env = {**os.environ, "PLANWRIGHT_DATABASE_URL": url, "PLANWRIGHT_ENVIRONMENT": "production",
           "PLANWRIGHT_BROKER_URL": BROKER, "PLANWRIGHT_QUEUE_NAME": name, "PLANWRIGHT_STORAGE": "local",
           "PLANWRIGHT_STORAGE_DIR": str(work / "storage"), "PLANWRIGHT_EMBEDDED_WORKER": "false",
           "PLANWRIGHT_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(), "PLANWRIGHT_LOG_LEVEL": "warning",
           "PLANWRIGHT_HOST": "127.0.0.1", "PLANWRIGHT_PORT": str(api_port)}
    os.environ.update({k: v for k, v in env.items() if k.startswith("PLANWRIGHT_")})
    processes: list[subprocess.Popen[bytes]] = []
    log = (work / "processes.log").open("ab")

    def spawn(*command: str) -> None:
        processes.append(subprocess.Popen([sys.executable, *command], env=env, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True))

    try:
        la_id, tokens = await _seed(url, args.users, args.history)
        spawn("-m", "service.cli", "serve", "--workers", str(args.workers))
        spawn("-m", "service.cli", "worker", "--processes", "1", "--threads", "2")
        spawn("-m", "service.cli", "scheduler")
        spawn("-m", "uvicorn", "--factory", "tests.benchmarks.bare_listing:create_app", "--host", "127.0.0.1",
              "--port", str(bare_port), "--workers", str(args.workers), "--log-level", "warning",
              "--no-access-log")
        api, bare = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{bare_port}"
        await _wait_ready(f"{api}/healthz", processes)
        await _wait_ready(f"{bare}/bare/{la_id}/bundles", processes)
        limits = httpx.Limits(max_connections=args.users, max_keepalive_connections=args.users)
        async with httpx.AsyncClient(base_url=api, limits=limits, timeout=60) as client:
            auth = {"Authorization": f"Bearer {tokens[0]}"}
            documents = []
            for n in range(10):
                created = await client.post("/v1/bundles", headers=auth,
                                            json={"reference": f"SEED-{n}", "work_type": "new_plan"})
                bundle_id = created.json()["id"]
                uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "ep.pdf"},
                                             content=EP_REPORT, headers={**auth, "Content-Type": "application/pdf"})
                documents.append((bundle_id, uploaded.json()["id"]))
            print(f"production shape: serve --workers {args.workers}, worker (1 process, 2 threads), scheduler; "
                  f"PostgreSQL, RabbitMQ; {args.history:,} historical bundles; {args.users} virtual users "
                  f"({os.cpu_count()} CPUs, shared)")

            stats = Stats()
            until = time.perf_counter() + args.seconds
            await asyncio.gather(*(_mixed_user(client, tokens[i], documents, EP_REPORT, until, stats,
                                               random.Random(i)) for i in range(args.users)))
            print(f"mixed ({args.seconds:g}s): {sum(map(len, stats.latencies.values())) / args.seconds:.1f} req/s")
            stats.report(args.seconds)

            listing = Stats()
            until = time.perf_counter() + args.seconds
            await asyncio.gather(*(_listing_user(client, "/v1/bundles", {"Authorization": f"Bearer {tokens[i]}"},
                                                 until, listing, "planwright listing") for i in range(args.users)))
        async with httpx.AsyncClient(base_url=bare, limits=limits, timeout=60) as client:
            until = time.perf_counter() + args.seconds
            await asyncio.gather(*(_listing_user(client, f"/bare/{la_id}/bundles", {}, until, listing,
                                                 "bare starlette listing") for _ in range(args.users)))
        print(f"after the run, the submitted bundles by status (screened by the worker): {await _statuses(url)}")
        print(f"listing only ({args.seconds:g}s each):")
        listing.report(args.seconds)
        ours, theirs = (len(listing.latencies[k]) for k in ("planwright listing", "bare starlette listing"))
        if ours and theirs:
            p50 = [statistics.median(listing.latencies[k]) for k in ("planwright listing", "bare starlette listing")]
            print(f"  planwright/bare: throughput {ours / theirs:.2f}, p50 latency {p50[0] / p50[1]:.2f}")
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        _delete_queue(name)


async def _statuses(url: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        rows = await conn.fetch("SELECT status, count(*) AS n FROM bundle WHERE reference LIKE 'LOAD-%' GROUP BY 1")
    finally:
        await conn.close()
    return {row["status"]: row["n"] for row in rows}


def _delete_queue(name: str) -> None:
    """The run's queues exist only for it."""
    import pika

    try:
        connection = pika.BlockingConnection(pika.URLParameters(BROKER))
        channel = connection.channel()
        for queue in (name, f"{name}.DQ", f"{name}.XQ"):
            channel.queue_delete(queue)
        connection.close()
    except Exception as exc:  # a leftover queue is harmless; say so and go on
        print(f"(could not delete the run's queues: {type(exc).__name__})")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_load")
    parser.add_argument("--users", type=int, default=16, help="concurrent virtual users")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (API and bare)")
    parser.add_argument("--history", type=int, default=20_000, help="historical bundles in the database")
    asyncio.run(_bench(parser.parse_args(argv)))


if __name__ == "__main__":
    main(sys.argv[1:])
