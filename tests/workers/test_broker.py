"""The broker factory: the right broker for each URL, an explicit middleware order, reachable when it says so."""

from __future__ import annotations

import socket

import pytest
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO, Retries

from service.settings import Settings
from workers.broker import LogContext, WorkerRuntime, create_broker


def settings(url: str) -> Settings:
    return Settings(broker_url=url, _env_file=None)  # type: ignore[call-arg]


def reachable(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def names(broker: object) -> list[str]:
    return [type(m).__name__ for m in broker.middleware]  # type: ignore[attr-defined]


def test_stub_broker_runs_actors_on_the_shared_loop() -> None:
    broker = create_broker(settings("stub://"))
    assert isinstance(broker, StubBroker)
    stack = names(broker)
    assert "AsyncIO" not in stack and "WorkerRuntime" not in stack
    assert stack[-1] == "LogContext"


def test_worker_processes_open_their_own_loop_then_the_database() -> None:
    broker = create_broker(settings("stub://"), in_process=False)
    stack = names(broker)
    assert stack.index("AsyncIO") < stack.index("WorkerRuntime") < stack.index("LogContext")
    assert stack.index("Retries") < stack.index("AsyncIO")
    assert any(isinstance(m, Retries) for m in broker.middleware)
    assert any(isinstance(m, AsyncIO) for m in broker.middleware)
    assert any(isinstance(m, WorkerRuntime) for m in broker.middleware)
    assert any(isinstance(m, LogContext) for m in broker.middleware)


@pytest.mark.skipif(not reachable(5672), reason="no RabbitMQ at 127.0.0.1:5672")
def test_rabbitmq_broker_confirms_publishes() -> None:
    broker = create_broker(settings("amqp://guest:guest@127.0.0.1:5672/"))
    assert isinstance(broker, RabbitmqBroker)
    assert broker.confirm_delivery
    broker.close()


@pytest.mark.skipif(not reachable(6379), reason="no Redis at 127.0.0.1:6379")
def test_redis_broker_is_reachable() -> None:
    broker = create_broker(settings("redis://127.0.0.1:6379/15"))
    assert isinstance(broker, RedisBroker)
    assert broker.client.ping()
    broker.close()
