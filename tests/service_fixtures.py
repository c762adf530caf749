"""Fixtures (a pytest plugin) for tests of the running service: the app over ASGI, its database, a worker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from service.settings import Settings, get_settings
from tests.conftest import PG_SERVER_URL, TEST_DATABASE_NAME
from tests.factories import Tenant, make_tenant

requires_postgres = pytest.mark.skipif(
    PG_SERVER_URL is None, reason="needs PostgreSQL: set PLANWRIGHT_TEST_POSTGRES_URL (SQLite has no row locks)"
)


async def _on_postgres_server(sql: str) -> None:
    """Run one statement on the server's maintenance database (creating or dropping this run's database)."""
    import asyncpg

    assert PG_SERVER_URL is not None
    conn = await asyncpg.connect(PG_SERVER_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _create_bucket(settings: Settings) -> None:
    import boto3

    boto3.client(
        "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=(
            settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None
        ),
    ).create_bucket(Bucket=settings.s3_bucket, CreateBucketConfiguration={"LocationConstraint": settings.s3_region})


def _delete_queues(broker: object, queue: str) -> None:
    """This run's queues exist only for it: remove them from a shared RabbitMQ or Redis."""
    from dramatiq.brokers.rabbitmq import RabbitmqBroker
    from dramatiq.brokers.redis import RedisBroker

    if isinstance(broker, RabbitmqBroker):
        import pika.exceptions

        for attempt in (1, 2):
            try:
                for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
                    broker.channel.queue_delete(name)
                break
            except pika.exceptions.AMQPError:  # the connection died with a broker restart (the fault test)
                del broker.connection  # dramatiq opens a new one on the next use
                if attempt == 2:
                    raise
        broker.close()
    elif isinstance(broker, RedisBroker):
        broker.flush_all()
        broker.close()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest_asyncio.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    from pathlib import Path

    from service.app import create_app
    from service.db import apply_migrations
    from workers.broker import setup_broker

    if settings.is_postgres:
        await _on_postgres_server(f'CREATE DATABASE "{TEST_DATABASE_NAME}"')
    else:
        from tests.migrated import copy_migrated

        copy_migrated(Path(settings.database_url.removeprefix("sqlite://")))
    if settings.storage == "s3":
        await asyncio.to_thread(_create_bucket, settings)
    await apply_migrations(settings.database_url)  # the committed migrations, as production applies them
    broker = setup_broker(settings, in_process=True)
    application = create_app(settings, embedded=False)
    async with application.router.lifespan_context(application):
        yield application
    _delete_queues(broker, settings.queue_name)
    if settings.is_postgres:
        await _on_postgres_server(f'DROP DATABASE IF EXISTS "{TEST_DATABASE_NAME}" WITH (FORCE)')


@pytest_asyncio.fixture
async def worker(app: Starlette, settings: Settings) -> AsyncIterator[None]:
    """A real dramatiq worker in this process (stub broker or RabbitMQ), running actors on the test loop.

    Only for the test that asks for it: a worker left running would race tests that call jobs directly.
    """
    from workers.embedded import start_embedded

    runner = start_embedded(settings, scheduler=False)
    yield
    await runner.stop()


@pytest_asyncio.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://planwright.test") as http:
        yield http


@pytest_asyncio.fixture
async def tenant(app: Starlette) -> Tenant:
    return await make_tenant()


@pytest_asyncio.fixture
async def other_tenant(app: Starlette) -> Tenant:
    return await make_tenant()


async def eventually(check: Callable[[], Awaitable[Any]], *, timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll `check` until it returns a truthy value; relays the outbox each time so jobs flow."""
    from service.outbox.relay import relay_all

    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await relay_all()
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value {result!r}")
        await asyncio.sleep(interval)
