"""Intake tests leave no bundle waiting in the queue: later tests run allocation rounds over every tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from service.models import Bundle, BundleStatus


@pytest_asyncio.fixture(autouse=True)
async def _no_queued_bundles_left(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    tenant = getattr(request.node, "funcargs", {}).get("tenant")
    if tenant is not None:
        await Bundle.filter(la_id=tenant.la.id, status__in=(BundleStatus.QUEUED, BundleStatus.SCREENING)).update(
            status=BundleStatus.CANCELLED)
