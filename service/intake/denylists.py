"""The LA's deny-list on a bundle: salted hashes of its real identifiers, attached before (re)submission.

Only hashes reach Planwright (CLI-CONTRACTS.md); the plain values stay with the LA, which makes the file with
`planwright denylist make` on its own side.
"""

from __future__ import annotations

from uuid import UUID

from tortoise.transactions import in_transaction

from contracts.api import DenyListIn
from service.auth import scope
from service.auth.principal import Principal
from service.bundles.service import EDITABLE
from service.bundles.transitions import record
from service.errors import Conflict, InvalidInput
from service.models import Bundle
from service.screening.denylist import DenyList, DenyListError


def _editable(bundle: Bundle) -> None:
    if bundle.status not in EDITABLE:
        raise Conflict(f"the bundle is {bundle.status.value}; its deny-list can change only while draft or rejected",
                       current_status=bundle.status.value)


async def attach(principal: Principal, bundle_id: UUID, body: DenyListIn) -> int:
    """Store the deny-list on the bundle (replacing any earlier one); the number of hashes."""
    bundle = await scope.get_bundle(principal, bundle_id)
    _editable(bundle)
    try:
        deny = DenyList(body.salt, body.hashes)
    except DenyListError as exc:
        raise InvalidInput(f"body.salt: {exc}") from None
    stored = {"salt": deny.salt_hex, "hashes": sorted(deny.hashes)}
    async with in_transaction() as conn:
        updated = await Bundle.filter(id=bundle.id, status__in=tuple(EDITABLE)).using_db(conn).update(deny_list=stored)
        if updated != 1:
            raise Conflict("the bundle was submitted meanwhile; its deny-list can no longer change")
        await record(bundle.id, "deny_list.attached", conn=conn, actor_id=principal.user_id,
                     data={"hashes": len(deny)})
    return len(deny)


async def remove(principal: Principal, bundle_id: UUID) -> None:
    bundle = await scope.get_bundle(principal, bundle_id)
    _editable(bundle)
    async with in_transaction() as conn:
        updated = await Bundle.filter(id=bundle.id, status__in=tuple(EDITABLE)).using_db(conn).update(deny_list=None)
        if updated != 1:
            raise Conflict("the bundle was submitted meanwhile; its deny-list can no longer change")
        await record(bundle.id, "deny_list.removed", conn=conn, actor_id=principal.user_id)


def hash_count(bundle: Bundle) -> int:
    return len(bundle.deny_list.get("hashes", [])) if bundle.deny_list else 0
