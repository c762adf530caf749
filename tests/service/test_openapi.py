"""The API document: generated from the code, committed in contracts/, served, and never allowed to drift."""

from __future__ import annotations

import json

import httpx

from service.app import ENDPOINTS, openapi_document
from service.commands.openapi import CONTRACT
from service.openapi import render


def test_committed_openapi_matches_the_code() -> None:
    assert CONTRACT.read_text() == render(openapi_document()), "run `planwright openapi` and commit the result"


def test_every_endpoint_is_documented_with_its_roles() -> None:
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    for ep in ENDPOINTS:
        op = document["paths"][ep.path][ep.method.lower()]
        assert op["x-roles"] == (sorted(r.value for r in ep.roles) or ["public"])
        if not ep.public:
            assert {"401", "403"} <= set(op["responses"])


async def test_the_document_and_the_docs_page_are_served_without_internet(client: httpx.AsyncClient) -> None:
    served = await client.get("/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(CONTRACT.read_text())
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text
    assert "http://" not in docs.text.replace("http://' +", "") and "https://" not in docs.text
