"""Refusals on the record: a 403, or a 404 for an object that exists in another tenant, is audited (rate-limited,
never the request body) and counted; one caller collecting many cross-tenant 404s raises a security event.

A 404 for an id that exists nowhere is not a refusal (a typo, a deleted object) and is not recorded: the object
named must exist for the 404 to mean "not yours". Recording never changes the answer the caller gets, and a
failure to record is logged, not raised.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from tortoise.transactions import in_transaction

from contracts.webhooks import SecurityNoticeData
from service.audit.service import audit
from service.auth.principal import Principal
from service.auth.pseudonyms import pseudonym
from service.logging import get_logger
from service.metrics.registry import DENIED, SECURITY_EVENTS
from service.models import (
    ApiToken,
    BillableLine,
    Bundle,
    Document,
    Draft,
    Offer,
    Organisation,
    OrganisationKind,
    Query,
    WebhookDelivery,
    WebhookEndpoint,
    Writer,
)
from service.runtime import current
from service.webhooks.notices import announce

log = get_logger(__name__)
# each parameter that names an object: its model, and the path to the organisation that owns it
OWNERS: dict[str, tuple[type[Any], str]] = {
    "bundle_id": (Bundle, "la_id"), "document_id": (Document, "bundle__la_id"), "offer_id": (Offer, "bundle__la_id"),
    "draft_id": (Draft, "bundle__la_id"), "query_id": (Query, "bundle__la_id"),
    "endpoint_id": (WebhookEndpoint, "la_id"), "delivery_id": (WebhookDelivery, "endpoint__la_id"),
    "token_id": (ApiToken, "user__organisation_id"), "writer_id": (Writer, "provider_id"),
    "la_id": (Organisation, "id"), "line_id": (BillableLine, "la_id"),
}
# windows kept in this process (like the rate limits without Redis): the audit budget and the probe counter
_windows = MovingWindowRateLimiter(MemoryStorage())


async def owner_of(name: str, value: str) -> UUID | None:
    """The organisation owning the object `name`=`value` names, or None if there is no such object."""
    model, path = OWNERS[name]
    try:
        key: Any = int(value) if name == "line_id" else UUID(value)
    except ValueError:
        return None
    if isinstance(key, int) and not 0 < key < 2**63:
        return None
    found = await model.filter(id=key).values_list(path, flat=True)
    return UUID(str(found[0])) if found and found[0] is not None else None


async def record_denial(principal: Principal, method: str, route: str, params: dict[str, str], status: int) -> None:
    try:
        await _record(principal, method, route, params, status)
    except Exception as exc:  # the caller's answer stands whatever happens here
        log.warning("audit.denial_not_recorded", error=type(exc).__name__, route=route)


async def _tenant_of(organisation: UUID) -> UUID | None:
    """The writing service an organisation belongs to (itself for a provider): tenancy is drawn around it."""
    row = await Organisation.filter(id=organisation).values_list("kind", "provider_id")
    if not row:
        return None
    kind, provider = row[0]
    return organisation if kind == OrganisationKind.PROVIDER else (UUID(str(provider)) if provider else None)


async def _record(principal: Principal, method: str, route: str, params: dict[str, str], status: int) -> None:
    owner: UUID | None = None
    object_type, object_id = "route", route
    for name, value in params.items():
        if name not in OWNERS:
            continue
        if object_type == "route":
            object_type, object_id = name.removesuffix("_id"), value
        found = await owner_of(name, value)
        if found is not None:
            owner, object_type, object_id = found, name.removesuffix("_id"), value
            break
    if status == 404 and owner is None:
        return  # nothing by that id anywhere: not a refusal
    cross = owner is not None and await _tenant_of(owner) != principal.provider_id
    outcome = "forbidden" if status == 403 else ("cross_tenant" if cross else "out_of_reach")
    DENIED.labels(outcome=outcome).inc()
    settings = current().settings
    budget = RateLimitItemPerSecond(settings.denied_audit_per_minute, 60, namespace="planwright-denied")
    if await _windows.hit(budget, f"{principal.user_id}:{method} {route}"):
        await audit(principal, "access.denied", object_type=object_type, object_id=object_id,
                    data={"method": method, "route": route, "status": status, "outcome": outcome})
    if status == 404 and cross and owner is not None:
        await _count_probe(principal, owner)


async def _count_probe(principal: Principal, probed: UUID) -> None:
    settings = current().settings
    window = settings.probe_window_seconds
    probes = RateLimitItemPerSecond(settings.probe_threshold, window, namespace="planwright-probes")
    if await _windows.hit(probes, str(principal.user_id)):
        return
    # over the threshold: one security event per caller per window
    if not await _windows.hit(RateLimitItemPerSecond(1, window, namespace="planwright-probe-alert"),
                              str(principal.user_id)):
        return
    SECURITY_EVENTS.labels(kind="probing").inc()
    kinds = [str(kind) for kind in await Organisation.filter(id=probed).values_list("kind", flat=True)]
    probed_la = probed if kinds == [OrganisationKind.LA.value] else None
    async with in_transaction() as conn:
        await audit(principal, "security.probing", object_type="organisation", object_id=probed,
                    data={"cross_tenant_404s": settings.probe_threshold, "window_seconds": window}, using=conn)
        told: list[tuple[UUID, SecurityNoticeData]] = []
        for organisation in dict.fromkeys(o for o in (principal.provider_id, probed_la,
                                                      principal.organisation_id if principal.is_la else None) if o):
            # an LA reads a provider person as its pseudonym; the provider (and the prober's own LA) by user id
            own = organisation in {principal.organisation_id, principal.provider_id}
            actor = str(principal.user_id) if own else pseudonym(organisation, principal.writer_id or principal.user_id,
                                                                    principal.role)
            told.append((organisation, SecurityNoticeData(
                actor=actor, actor_organisation_id=principal.organisation_id, action="security.probing",
                la_id=probed_la, cross_tenant_404s=settings.probe_threshold, window_seconds=window)))
        await announce(told, "security.probing", conn=conn)
