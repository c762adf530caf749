"""Helpers for intake tests: bundles through the API, screening run directly, settings swapped, a real clamd."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from docx import Document as WordDocument
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from service.intake.screening_service import screen_bundle
from service.models import Bundle, BundleStatus, Document
from service.runtime import current, install
from tests.factories import Tenant
from tests.files import DOCX, PDF, TXT
from tests.real_parts import missing

# The EICAR anti-virus test file (harmless by design), built in two halves so this source is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MEDIA = {"pdf": PDF, "docx": DOCX, "txt": TXT}


def pdf_with_author(pages: list[str], author: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setAuthor(author)
    pdf.setTitle("Advice")
    for text in pages:
        y = 800
        for line in text.splitlines() or [""]:
            pdf.drawString(60, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def docx_with_people(paragraphs: list[str], *, author: str, comment_by: str | None = None) -> bytes:
    document = WordDocument()
    document.core_properties.author = author
    document.core_properties.last_modified_by = author
    for text in paragraphs:
        paragraph = document.add_paragraph(text)
    if comment_by is not None:
        document.add_comment(paragraph.runs, text="Please check this", author=comment_by, initials="XX")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def create_bundle(client: httpx.AsyncClient, tenant: Tenant, reference: str | None = None) -> str:
    # a reference of its own unless given: a second live bundle with one is refused
    reference = reference or f"INT-{uuid.uuid4().hex[:8]}"
    created = await client.post("/v1/bundles", headers=tenant.auth("la_officer"),
                                json={"reference": reference, "work_type": "new_plan"})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def upload(client: httpx.AsyncClient, tenant: Tenant, bundle_id: str, name: str, body: bytes) -> str:
    media = MEDIA[name.rsplit(".", 1)[1]]
    uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": name}, content=body,
                                 headers={**tenant.auth("la_officer"), "Content-Type": media})
    assert uploaded.status_code == 201, uploaded.text
    return str(uploaded.json()["id"])


async def submit_and_screen(client: httpx.AsyncClient, tenant: Tenant, bundle_id: str) -> BundleStatus | None:
    submitted = await client.post(f"/v1/bundles/{bundle_id}/submit", headers=tenant.auth("la_officer"))
    assert submitted.status_code == 200, submitted.text
    return await screen_bundle(UUID(bundle_id))


async def detail(client: httpx.AsyncClient, tenant: Tenant, bundle_id: str, role: str = "la_officer") -> Any:
    response = await client.get(f"/v1/bundles/{bundle_id}", headers=tenant.auth(role))
    assert response.status_code == 200, response.text
    return response.json()


async def hand_to_writer(tenant: Tenant, bundle_id: str, writer: str = "writer1") -> None:
    """What an accepted offer does, without racing the allocation round for it."""
    await Bundle.filter(id=bundle_id, status=BundleStatus.QUEUED).update(
        status=BundleStatus.ALLOCATED, writer_id=tenant.writers[writer].id)


async def live_documents(bundle_id: str) -> list[Document]:
    return list(await Document.filter(bundle_id=bundle_id, deleted_at__isnull=True).order_by("created_at"))


@contextlib.contextmanager
def settings_changed(**changes: Any) -> Iterator[None]:
    """Run with some settings changed (the runtime is rebuilt around the same storage), then restore."""
    before = current()
    install(dataclasses.replace(before, settings=before.settings.model_copy(update=changes)))
    try:
        yield
    finally:
        install(before)


# A body signature for the EICAR string anywhere in a stream, so the test can wrap it in other bytes.
EICAR_SIGNATURE = "Eicar-Test-Signature:0:*:" + EICAR.hex()


@dataclass
class Clamd:
    """A real clamd (Debian's clamav-daemon) on a port of its own, with a one-line signature database.

    `LogClean` makes it log every stream it scans, so a test can count what really reached the scanner."""

    url: str
    log: Path

    def scans(self) -> int:
        return sum(1 for line in self.log.read_text().splitlines() if "instream(" in line)


@contextlib.contextmanager
def real_clamd(folder: Path) -> Iterator[Clamd]:
    binary = shutil.which("clamd") or next((p for p in ("/usr/sbin/clamd",) if Path(p).exists()), None)
    if binary is None:
        missing("no clamd on this machine (Debian's clamav-daemon; .ci/run installs it)")
    database = folder / "db"
    database.mkdir(parents=True, exist_ok=True)
    (database / "planwright-test.ndb").write_text(EICAR_SIGNATURE + "\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = folder / "clamd.log"
    config = folder / "clamd.conf"
    config.write_text(
        f"Foreground yes\nTCPSocket {port}\nTCPAddr 127.0.0.1\nDatabaseDirectory {database}\n"
        f"LogFile {log}\nLogClean yes\nStreamMaxLength 60M\n"
    )
    process = subprocess.Popen([binary, f"--config-file={config}"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                    connection.sendall(b"zPING\0")
                    if connection.recv(16).startswith(b"PONG"):
                        break
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"clamd exited: {process.stderr.read().decode() if process.stderr else ''}")
            if time.monotonic() > deadline:
                raise RuntimeError("clamd did not answer PING within 60 s")
            time.sleep(0.1)
        yield Clamd(url=f"tcp://127.0.0.1:{port}", log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def closed_port() -> str:
    """An address where nothing listens (a port just released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"
