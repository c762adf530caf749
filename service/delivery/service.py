"""Secure return: after a pass the LA reads the draft (audited, by bearer token or a single-use five-minute link),
can revoke access at once, accepts the draft, or asks for amendments (free inside the contract's window)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from tortoise.transactions import in_transaction

from service import clock
from service.audit.service import audit
from service.auth import scope
from service.auth.principal import Principal, principal_for
from service.billing.service import amendment_charged
from service.bundles.transitions import move, record
from service.contracts_in_force import contract_of
from service.delivery.links import LINK_SECONDS, BadLink, LinkClaims, sign_link, verify_link
from service.errors import Conflict, Forbidden, NotFound
from service.models import Bundle, BundleStatus, DownloadLink, Draft, DraftStatus
from service.runtime import current

RETURNED_TO_LA = frozenset({BundleStatus.DELIVERED, BundleStatus.ACCEPTED, BundleStatus.CLOSED,
                            BundleStatus.AMENDMENT_REQUESTED})


async def _passed_draft(bundle: Bundle) -> Draft:
    if bundle.status not in RETURNED_TO_LA:
        raise Conflict(f"the bundle is {bundle.status.value}; its draft has not passed QA yet",
                       current_status=bundle.status.value)
    draft = await Draft.filter(bundle_id=bundle.id, status=DraftStatus.PASSED).order_by("-cycle").first()
    if draft is None:
        raise Conflict("no passed draft", current_status=bundle.status.value)
    if draft.deleted_at is not None or draft.delivered_key is None:
        raise NotFound("the draft was deleted under the contract's retention schedule")
    return draft


async def delivered_draft(principal: Principal, bundle_id: UUID) -> tuple[Bundle, Draft]:
    bundle = await scope.get_bundle(principal, bundle_id)
    if bundle.access_revoked:
        raise Forbidden("access to this draft has been revoked by the LA")
    return bundle, await _passed_draft(bundle)


async def make_link(principal: Principal, bundle_id: UUID) -> tuple[str, datetime, Draft]:
    """A link for one download within LINK_SECONDS, by whoever holds it, while the maker's access lasts."""
    bundle, draft = await delivered_draft(principal, bundle_id)
    expires = clock.now().replace(microsecond=0) + timedelta(seconds=LINK_SECONDS)
    async with in_transaction() as conn:
        link = await DownloadLink.create(draft_id=draft.id, made_by_id=principal.user_id, token_id=principal.token_id,
                                         expires_at=expires, using_db=conn)
        await audit(principal, "delivered_draft.link_issued", object_type="draft", object_id=draft.id,
                    bundle_id=bundle.id, data={"expires": expires.isoformat(), "link_id": str(link.id)}, using=conn)
    token = sign_link(current().link_key, LinkClaims(link_id=link.id, draft_id=draft.id, user_id=principal.user_id,
                                                     access_version=bundle.access_version,
                                                     expires=int(expires.timestamp())))
    return token, expires, draft


GONE = "this download link is invalid, has expired or has been used"


async def redeem_link(token: str, *, client: str | None) -> tuple[Bundle, Draft, DownloadLink]:
    """The link is its own authority: valid signature, not expired, not used before, access not revoked since it was
    made, and its maker still able to read the draft (user active, token unrevoked and unexpired, same tenancy).
    Spending it is a conditional UPDATE, so of two concurrent uses one wins."""
    try:
        claims = verify_link(current().link_key, token)
    except BadLink:
        raise NotFound(GONE) from None
    link = await DownloadLink.filter(id=claims.link_id, draft_id=claims.draft_id, used_at__isnull=True).select_related(
        "made_by__organisation", "made_by__writer", "token").first()
    if link is None or not _maker_may_still_read(link):
        raise NotFound(GONE)
    maker = principal_for(link.made_by)
    try:
        bundle, draft = await delivered_draft(maker, (await Draft.get(id=claims.draft_id)).bundle_id)  # type: ignore[attr-defined]
    except (NotFound, Forbidden, Conflict):
        raise NotFound(GONE) from None
    if draft.id != claims.draft_id or bundle.access_version != claims.access_version:
        raise NotFound(GONE)
    async with in_transaction() as conn:
        spent = await DownloadLink.filter(id=link.id, used_at__isnull=True).using_db(conn).update(
            used_at=clock.now(), used_from=(client or "")[:64] or None)
        if spent != 1:
            raise NotFound(GONE)
    return bundle, draft, link


def _maker_may_still_read(link: DownloadLink) -> bool:
    if not link.made_by.active:
        return False
    token = link.token
    return token is None or (token.revoked_at is None and (token.expires_at is None or token.expires_at > clock.now()))


async def set_access(principal: Principal, bundle_id: UUID, *, revoked: bool) -> Bundle:
    bundle = await scope.get_bundle(principal, bundle_id)
    async with in_transaction() as conn:
        fields: dict[str, object] = {"access_revoked": revoked, "updated_at": clock.now()}
        if revoked:
            fields["access_version"] = bundle.access_version + 1
        await Bundle.filter(id=bundle.id).using_db(conn).update(**fields)
        await record(bundle.id, "access.revoked" if revoked else "access.restored", conn=conn,
                     actor_id=principal.user_id)
        await audit(principal, "access.revoked" if revoked else "access.restored", object_type="bundle",
                    object_id=bundle.id, bundle_id=bundle.id, using=conn)
    return await Bundle.get(id=bundle.id)


async def accept(principal: Principal, bundle_id: UUID) -> Bundle:
    bundle = await scope.get_bundle(principal, bundle_id)
    async with in_transaction() as conn:
        return await move(bundle.id, BundleStatus.ACCEPTED, conn=conn, actor_id=principal.user_id,
                          expect=BundleStatus.DELIVERED)


async def request_amendment(principal: Principal, bundle_id: UUID, reason: str) -> Bundle:
    """Back to the same writer, ahead of new work; free when asked within the contract's window of working days,
    otherwise charged by an amendment line written in this transaction (service/billing/service.py)."""
    bundle = await scope.get_bundle(principal, bundle_id)
    now = clock.now()
    async with in_transaction() as conn:
        charged, days, window = amendment_charged(await contract_of(bundle, conn), bundle, now)
        return await move(bundle.id, BundleStatus.AMENDMENT_REQUESTED, conn=conn, actor_id=principal.user_id,
                          expect=BundleStatus.DELIVERED, event="amendment.requested",
                          data={"free": not charged, "window_working_days": window, "working_days": days,
                                "reason": reason})


async def work_list(principal: Principal) -> list[Bundle]:
    """The writer's held bundles: amendments first (ahead of new work), then returned drafts, then by due date."""
    rank = {BundleStatus.AMENDMENT_REQUESTED: 0, BundleStatus.RETURNED: 1}
    held = await scope.bundles(principal).filter(status__in=[
        BundleStatus.AMENDMENT_REQUESTED, BundleStatus.RETURNED, BundleStatus.ALLOCATED, BundleStatus.DRAFTING,
        BundleStatus.AWAITING_LA])
    return sorted(held, key=lambda b: (rank.get(b.status, 2), b.turnaround_due or datetime.max.date(), str(b.id)))
