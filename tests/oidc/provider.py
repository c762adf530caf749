"""The real OpenID Provider the sign-in tests run: panva's certified `oidc-provider` (tests/oidc/op, installed with
`npm ci` from its committed lock into a temporary folder), started with the machine's Node.js on a free port, and a
browser (httpx, keeping cookies) that signs a person in by posting the provider's own login and consent forms."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from joserfc.jwk import RSAKey

from tests.real_parts import missing

OP_SOURCE = Path(__file__).parent / "op"
CLIENT_ID = "planwright"
CLIENT_SECRET = "a-client-secret-for-the-tests-only"
OTHER_CLIENT_ID = "another-app"
OTHER_REDIRECT = "https://another-app.test/callback"
APP_ORIGIN = "https://planwright.test"


def install(into: Path) -> Path:
    """The provider's packages, installed as CI installs them: `npm ci` from the committed lock."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        missing("node and npm are not installed: the real OpenID Provider (oidc-provider) runs on Node.js")
    for name in ("package.json", "package-lock.json", ".npmrc", "server.js"):
        shutil.copy(OP_SOURCE / name, into / name)
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=into, capture_output=True,
                          text=True, timeout=300, check=False)
    if done.returncode != 0:
        missing(f"npm ci of the OpenID Provider failed: {done.stderr[-500:]}")
    return into


def new_keys(kid: str) -> dict[str, Any]:
    return {"keys": [RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"},
                                         private=True).as_dict(private=True)]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Account:
    sub: str
    email: str
    name: str
    groups: list[str] = field(default_factory=list)


@dataclass
class OpenIdProvider:
    folder: Path
    accounts: dict[str, Account]
    port: int = field(default_factory=_free_port)
    id_token_ttl: int = 3600
    process: subprocess.Popen[str] | None = None
    log: Path | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, jwks: dict[str, Any]) -> None:
        config = {
            "issuer": self.issuer, "port": self.port, "jwks": jwks, "id_token_ttl": self.id_token_ttl,
            "accounts": {login: vars(account) for login, account in self.accounts.items()},
            "clients": [
                {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_types": ["authorization_code"],
                 "response_types": ["code"], "redirect_uris": [f"{APP_ORIGIN}/v1/auth/oidc/callback"]},
                {"client_id": OTHER_CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_types": ["authorization_code"],
                 "response_types": ["code"], "redirect_uris": [OTHER_REDIRECT]},
            ],
        }
        path = self.folder / f"config-{self.port}.json"
        path.write_text(json.dumps(config))
        self.log = self.folder / f"provider-{self.port}.log"
        with self.log.open("a") as log:
            self.process = subprocess.Popen(["node", "server.js", str(path)], cwd=self.folder, text=True,
                                            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the OpenID Provider stopped: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the OpenID Provider did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>(.*?)</form>', re.S | re.I)


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "input" and named.get("name"):
            self.fields[str(named["name"])] = named.get("value") or ""


def _form(page: httpx.Response) -> tuple[str, dict[str, str]]:
    found = _FORM.search(page.text)
    assert found is not None, f"no form on the provider's page: {page.status_code} {page.text[:300]}"
    inputs = _Inputs()
    inputs.feed(found.group(2))
    return urljoin(str(page.url), unescape(found.group(1))), inputs.fields


async def through_provider(browser: httpx.AsyncClient, url: str, login: str, *,
                           stop_at: str = f"{APP_ORIGIN}/v1/auth/oidc/callback") -> httpx.URL:
    """Follow `url` through the provider's login and consent pages as a person would (any password: the provider's
    development login), up to the redirect to `stop_at`, which is returned, not followed."""
    response = await browser.get(url)
    for _ in range(20):
        if response.is_redirect:
            target = urljoin(str(response.url), response.headers["location"])
            if target.startswith(stop_at):
                return httpx.URL(target)
            response = await browser.get(target)
        elif response.status_code == 200 and _FORM.search(response.text):
            action, fields = _form(response)
            if fields.get("prompt") == "login":
                fields.update(login=login, password="any password")
            response = await browser.post(action, data=fields)
        else:
            raise AssertionError(f"the provider answered {response.status_code}: {response.text[:300]}")
    raise AssertionError("the provider's pages went round in circles")
