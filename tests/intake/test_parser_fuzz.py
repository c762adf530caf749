"""Parser fuzzing: malformed PDF, DOCX and text through the upload, screening and QA paths.

Real seed files (tests/files.py) are truncated, bit-flipped, overwritten, spliced, or have one zip part mutated
and re-packed; a fixed corpus adds hostile files (zip bombs, deep nesting, entity bombs, page-tree cycles, a
Flate bomb, too many pages). Whatever comes in, each step either succeeds or raises its typed error
(UnsafeDocument for screening and cleaning, an 'unreadable' finding for QA), within HANG_SECONDS and without
unpacking past the archive and stream limits. Over HTTP, the same files give 201/415 and a rejected bundle,
never a 500 or a job that keeps failing.

Budget: FUZZ_EXAMPLES Hypothesis examples for each seed (PLANWRIGHT_FUZZ_PARSER_EXAMPLES to change it), plus
the fixed hostile corpus, in-process and over HTTP.
"""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as Hung
from typing import Any
from uuid import UUID

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.drafts.checks import run_qa
from service.intake.screening_service import _pages_of
from service.models import Bundle, BundleStatus
from service.screening.filetype import detect_type
from service.screening.report import screen_document
from service.screening.safety import UnsafeDocument
from service.screening.sanitize import strip_metadata
from tests.delivery.test_workflow import drafting_bundle
from tests.delivery.test_workflow import upload as upload_draft
from tests.factories import Tenant
from tests.files import DOCX, DRAFT_PLAN, EP_REPORT, PDF, SALT_REPORT, TXT
from tests.intake.support import create_bundle, submit_and_screen

FUZZ_EXAMPLES = int(os.environ.get("PLANWRIGHT_FUZZ_PARSER_EXAMPLES", "200"))
HANG_SECONDS = 60.0  # a hang detector, not a speed test: every file here parses in well under a second
PEAK_BYTES = 256 * 1024 * 1024  # above the largest part the archive limits let through, far below any bomb
TEXT = b"Advice from the speech and language therapist.\nChild A uses short sentences.\f Page two.\n"
SEEDS = {"pdf": EP_REPORT, "docx": SALT_REPORT, "draft": DRAFT_PLAN, "txt": TEXT}
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parser-fuzz")


def bounded(step: Callable[..., Any], *args: Any) -> Any:
    """Run one step; a step still running after HANG_SECONDS fails the test as a hang."""
    future = _pool.submit(step, *args)
    try:
        return future.result(timeout=HANG_SECONDS)
    except Hung:
        pytest.fail(f"{step.__name__} ran past {HANG_SECONDS}s: a hang")


def screening_path(data: bytes) -> str:
    """What an uploaded document meets: the type by content, the safety checks and page count, the identifier
    screening, the metadata-stripped copy. Returns how it ended; only UnsafeDocument may stop it."""
    kind = detect_type(data[:65536])
    if kind is None:
        return "refused at upload"  # receive() answers 415 and deletes it
    try:
        bounded(_pages_of, kind, data)
        bounded(screen_document, "fuzz", kind, data, None)
        bounded(strip_metadata, kind, data)
    except UnsafeDocument as exc:
        assert exc.reason.endswith("."), exc.reason
        return "rejected"
    return "screened"


def qa_path(data: bytes) -> list[dict[str, object]]:
    findings: list[dict[str, object]] = bounded(run_qa, data, None).findings
    assert isinstance(findings, list)
    return findings


# ---- mutations of real files ------------------------------------------------------------------------------------

def _flip(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    mutable = bytearray(data)
    for position, bit in flips:
        mutable[position % len(mutable)] ^= 1 << bit
    return bytes(mutable)


def _overwrite(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    mutable = bytearray(data)
    for position, value in edits:
        mutable[position % len(mutable)] = value
    return bytes(mutable)


def _splice(data: bytes, at: int, junk: bytes) -> bytes:
    at %= len(data) + 1
    return data[:at] + junk + data[at:]


def _cut_out(data: bytes, at: int, length: int) -> bytes:
    at %= len(data)
    return data[:at] + data[at + length:]


def repack(data: bytes, mutate: Callable[[str, bytes], bytes]) -> bytes:
    """The zip re-packed with each part passed through `mutate(name, content)`: broken XML in a sound archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, mutate(info.filename, source.read(info.filename)))
    return out.getvalue()


positions = st.integers(min_value=0, max_value=10**6)
byte_mutations = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(lambda n: lambda d: d[: n % (len(d) + 1)]),  # truncation
    st.lists(st.tuples(positions, st.integers(0, 7)), min_size=1, max_size=16).map(
        lambda flips: lambda d: _flip(d, flips)),
    st.lists(st.tuples(positions, st.integers(0, 255)), min_size=1, max_size=16).map(
        lambda edits: lambda d: _overwrite(d, edits)),
    st.tuples(positions, st.binary(min_size=1, max_size=256)).map(lambda a: lambda d: _splice(d, *a)),
    st.tuples(positions, st.integers(1, 4096)).map(lambda a: lambda d: _cut_out(d, *a)),
)
# for DOCX: the same mutations applied to one XML part, re-packed, so the XML readers see them (not just zlib)
part_mutations = st.tuples(st.sampled_from(["word/document.xml", "docProps/core.xml", "[Content_Types].xml",
                                            "word/_rels/document.xml.rels", "_rels/.rels", "word/styles.xml"]),
                           byte_mutations).map(
    lambda pair: lambda d: repack(d, lambda name, content: pair[1](content) if name == pair[0] else content))
mutations = {"pdf": byte_mutations, "txt": byte_mutations,
             "docx": st.one_of(byte_mutations, part_mutations), "draft": st.one_of(byte_mutations, part_mutations)}
# the same inputs every run in the suite; PLANWRIGHT_FUZZ_RANDOM=1 explores new ones
fuzz_settings = settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                         derandomize=os.environ.get("PLANWRIGHT_FUZZ_RANDOM") != "1",
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.slow
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_mutated_files_end_screened_or_with_a_typed_refusal(seed: str) -> None:
    @fuzz_settings
    @given(mutations[seed])
    def check(mutate: Callable[[bytes], bytes]) -> None:
        data = mutate(SEEDS[seed])
        if not data:
            return
        screening_path(data)
        if detect_type(data[:65536]) == "docx":
            qa_path(data)

    check()


def test_the_unmutated_seeds_pass_every_step() -> None:
    """The fuzzing starts from files the pipeline accepts, so a mutation is what makes a refusal."""
    for seed, data in SEEDS.items():
        assert screening_path(data) == "screened", seed
    assert not [f for f in qa_path(DRAFT_PLAN) if f["check"] == "unreadable"]


# ---- hostile files ----------------------------------------------------------------------------------------------

def _docx_part(part: bytes, name: str = "word/document.xml") -> bytes:
    return repack(DRAFT_PLAN, lambda n, content: part if n == name else content)


def _body(inner: bytes) -> bytes:
    return f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body>'.encode() + inner + b"</w:body></w:document>"


def _with_entries(extra: int) -> bytes:
    out = io.BytesIO(DRAFT_PLAN)
    with zipfile.ZipFile(out, "a") as archive:
        for n in range(extra):
            archive.writestr(f"fuzz/part{n}.xml", b"<a/>")
    return out.getvalue()


def _with_part(name: str, content: bytes, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO(DRAFT_PLAN)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr(zipfile.ZipInfo(name), content, compress_type=method)
    return out.getvalue()


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF with a correct cross-reference table around the given objects (numbered from 1)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _page_pdf(content: bytes, filters: bytes = b"") -> bytes:
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                 b"<< /Length %d %s >>\nstream\n" % (len(content), filters) + content + b"\nendstream"])


def hostile_files() -> dict[str, bytes]:
    deep = 100_000
    laughs = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %c "%s">' % (ord("b") + i, (b"&%c;" % (ord("a") + i)) * 10) for i in range(9))
        + f']><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>'
        .encode())
    return {
        "docx zip bomb (64 MiB part)": _docx_part(_body(b" " * (64 * 1024 * 1024))),
        "docx deep nesting": _docx_part(_body(b"<w:p>" * deep + b"</w:p>" * deep)),
        "docx entity bomb": _docx_part(laughs),
        "docx external entity": _docx_part(
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>'
            .encode()),
        "docx 1500 parts": _with_entries(1500),
        "docx lzma part": _with_part("word/extra.xml", b"<a/>" * 1000, zipfile.ZIP_LZMA),
        "docx path traversal": _with_part("../../evil.xml", b"<a/>"),
        "docx without content types": repack(DRAFT_PLAN, lambda n, c: c).replace(b"[Content_Types].xml",
                                                                               b"[Content_Typez].xml"),
        "docx empty document part": _docx_part(b""),
        "pdf flate bomb (200 MiB page)": _page_pdf(zlib.compress(b"0 0 m " * (35 * 1024 * 1024), 9),
                                                   b"/Filter /FlateDecode"),
        "pdf deep array nesting": _page_pdf(b"[" * deep + b"]" * deep),
        "pdf page tree cycle": _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                     b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                                     b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"]),
        "pdf billion pages claimed": _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                           b"<< /Type /Pages /Kids [3 0 R] /Count 999999999 >>",
                                           b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]),
        "pdf 3000 pages": _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                b"<< /Type /Pages /Kids [%s] /Count 3000 >>" % b" ".join([b"3 0 R"] * 3000),
                                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]),
        "pdf self-referencing object": _pdf([b"<< /Type /Catalog /Pages 1 0 R >>"]),
        "pdf header only": b"%PDF-1.7\n",
        "pdf garbage after header": b"%PDF-1.4\n" + bytes(range(256)) * 64,
        "txt not utf-8": b"Advice \xff\xfe about Child A",
        "txt 10000 form feeds": b"page\f" * 10_000,
        "txt one 8 MiB line": b"a" * (8 * 1024 * 1024),
    }


HOSTILE = hostile_files()
REFUSED_PDFS = ("pdf flate bomb", "pdf 3000", "pdf page tree", "pdf self-referencing", "pdf header only",
                "pdf garbage")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_refused_within_the_limits(name: str) -> None:
    data = HOSTILE[name]
    tracemalloc.start()
    try:
        ended = screening_path(data)
        if detect_type(data[:65536]) == "docx":
            qa_path(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, f"{name}: {peak // 2**20} MiB"
    if name.startswith(("docx zip bomb", "docx 1500", "docx path", "txt not utf-8", *REFUSED_PDFS)):
        assert ended in {"rejected", "refused at upload"}, name


def test_a_zip_bomb_draft_is_an_unreadable_finding_not_inflated() -> None:
    """Found by this fuzzing: QA opened drafts with python-docx without the archive limits screening applies."""
    findings = qa_path(HOSTILE["docx zip bomb (64 MiB part)"])
    assert [f["check"] for f in findings] == ["unreadable"]
    assert "zip bomb" in str(findings[0]["message"])


def test_a_draft_whose_main_part_is_not_a_document_is_an_unreadable_finding() -> None:
    """Found by this fuzzing: python-docx opened it, then reading its body raised AttributeError (a 500)."""
    findings = qa_path(_docx_part(f'<?xml version="1.0"?><w:p xmlns:w="{W_NS}"/>'.encode()))
    assert [f["check"] for f in findings] == ["unreadable"]


# ---- over HTTP: upload, screening, drafts and renditions ---------------------------------------------------------

MEDIA = {"pdf": PDF, "docx": DOCX, "txt": TXT}


def _declared(name: str) -> str:
    return name.split()[0]


@pytest.mark.slow
async def test_hostile_documents_are_refused_or_reject_the_bundle(client: httpx.AsyncClient, tenant: Tenant) -> None:
    la = tenant.auth("la_officer")
    outcomes: dict[str, str] = {}
    for name, data in HOSTILE.items():
        kind = _declared(name)
        bundle_id = await create_bundle(client, tenant)
        uploaded = await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": f"f.{kind}"},
                                     content=data, headers={**la, "Content-Type": MEDIA[kind]})
        assert uploaded.status_code in (201, 415), (name, uploaded.text)
        if uploaded.status_code == 415:
            outcomes[name] = "415"
            continue
        status = await submit_and_screen(client, tenant, bundle_id)  # raises if screening crashes
        assert status in (BundleStatus.REJECTED, BundleStatus.QUEUED), name
        outcomes[name] = status.value
        bundle = await Bundle.get(id=UUID(bundle_id))
        if status == BundleStatus.REJECTED:
            assert bundle.rejection and bundle.rejection["documents"][0]["reason"], name
        await Bundle.filter(id=bundle.id, status=BundleStatus.QUEUED).update(status=BundleStatus.CANCELLED)
    for name in HOSTILE:
        if name.startswith(("docx zip bomb", "txt 10000", "txt not utf-8", *REFUSED_PDFS)):
            assert outcomes[name] in {"415", "rejected"}, (name, outcomes[name])


@pytest.mark.slow
async def test_hostile_drafts_and_renditions_answer_typed_errors(client: httpx.AsyncClient, tenant: Tenant) -> None:
    writer = tenant.auth("writer1")
    for name, data in HOSTILE.items():
        bundle_id = await drafting_bundle(tenant)
        response = await client.post(f"/v1/bundles/{bundle_id}/drafts", params={"filename": "plan.docx"},
                                     content=data, headers={**writer, "Content-Type": DOCX})
        assert response.status_code in (201, 415), (name, response.text)
        if name.startswith(("docx zip bomb", "docx 1500", "docx path", "pdf", "txt")):
            checks = [f["check"] for f in response.json()["qa_findings"]] if response.status_code == 201 else []
            assert response.status_code == 415 or checks == ["unreadable"], (name, checks)
        await Bundle.filter(id=UUID(bundle_id)).update(status=BundleStatus.CANCELLED)
    draft = await upload_draft(client, tenant, await drafting_bundle(tenant))
    for name, data in HOSTILE.items():
        response = await client.put(f"/v1/drafts/{draft['id']}/rendition", params={"filename": "plan.pdf"},
                                    content=data, headers={**writer, "Content-Type": PDF})
        assert response.status_code in (200, 415), (name, response.status_code, response.text)
        if not name.startswith("pdf") or name.startswith(REFUSED_PDFS):
            assert response.status_code == 415, (name, response.text)
    await Bundle.filter(id=UUID(draft["bundle_id"])).update(status=BundleStatus.CANCELLED)
