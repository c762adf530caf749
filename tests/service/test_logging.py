"""Logs: a request id on every request (accepted or made, echoed); no token or file name in any log line."""

from __future__ import annotations

import logging

import httpx
import pytest

from service.logging import configure_logging
from tests.factories import Tenant
from tests.files import EP_REPORT, PDF


async def test_a_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    hostile = await client.get("/healthz", headers={"X-Request-ID": "x" * 500})
    assert hostile.headers["x-request-id"] != "x" * 500


async def test_no_token_or_file_name_reaches_the_logs(
    client: httpx.AsyncClient, tenant: Tenant, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(json_logs=True, level="info")
    try:
        la = tenant.auth("la_officer")
        with caplog.at_level(logging.INFO):
            created = await client.post("/v1/bundles", headers=la, json={"reference": "LOG-1", "work_type": "new_plan"})
            bundle_id = created.json()["id"]
            await client.post(f"/v1/bundles/{bundle_id}/documents", params={"filename": "Jane Doe EP report.pdf"},
                              content=EP_REPORT, headers={**la, "Content-Type": PDF})
            await client.get("/v1/bundles", headers={"Authorization": "Bearer pw_wrong_token_value"})
        captured = capsys.readouterr()
        text = caplog.text + captured.err + captured.out
        assert "http.request" in text
        assert tenant.tokens["la_officer"] not in text
        assert "pw_wrong_token_value" not in text
        assert "Jane Doe" not in text
    finally:
        logging.getLogger().handlers.clear()
