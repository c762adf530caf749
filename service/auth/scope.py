"""Tenant scoping: the only way handlers reach tenant-owned rows. Another tenant's row is simply not there (404)."""

from __future__ import annotations

from uuid import UUID

from tortoise.queryset import QuerySet

from service.auth.principal import Principal
from service.errors import NotFound
from service.models import Bundle, Draft, Offer, Role


def bundles(principal: Principal) -> QuerySet[Bundle]:
    if principal.is_la:
        return Bundle.filter(la_id=principal.organisation_id)
    if principal.role == Role.WRITER:
        query = Bundle.filter(provider_id=principal.organisation_id, writer_id=principal.writer_id)
    else:
        query = Bundle.filter(provider_id=principal.organisation_id)
    # a token scoped to one LA reaches that LA's work only
    return query.filter(la_id=principal.la_scope) if principal.la_scope else query


async def get_bundle(principal: Principal, bundle_id: UUID) -> Bundle:
    bundle = await bundles(principal).filter(id=bundle_id).first()
    if bundle is None:
        raise NotFound("no such bundle")
    return bundle


def offers(principal: Principal) -> QuerySet[Offer]:
    if principal.role == Role.WRITER:
        query = Offer.filter(writer_id=principal.writer_id)
    else:
        query = Offer.filter(bundle__provider_id=principal.organisation_id)
    return query.filter(bundle__la_id=principal.la_scope) if principal.la_scope else query


async def get_offer(principal: Principal, offer_id: UUID) -> Offer:
    offer = await offers(principal).filter(id=offer_id).first()
    if offer is None:
        raise NotFound("no such offer")
    return offer


def drafts(principal: Principal) -> QuerySet[Draft]:
    if principal.is_la:
        return Draft.filter(bundle__la_id=principal.organisation_id)
    if principal.role == Role.WRITER:
        query = Draft.filter(writer_id=principal.writer_id)
    else:
        query = Draft.filter(bundle__provider_id=principal.organisation_id)
    return query.filter(bundle__la_id=principal.la_scope) if principal.la_scope else query


async def get_draft(principal: Principal, draft_id: UUID) -> Draft:
    draft = await drafts(principal).filter(id=draft_id).first()
    if draft is None:
        raise NotFound("no such draft")
    return draft
