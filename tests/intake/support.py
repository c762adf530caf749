"""Helpers for intake tests: bundles through the API, screening run directly, settings swapped, a fake clamd."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import struct
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
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


@dataclass
class FakeClamd:
    """A real TCP server speaking clamd's INSTREAM and PING, answering FOUND for the EICAR string."""

    server: asyncio.Server | None = None
    scanned: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"tcp://127.0.0.1:{port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            command = await reader.readuntil(b"\0")
            if command == b"zPING\0":
                writer.write(b"PONG\0")
            elif command == b"zINSTREAM\0":
                data = bytearray()
                while True:
                    (size,) = struct.unpack(">I", await reader.readexactly(4))
                    if size == 0:
                        break
                    data.extend(await reader.readexactly(size))
                self.scanned.append(bytes(data))
                found = EICAR in data
                writer.write(b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")
            else:
                writer.write(b"UNKNOWN COMMAND\0")
            await writer.drain()
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def fake_clamd() -> AsyncIterator[FakeClamd]:
    fake = FakeClamd()
    fake.server = await asyncio.start_server(fake._handle, "127.0.0.1", 0)
    try:
        yield fake
    finally:
        fake.server.close()
        await fake.server.wait_closed()


def closed_port() -> str:
    """An address where nothing listens (a port just released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"
