"""Walk one demo bundle through its whole life against a running server, printing each step (the README's tour)."""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from service import clock
from service.cli import UsageError
from service.demo_files import FRONT_SHEET, advice_pdf, draft_docx
from service.settings import ENV_PREFIX, Settings

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ServerAddress(BaseSettings):
    """Where `planwright serve` listens: the same PLANWRIGHT_HOST and PLANWRIGHT_PORT (environment or .env)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")
    host: str = Settings.model_fields["host"].default
    port: int = Settings.model_fields["port"].default


def default_base_url() -> str:
    try:
        address = ServerAddress()
    except ValidationError:
        raise UsageError("setting PLANWRIGHT_PORT: must be a port number (1-65535)") from None
    host = "127.0.0.1" if address.host in {"0.0.0.0", "::", ""} else address.host  # noqa: S104 - a listen-all address
    return f"http://{host}:{address.port}"


def configure(parser: argparse.ArgumentParser) -> None:
    try:
        default = default_base_url()
    except UsageError:  # said when the command runs, not while every command's options are being listed
        default = "PLANWRIGHT_HOST and PLANWRIGHT_PORT (invalid now)"
    parser.add_argument("--base-url", help=f"the running server (default: {default}, from PLANWRIGHT_HOST and "
                                           "PLANWRIGHT_PORT)")
    parser.add_argument("--tokens", type=Path, default=Path("var/demo-tokens.json"),
                        help="the demo tokens `make run` wrote (default: %(default)s)")


def _expiry(expires_at: str) -> str:
    """When the offer lapses, on London's clock: the window counts working hours, so on a Friday evening, a weekend
    or a bank holiday it runs into the next working day (the journey accepts at once, so nobody waits for it)."""
    expires = clock.london(datetime.fromisoformat(expires_at))
    when = f"the offer expires {expires:%a %d %b %H:%M} London time"
    if expires - clock.london(clock.now()) > timedelta(hours=24):
        when += " (its window counts working hours, 09:00-17:00 on working days, and today is outside them)"
    return when


def run(args: argparse.Namespace) -> int:
    base_url = args.base_url or default_base_url()
    if not args.tokens.exists():
        raise UsageError(f"--tokens: {args.tokens} not found; start the service with `make run` first")
    tokens: dict[str, str] = json.loads(args.tokens.read_text())

    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    def step(text: str, response: httpx.Response) -> Any:
        print(f"{response.status_code}  {text}")
        if response.status_code >= 400:
            raise UsageError(f"{text}: {response.text}")
        return response.json() if "json" in response.headers.get("content-type", "") else response.content

    with httpx.Client(base_url=base_url, timeout=30) as http:
        reference = f"DEMO-{int(clock.now().timestamp())}"
        bundle = step("LA officer creates a bundle",
                      http.post("/v1/bundles", headers=auth("la_officer"),
                                json={"reference": reference, "work_type": "new_plan"}))
        bid = bundle["id"]
        step("LA officer uploads the educational psychology advice (`planwright demo files`' ep.pdf)",
             http.post(f"/v1/bundles/{bid}/documents", params={"filename": "ep.pdf"}, content=advice_pdf(),
                       headers={**auth("la_officer"), "Content-Type": "application/pdf"}))
        step("LA officer submits it for screening", http.post(f"/v1/bundles/{bid}/submit", headers=auth("la_officer")))
        offer, writer = None, None
        for _ in range(120):
            for role in sorted(r for r in tokens if r.startswith("writer")):
                items = http.get("/v1/offers", headers=auth(role)).json()["items"]
                offer = next((o for o in items if o["bundle_id"] == bid), None)
                if offer:
                    writer = role
                    break
            if offer:
                break
            time.sleep(0.5)
        if offer is None or writer is None:
            raise UsageError("no offer appeared within a minute; is the worker running (PLANWRIGHT_EMBEDDED_WORKER)?")
        print(f"      screened, queued and offered to {writer}; {_expiry(offer['expires_at'])}")
        step(f"{writer} accepts the offer", http.post(f"/v1/offers/{offer['id']}/accept", headers=auth(writer)))
        detail = step("the bundle, with documents and timeline", http.get(f"/v1/bundles/{bid}", headers=auth(writer)))
        document = detail["documents"][0]
        step(f"{writer} downloads the advice (audited)",
             http.get(f"/v1/bundles/{bid}/documents/{document['id']}/content", headers=auth(writer)))
        step(f"{writer} fills in the front sheet",
             http.put(f"/v1/bundles/{bid}/front-sheet", headers=auth(writer),
                      json=FRONT_SHEET))
        draft = step(f"{writer} uploads a draft plan (automated QA findings come back at once)",
                     http.post(f"/v1/bundles/{bid}/drafts", params={"filename": "draft.docx"},
                               content=draft_docx(), headers={**auth(writer), "Content-Type": DOCX}))
        print(f"      {len(draft['qa_findings'])} automated findings")
        step("QA reviewer reads the queue", http.get("/v1/qa/queue", headers=auth("qa_reviewer")))
        step("QA reviewer claims the draft", http.post(f"/v1/drafts/{draft['id']}/claim", headers=auth("qa_reviewer")))
        sheet = step("QA reviewer opens the checklist",
                     http.get(f"/v1/drafts/{draft['id']}/review", headers=auth("qa_reviewer")))
        for finding in sheet["findings"]:
            dismissed = step(f"QA reviewer dismisses the {finding['severity']} {finding['check']}, with a reason",
                             http.post(f"/v1/drafts/{draft['id']}/findings/{finding['index']}/dismiss",
                                       headers=auth("qa_reviewer"),
                                       json={"reason": "reviewed: the occupational therapy review belongs in G"}))
            print(f"      dismissals: {[d['check'] for d in dismissed['dismissals']]}")
        step("QA reviewer passes the draft",
             http.post(f"/v1/drafts/{draft['id']}/pass", headers=auth("qa_reviewer"),
                       json={"checklist": {item["key"]: True for item in sheet["manual_items"]}}))
        link = step("LA officer asks for a five-minute download link",
                    http.post(f"/v1/bundles/{bid}/delivered-draft/link", headers=auth("la_officer")))
        step("anyone holding the link downloads it, once (audited with the client's address)", http.get(link["url"]))
        print(f"      the same link again: {http.get(link['url']).status_code} (single use)")
        step("LA officer downloads the delivered draft",
             http.get(f"/v1/bundles/{bid}/delivered-draft", headers=auth("la_officer")))
        step("LA officer accepts it", http.post(f"/v1/bundles/{bid}/accept", headers=auth("la_officer")))
        month = clock.month_of(clock.now())
        orders = step("LA officer reads its purchase orders (spent, committed, remaining)",
                      http.get("/v1/billing/purchase-orders", headers=auth("la_officer")))
        la_id = orders["items"][0]["la_id"] if orders.get("items") else None
        if la_id is not None:
            csv_text = http.get(f"/v1/billing/months/{month}/invoices/{la_id}", headers=auth("finance"))
            step(f"finance reads the LA's {month} invoice (a draft until the month is closed)", csv_text)
            print("      " + "\n      ".join(line for line in csv_text.text.splitlines() if reference in line))
        timeline = http.get(f"/v1/bundles/{bid}", headers=auth("la_officer")).json()["timeline"]
        print("timeline: " + " -> ".join(e["to_status"] for e in timeline if e["to_status"]))
    return 0
