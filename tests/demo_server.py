"""The demo server as a newcomer starts it (`planwright serve --seed-demo`), in a subprocess, ready to be walked."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def demo_server(command: list[str], *, cwd: Path, env: dict[str, str], port: int) -> Iterator[list[str]]:
    """Start the server, wait until /readyz answers (a minute at most), yield; stop it after. The list yielded gets
    what the server printed (its welcome with the demo tokens) once it has stopped."""
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    printed: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the demo server did not become ready within a minute"
            time.sleep(0.2)
        yield printed
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
        printed.append(output or "")
