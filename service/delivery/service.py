"""Secure return: the LA reads the passed draft (audited) and accepts it."""

from __future__ import annotations

from uuid import UUID

from tortoise.transactions import in_transaction

from service.auth import scope
from service.auth.principal import Principal
from service.bundles.transitions import move
from service.errors import Conflict, NotFound
from service.models import Bundle, BundleStatus, Draft, DraftStatus

RETURNED_TO_LA = frozenset({BundleStatus.DELIVERED, BundleStatus.ACCEPTED, BundleStatus.CLOSED,
                            BundleStatus.AMENDMENT_REQUESTED})


async def delivered_draft(principal: Principal, bundle_id: UUID) -> tuple[Bundle, Draft]:
    bundle = await scope.get_bundle(principal, bundle_id)
    if bundle.status not in RETURNED_TO_LA:
        raise Conflict(f"the bundle is {bundle.status.value}; its draft has not passed QA yet",
                       current_status=bundle.status.value)
    draft = await Draft.filter(bundle_id=bundle.id, status=DraftStatus.PASSED).order_by("-cycle").first()
    if draft is None:
        raise Conflict("no passed draft", current_status=bundle.status.value)
    if draft.deleted_at is not None:
        raise NotFound("the draft was deleted under the contract's retention schedule")
    return bundle, draft


async def accept(principal: Principal, bundle_id: UUID) -> Bundle:
    bundle = await scope.get_bundle(principal, bundle_id)
    async with in_transaction() as conn:
        return await move(bundle.id, BundleStatus.ACCEPTED, conn=conn, actor_id=principal.user_id,
                          expect=BundleStatus.DELIVERED)
