"""A real HTTP receiver on 127.0.0.1 for the tests: verifies each delivery's signature, fails the first N on purpose.

Each delivery is also checked as receivers check them with the libraries they already use: Stripe's
(`stripe.WebhookSignature.verify_header` on `Planwright-Signature`) and Standard Webhooks' (`Webhook(secret).verify`
on the `webhook-*` headers), each with every secret the receiver holds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import standardwebhooks
import stripe

from service.webhooks.signing import SignatureError, verify


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes
    answered: int
    verified: bool
    error: str | None
    # library name -> whether it verified the delivery with one of the receiver's secrets
    libraries: dict[str, bool] = field(default_factory=dict)


def by_libraries(headers: dict[str, str], body: bytes, secrets: list[str]) -> dict[str, bool]:
    """Whether Stripe's and the Standard Webhooks library accept the delivery under any of `secrets`."""
    def stripe_ok(secret: str) -> bool:
        try:
            return bool(stripe.WebhookSignature.verify_header(body, headers.get("planwright-signature"), secret,
                                                              tolerance=300))
        except stripe.SignatureVerificationError:
            return False

    def standard_ok(secret: str) -> bool:
        try:
            standardwebhooks.Webhook(secret).verify(body, headers)
            return True
        except (standardwebhooks.WebhookVerificationError, ValueError):
            return False

    return {"stripe": any(stripe_ok(s) for s in secrets), "standardwebhooks": any(standard_ok(s) for s in secrets)}


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
            self.received.append(Received(time.monotonic(), headers, body, answered, verified, error,
                                          by_libraries(headers, body, self.secrets)))
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
