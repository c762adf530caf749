"""A real HTTP receiver on 127.0.0.1 for the tests: verifies each delivery's signature, fails the first N on purpose."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from service.webhooks.signing import SignatureError, verify


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes
    answered: int
    verified: bool
    error: str | None


@dataclass
class Receiver:
    secrets: list[str]
    fail_first: int = 0
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            try:
                verify(headers.get("planwright-signature", ""), body, self.secrets)
                verified, error = True, None
            except SignatureError as exc:
                verified, error = False, type(exc).__name__
            failing = sum(1 for r in self.received if r.verified) < self.fail_first
            answered = 400 if not verified else (500 if failing else 200)
            self.received.append(Received(time.monotonic(), headers, body, answered, verified, error))
            return answered


@contextmanager
def running(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            code = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
