"""The broker factory: StubBroker (embedded), RabbitMQ with publisher confirms, or Redis, chosen by settings.

The middleware list is explicit and ordered; each entry says why it is there.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable
from typing import Any, TypeVar

import dramatiq
import structlog
from dramatiq import Broker, Middleware
from dramatiq.asyncio import set_event_loop_thread
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    AsyncIO,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from service.settings import Settings, get_settings

R = TypeVar("R")


class LogContext(Middleware):
    """Binds actor, message id and correlation id to every log line a job writes, and clears them after."""

    def before_process_message(self, broker: Broker, message: Any) -> None:
        structlog.contextvars.bind_contextvars(
            actor=message.actor_name, message_id=message.message_id,
            correlation_id=message.options.get("correlation_id"),
        )

    def after_process_message(self, broker: Broker, message: Any, *, result: Any = None, exception: Any = None) -> None:
        structlog.contextvars.clear_contextvars()

    after_skip_message = after_process_message


class WorkerRuntime(Middleware):
    """In a worker process: opens the database and storage on dramatiq's event-loop thread, closes them after.

    Must come after AsyncIO, which starts that thread in its own before_worker_boot.
    """

    def before_worker_boot(self, broker: Broker, worker: Any) -> None:
        from dramatiq.asyncio import get_event_loop_thread

        from service.db import init_db
        from service.logging import configure_logging
        from service.runtime import build_runtime, install

        settings = get_settings()
        configure_logging(json_logs=settings.json_logs, level=settings.log_level)
        install(build_runtime(settings))
        thread = get_event_loop_thread()
        assert thread is not None, "the AsyncIO middleware must come before WorkerRuntime"
        thread.run_coroutine(init_db(settings.database_url, global_fallback=True))

    def after_worker_shutdown(self, broker: Broker, worker: Any) -> None:
        from dramatiq.asyncio import get_event_loop_thread

        from service.db import close_db

        thread = get_event_loop_thread()
        if thread is not None and thread.loop.is_running():
            thread.run_coroutine(close_db())


class SharedLoop:
    """Runs async actors on an event loop that already exists (the web app's, in embedded mode)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run_coroutine(self, coro: Awaitable[R]) -> R:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()  # type: ignore[arg-type]


def middleware_for(settings: Settings, *, in_process: bool) -> list[Middleware]:
    stack: list[Middleware] = [
        AgeLimit(),  # drop messages older than their max_age instead of acting on stale intent
        TimeLimit(time_limit=10 * 60 * 1000),  # no job runs for more than ten minutes
        ShutdownNotifications(),  # let long jobs notice a shutdown
        Callbacks(),  # on_success / on_failure hooks
        Pipelines(),  # pipelines, should a flow need one
        Retries(max_retries=8, min_backoff=1_000, max_backoff=5 * 60 * 1000),  # backoff; the sweeps catch the rest
        CurrentMessage(),  # lets a job read its own message id
    ]
    if not in_process and settings.worker_metrics:
        from dramatiq.middleware.prometheus import Prometheus

        stack.insert(0, Prometheus())  # dramatiq's own metrics, served by each worker process on :9191
    if not in_process:
        stack += [
            AsyncIO(),  # an event-loop thread for async actors
            WorkerRuntime(),  # tortoise and storage on that loop thread
        ]
    stack.append(LogContext())  # last: binds context just before the actor runs
    return stack


def create_broker(settings: Settings, *, in_process: bool | None = None) -> Broker:
    url = settings.broker_url
    in_process = url.startswith("stub") if in_process is None else in_process
    middleware = middleware_for(settings, in_process=in_process)
    if url.startswith("stub"):
        return StubBroker(middleware=middleware)
    if url.startswith("amqp"):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url, confirm_delivery=True, middleware=middleware)
    from dramatiq.brokers.redis import RedisBroker

    return RedisBroker(url=url, middleware=middleware)  # type: ignore[no-untyped-call]


_lock = threading.Lock()
_broker: Broker | None = None


def setup_broker(settings: Settings | None = None, *, in_process: bool | None = None) -> Broker:
    """Build the process's broker once and make it dramatiq's global broker, before any actor is declared."""
    global _broker
    with _lock:
        if _broker is None:
            _broker = create_broker(settings or get_settings(), in_process=in_process)
            dramatiq.set_broker(_broker)
        return _broker


def use_shared_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    set_event_loop_thread(SharedLoop(loop) if loop is not None else None)  # type: ignore[arg-type]


def check_broker() -> None:
    """Raise if the broker cannot be reached (readiness)."""
    broker = dramatiq.get_broker()
    if isinstance(broker, StubBroker):
        return
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    if isinstance(broker, RabbitmqBroker):
        import pika

        params = broker.parameters[0] if isinstance(broker.parameters, list) else broker.parameters
        pika.BlockingConnection(params).close()
        return
    broker.client.ping()  # type: ignore[attr-defined]
