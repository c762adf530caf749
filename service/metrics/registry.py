"""Prometheus metrics: request latency observed as requests finish, queue figures read from the database on scrape.

Two views. The operator's (`scrape`) is the whole instance: every route's latency, every tenant's queues, refusals
and security events. A provider's (`provider_scrape`) is its own figures only, in a registry made for that scrape:
its bundles by status, its pending offers, its overdue bundles; never another tenant's, never the instance's
request counters (which would show how busy the other tenants are).
"""

from __future__ import annotations

from uuid import UUID

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from tortoise.functions import Count

from service import clock
from service.models import Bundle, BundleStatus, Offer, OfferStatus, OutboxMessage

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_SECONDS = Histogram(
    "planwright_http_request_seconds", "HTTP request latency by route template and status",
    ["method", "route", "status"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BUNDLES = Gauge("planwright_bundles", "Bundles by status", ["status"], registry=REGISTRY)
OFFERS_PENDING = Gauge("planwright_offers_pending", "Offers waiting for a writer's answer", registry=REGISTRY)
OUTBOX_PENDING = Gauge("planwright_outbox_pending", "Jobs written but not yet relayed to the broker",
                       registry=REGISTRY)
BUNDLES_OVERDUE = Gauge("planwright_bundles_overdue", "Bundles past their turnaround date and not yet delivered",
                        registry=REGISTRY)

DENIED = Counter("planwright_denied_requests", "Refused calls: forbidden (403), cross_tenant or out_of_reach (404 for "
                 "an object that exists)", ["outcome"], registry=REGISTRY)
SECURITY_EVENTS = Counter("planwright_security_events", "Security events raised (probing: one caller collecting "
                          "many cross-tenant 404s)", ["kind"], registry=REGISTRY)

NOT_DELIVERED = [s for s in BundleStatus if s not in {
    BundleStatus.DELIVERED, BundleStatus.ACCEPTED, BundleStatus.CLOSED, BundleStatus.CANCELLED,
    BundleStatus.REJECTED, BundleStatus.DRAFT}]


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_SECONDS.labels(method=method, route=route, status=str(status)).observe(seconds)


async def scrape() -> bytes:
    """Refresh the database-backed gauges (aggregates, not row loops), then render every metric."""
    rows = await Bundle.annotate(n=Count("id")).group_by("status").values_list("status", "n")
    counts = {str(status): int(n) for status, n in rows}
    for status in BundleStatus:
        BUNDLES.labels(status=status.value).set(counts.get(status.value, 0))
    OFFERS_PENDING.set(await Offer.filter(status=OfferStatus.PENDING).count())
    OUTBOX_PENDING.set(await OutboxMessage.filter(published_at__isnull=True).count())
    BUNDLES_OVERDUE.set(await Bundle.filter(status__in=NOT_DELIVERED, turnaround_due__lt=clock.today()).count())
    return generate_latest(REGISTRY)


async def provider_scrape(provider_id: UUID) -> bytes:
    """One provider's own figures, in a registry of their own (nothing instance-wide, nothing of other tenants)."""
    registry = CollectorRegistry(auto_describe=True)
    bundles = Gauge("planwright_bundles", "Bundles by status", ["status"], registry=registry)
    mine = Bundle.filter(provider_id=provider_id)
    rows = await mine.annotate(n=Count("id")).group_by("status").values_list("status", "n")
    counts = {str(status): int(n) for status, n in rows}
    for status in BundleStatus:
        bundles.labels(status=status.value).set(counts.get(status.value, 0))
    Gauge("planwright_offers_pending", "Offers waiting for a writer's answer", registry=registry).set(
        await Offer.filter(status=OfferStatus.PENDING, bundle__provider_id=provider_id).count())
    Gauge("planwright_bundles_overdue", "Bundles past their turnaround date and not yet delivered",
          registry=registry).set(await Bundle.filter(provider_id=provider_id, status__in=NOT_DELIVERED,
                                                     turnaround_due__lt=clock.today()).count())
    return generate_latest(registry)
