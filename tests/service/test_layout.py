"""One home per URL prefix: every path under a prefix is declared in the routes modules of one room (folder)."""

from __future__ import annotations

import pytest

from service.app import ENDPOINTS
from service.http import Endpoint

# the first path segment (after /v1 for the API) -> the folder under service/ whose routes serve it
HOMES = {
    "healthz": "health",
    "readyz": "health",
    "metrics": "metrics",
    "bundles": "bundles",
    "offers": "offers",
    "allocation": "allocation",
    "writers": "writers",
    "work": "drafts",
    "drafts": "drafts",
    "queries": "queries",
    "qa": "reviews",
    "downloads": "delivery",
    "billing": "billing",
    "admin": "admin",
    "organisations": "organisations",
    "webhooks": "webhooks",
    "notifications": "notifications",
    "reports": "sla",
    "audit": "audit",
    "problems": "problems",
    "me": "auth",
    "auth": "auth",
}


def _prefix(path: str) -> str:
    segments = path.strip("/").split("/")
    return segments[1] if segments[0] == "v1" else segments[0]


def _where(ep: Endpoint) -> tuple[str, str]:
    """(folder, module) of the module that declares the endpoint's handler, e.g. ("bundles", "draft_routes")."""
    package, _, module = ep.handler.__module__.rpartition(".")
    return package.removeprefix("service."), module


def test_every_prefix_has_a_home() -> None:
    unknown = sorted({_prefix(ep.path) for ep in ENDPOINTS} - HOMES.keys())
    assert unknown == [], "name the folder that serves these prefixes in HOMES"


@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda ep: f"{ep.method} {ep.path}")
def test_each_path_is_served_from_its_prefix_home(ep: Endpoint) -> None:
    folder, module = _where(ep)
    assert folder == HOMES[_prefix(ep.path)], f"{ep.handler.__module__} serves a path that belongs in another folder"
    assert module == "routes" or module.endswith("_routes"), "routes are declared in routes.py or <name>_routes.py"


def test_the_table_names_no_prefix_that_is_gone() -> None:
    assert HOMES.keys() - {_prefix(ep.path) for ep in ENDPOINTS} == set()
