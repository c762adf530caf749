"""The clients people bring: generated from contracts/openapi.json by the generators they use, covering every call.

Python: openapi-python-client (the dev extra pins it) generates a client into a temporary folder; every operation
of the contract must come out as a function, and the journey runs through those functions against the service
in process (upload, submit, offer, draft, QA pass, the LA's download, the invoice as CSV, XLSX and JSON).
TypeScript: openapi-typescript (tests/clients/ts/package-lock.json, installed with `npm ci`) generates the types,
and tsc type-checks tests/clients/ts/usage.ts (a typed call of the journey's operations) and a file written here
that names every operation of the contract by its path, method and operationId. Without node and npm the
TypeScript test skips, saying so; in CI (CI=true) it runs.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import openpyxl
import pytest
from starlette.applications import Starlette

from service.models import BillableLine
from tests.factories import Tenant
from tests.files import DRAFT_PLAN, EP_REPORT
from tests.real_parts import missing
from tests.service_fixtures import eventually

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contracts" / "openapi.json"
TS = Path(__file__).resolve().parent / "ts"
PACKAGE = "planwright_client"
METHODS = ("get", "put", "post", "delete", "patch")


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    document = json.loads(CONTRACT.read_text())
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()
            if method in METHODS]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


# --- Python: openapi-python-client ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, str]]:
    """The generated client's package, imported, and what the generator said while generating it."""
    out = tmp_path_factory.mktemp("python-client")
    (out / "config.yaml").write_text("post_hooks: []\n")  # no formatter run: the test needs the code, not its style
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = _run([str(generator), "generate", "--path", str(CONTRACT), "--meta", "none",
                 "--output-path", str(out / PACKAGE), "--config", str(out / "config.yaml")], out)
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE), done.stdout + done.stderr
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _function(client: ModuleType, op: dict[str, Any]) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.api.{op['tags'][0]}.{op['operationId']}")


def test_openapi_python_client_generates_every_operation(generated: tuple[ModuleType, str]) -> None:
    client, said = generated
    assert "Endpoint will not be generated" not in said, said
    assert "Unsupported content type" not in said, said
    assert "response will be omitted" not in said, said  # every answer comes back parsed, bytes as a File
    missing = []
    for path, method, op in _operations():
        try:
            module = _function(client, op)
        except ModuleNotFoundError:
            missing.append(f"{method.upper()} {path}")
            continue
        assert callable(module.asyncio_detailed) and callable(module.sync_detailed)
    assert not missing, f"not generated: {missing}"
    # an upload is a binary body the generated function sends as application/octet-stream
    upload = importlib.import_module(f"{PACKAGE}.api.bundles.upload_document")
    assert "application/octet-stream" in Path(upload.__file__ or "").read_text()


class Api:
    """The generated client's functions, called as one role would, over the test's in-process transport."""

    def __init__(self, client: ModuleType, app: Starlette, token: str) -> None:
        self.package = client
        self.client = client.AuthenticatedClient(base_url="http://planwright.test", token=token)
        self.client.set_async_httpx_client(httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://planwright.test",
            headers={"Authorization": f"Bearer {token}"}))

    async def call(self, tag: str, operation: str, *args: Any, expect: int = 200, **kwargs: Any) -> Any:
        module = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation}")
        answer = await module.asyncio_detailed(*args, client=self.client, **kwargs)
        assert answer.status_code == expect, (operation, answer.status_code, answer.content[:500])
        return answer

    def model(self, name: str) -> Any:
        return getattr(importlib.import_module(f"{PACKAGE}.models"), name)

    async def close(self) -> None:
        await self.client.get_async_httpx_client().aclose()


async def test_the_journey_runs_through_the_generated_python_client(
    generated: tuple[ModuleType, str], app: Starlette, tenant: Tenant, worker: None,
) -> None:
    client, _ = generated
    from planwright_client.types import File  # type: ignore[import-not-found]

    # the generated async functions hand the File's payload to httpx as the request content: bytes (an io.BytesIO
    # is a synchronous stream, which httpx's AsyncClient refuses; the sync functions take either)
    apis = {role: Api(client, app, token) for role, token in tenant.tokens.items()}
    try:
        la, reviewer, finance = apis["la_officer"], apis["qa_reviewer"], apis["finance"]
        create = la.model("BundleCreate").from_dict({"reference": "GEN-PY-1", "work_type": "new_plan",
                                                     "tier": "standard"})
        bundle = (await la.call("bundles", "create_bundle", body=create, expect=201)).parsed
        bundle_id = str(bundle.id)
        document = (await la.call("bundles", "upload_document", bundle_id, body=File(payload=EP_REPORT),
                                  filename="advice.pdf", expect=201)).parsed
        assert document.kind == "pdf" and document.media_type == "application/pdf"
        assert (await la.call("bundles", "submit_bundle", bundle_id)).parsed.status.value == "submitted"

        async def offered() -> bool:
            return str((await la.call("bundles", "get_bundle", bundle_id)).parsed.status.value) == "offered"

        await eventually(offered)
        writer = None
        for key in ("writer1", "writer2", "writer3"):
            offers = (await apis[key].call("offers", "list_offers")).parsed.items
            mine = [o for o in offers if str(o.bundle_id) == bundle_id]
            if mine:
                writer = apis[key]
                await writer.call("offers", "accept_offer", str(mine[0].id))
                break
        assert writer is not None, "no writer was offered the bundle"
        detail = (await writer.call("bundles", "get_bundle", bundle_id)).parsed
        advice = await writer.call("bundles", "download_document", bundle_id, str(detail.documents[0].id))
        assert advice.content.startswith(b"%PDF")
        draft = (await writer.call("drafts", "upload_draft", bundle_id, body=File(payload=DRAFT_PLAN),
                                   filename="draft.docx", expect=201)).parsed
        draft_id = str(draft.id)

        await reviewer.call("qa", "claim_draft", draft_id)
        sheet = (await reviewer.call("qa", "review_sheet", draft_id)).parsed
        dismissal = reviewer.model("DismissFinding").from_dict({"reason": "a short test plan, by design"})
        for finding in sheet.findings:
            if finding.severity == "error":
                await reviewer.call("qa", "dismiss_finding", draft_id, str(finding.index), body=dismissal)
        checklist = reviewer.model("QaPass").from_dict({"checklist": {i.key: True for i in sheet.manual_items}})
        await reviewer.call("qa", "pass_draft", draft_id, body=checklist)
        delivered = await la.call("delivery", "download_delivered", bundle_id)
        assert delivered.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        assert isinstance(delivered.parsed, File) and delivered.parsed.payload.read() == delivered.content
        assert delivered.content.startswith(b"PK")
        link = (await la.call("delivery", "delivered_link", bundle_id)).parsed
        by_link = await la.call("delivery", "redeem", link.url.rsplit("/", 1)[1])
        assert isinstance(by_link.parsed, File) and by_link.parsed.payload.read() == delivered.content

        # the invoice in each format: the bytes as sent, whatever the format (no format parsed as another)
        month = (await BillableLine.filter(bundle_id=bundle_id).first()).month  # type: ignore[union-attr]
        invoice_format = finance.model("InvoiceFormat")
        args = (month, str(tenant.la.id))
        as_csv = await finance.call("billing", "invoice", *args, format_=invoice_format.CSV)
        assert as_csv.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        assert any("GEN-PY-1" in row for row in rows), rows
        as_xlsx = await finance.call("billing", "invoice", *args, format_=invoice_format.XLSX)
        book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
        cells = [c for sheet_ in book.worksheets for row in sheet_.iter_rows(values_only=True) for c in row]
        assert "GEN-PY-1" in cells
        as_json = await finance.call("billing", "invoice", *args, format_=invoice_format.JSON)
        assert "GEN-PY-1" in json.dumps(json.loads(as_json.content))

        # a report, typed as JSON and as CSV through its `.csv` twin: the same table
        typed = (await finance.call("reports", "turnaround_report")).parsed
        assert typed.report == "turnaround" and typed.rows, typed
        report_csv = await finance.call("reports", "turnaround_report_csv")
        assert report_csv.headers["content-type"].startswith("text/csv") and isinstance(report_csv.parsed, str)
        table = list(csv.DictReader(io.StringIO(report_csv.parsed.lstrip("\ufeff"))))
        assert list(table[0]) == typed.columns and len(table) == len(typed.rows), (table, typed)
    finally:
        for api in apis.values():
            await api.close()


# --- TypeScript: openapi-typescript and tsc --------------------------------------------------------------------


def _every_operation_ts() -> str:
    """A TypeScript file that fails to type-check unless every operation of the contract has its types: the path
    and method resolve to the operation named by its operationId, each upload takes bytes, each answer typed."""
    lines = ['import type { operations, paths } from "./planwright";', "",
             "type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;", ""]
    for n, (path, method, op) in enumerate(_operations()):
        lines.append(f'export const op{n}: Same<paths["{path}"]["{method}"], operations["{op["operationId"]}"]> '
                     "= true;")
        if "application/octet-stream" in op.get("requestBody", {}).get("content", {}):
            lines.append(f'export const body{n}: operations["{op["operationId"]}"]["requestBody"]["content"]'
                         '["application/octet-stream"] = "bytes";')
        for status in op["responses"]:
            lines.append(f'export type answer{n}_{status} = operations["{op["operationId"]}"]["responses"]'
                         f'["{status}"];')
    return "\n".join(lines) + "\n"


def _node_tools() -> tuple[str, str] | None:
    node, npm = shutil.which("node"), shutil.which("npm")
    return (node, npm) if node and npm else None


def test_the_lock_names_no_registry_host() -> None:
    lock = json.loads((TS / "package-lock.json").read_text())
    resolved = [p.get("resolved") for p in lock["packages"].values() if p.get("resolved")]
    assert not resolved, resolved
    assert not re.search(r"registry|npmjs", (TS / "package-lock.json").read_text())
    assert "omit-lockfile-registry-resolved=true" in (TS / ".npmrc").read_text()


def test_openapi_typescript_types_every_operation_and_tsc_accepts_their_use(tmp_path: Path) -> None:
    tools = _node_tools()
    if tools is None:
        missing("node and npm are not installed: the TypeScript client is generated and type-checked in CI")
    work = tmp_path / "ts"
    work.mkdir()
    for name in ("package.json", "package-lock.json", ".npmrc", "tsconfig.json", "usage.ts"):
        shutil.copy(TS / name, work / name)
    _run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], work)
    _run(["node", "node_modules/openapi-typescript/bin/cli.js", str(CONTRACT), "-o", "planwright.ts"], work)
    (work / "every_operation.ts").write_text(_every_operation_ts())
    _run(["node", "node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], work)

    # and tsc is not merely lenient: a name the contract lacks is an error
    (work / "every_operation.ts").write_text(_every_operation_ts().replace('operations["create_bundle"]',
                                                                           'operations["create_bundles"]', 1))
    broken = subprocess.run(["node", "node_modules/typescript/bin/tsc", "-p", "tsconfig.json"],
                            cwd=work, capture_output=True, text=True, timeout=300, check=False)
    assert broken.returncode != 0 and "create_bundles" in broken.stdout, broken.stdout
