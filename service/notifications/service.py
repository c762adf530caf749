"""Notifications: who hears about a timeline event (from the topics table), and sending each one by email."""

from __future__ import annotations

import asyncio
import smtplib
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from contracts.webhooks import NotificationOut
from service import clock
from service.auth.principal import Principal
from service.auth.pseudonyms import pseudonym
from service.jobs import Job
from service.logging import get_logger
from service.models import (
    Bundle,
    Event,
    Invitation,
    InvitationStatus,
    Notification,
    NotificationStatus,
    Role,
    User,
    Writer,
)
from service.notifications import email
from service.outbox.service import enqueue
from service.runtime import current
from service.webhooks.rules import Audience, Rule

log = get_logger(__name__)
MAX_SEND_ATTEMPTS = 5


class SendFailed(Exception):
    """The SMTP server did not take the message; the actor's retries try again."""


async def recipients(event: Event, bundle: Bundle, audience: Audience, conn: BaseDBAsyncClient) -> list[User]:
    if audience == Audience.WRITER:
        # an offer names its writer in the event; otherwise it is the bundle's writer
        writer_id = event.data.get("writer_id") if event.name == "offer.made" else None
        writer_id = writer_id or bundle.writer_id  # type: ignore[attr-defined]
        if writer_id is None:
            return []
        writer = await Writer.filter(id=writer_id).using_db(conn).select_related("user").first()
        return [writer.user] if writer is not None and writer.user.active else []
    role = Role.QA_REVIEWER if audience == Audience.REVIEWERS else Role.COORDINATOR
    return list(await User.filter(organisation_id=bundle.provider_id, role=role,  # type: ignore[attr-defined]
                                  active=True).using_db(conn).order_by("id"))


async def fan_out(event: Event, bundle: Bundle, rule: Rule, conn: BaseDBAsyncClient) -> int:
    """One notification per recipient, in the dispatcher's transaction; an email job when it can be emailed."""
    assert rule.audience is not None
    can_email = current().settings.smtp_host is not None
    created = 0
    for user in await recipients(event, bundle, rule.audience, conn):
        emailed = can_email and bool(user.email)
        notice = await Notification.create(
            user_id=user.id, event_id=event.id, bundle_id=bundle.id, kind=rule.topic,
            subject=email.subject(rule.topic, bundle.reference),
            status=NotificationStatus.PENDING if emailed else NotificationStatus.SKIPPED, using_db=conn,
        )
        if emailed:
            await enqueue(Job.SEND_NOTIFICATION, using=conn, notification_id=str(notice.id))
        created += 1
    return created


async def send(notification_id: UUID) -> NotificationStatus | None:
    """Email one pending notification. Raises SendFailed (to be retried) until MAX_SEND_ATTEMPTS, then fails it."""
    settings = current().settings
    notice = await Notification.filter(id=notification_id, status=NotificationStatus.PENDING).select_related(
        "user", "bundle", "writer").first()
    if notice is None:
        return None
    if settings.smtp_host is None or not notice.user.email:
        await Notification.filter(id=notice.id).update(status=NotificationStatus.SKIPPED)
        return NotificationStatus.SKIPPED
    # claim this attempt: of two copies of the message, only one sends
    attempt = notice.attempts + 1
    won = await Notification.filter(id=notice.id, status=NotificationStatus.PENDING,
                                    attempts=notice.attempts).update(attempts=attempt)
    if won != 1:
        return None
    if notice.bundle is not None:
        reference, object_id = notice.bundle.reference, notice.bundle.id
    else:
        assert notice.writer is not None
        reference, object_id = writer_pseudonym(notice.writer), notice.writer.id
    message = email.compose(kind=notice.kind, reference=reference, object_id=str(object_id),
                            sender=settings.smtp_from, recipient=notice.user.email)
    try:
        await asyncio.to_thread(email.send, settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        final = attempt >= MAX_SEND_ATTEMPTS
        await Notification.filter(id=notice.id).update(
            error=type(exc).__name__, status=NotificationStatus.FAILED if final else NotificationStatus.PENDING)
        log.warning("notification.send_failed", kind=notice.kind, error=type(exc).__name__, attempt=attempt)
        if final:
            return NotificationStatus.FAILED
        raise SendFailed(type(exc).__name__) from None
    await Notification.filter(id=notice.id).update(status=NotificationStatus.SENT, sent_at=clock.now(),
                                                   error=None)
    log.info("notification.sent", kind=notice.kind)
    return NotificationStatus.SENT


def writer_pseudonym(writer: Writer) -> str:
    """How a notice, an email or a log line names a writer: the provider's own pseudonym for them, never a name."""
    return pseudonym(writer.provider_id, writer.id, Role.WRITER)  # type: ignore[attr-defined]


async def notify_coordinators(writer: Writer, kind: str, detail: str, conn: BaseDBAsyncClient) -> int:
    """A notice about a writer to each active coordinator of the writer's provider, in the caller's transaction
    (emailed when SMTP is configured); how many."""
    can_email = current().settings.smtp_host is not None
    coordinators = await User.filter(organisation_id=writer.provider_id,  # type: ignore[attr-defined]
                                     role=Role.COORDINATOR, active=True).using_db(conn).order_by("id")
    for user in coordinators:
        emailed = can_email and bool(user.email)
        notice = await Notification.create(
            user_id=user.id, writer_id=writer.id, kind=kind,
            subject=email.subject(kind, f"{writer_pseudonym(writer)}, {detail}"),
            status=NotificationStatus.PENDING if emailed else NotificationStatus.SKIPPED, using_db=conn)
        if emailed:
            await enqueue(Job.SEND_NOTIFICATION, using=conn, notification_id=str(notice.id))
    return len(coordinators)


def sign_in_url(organisation_id: UUID) -> str:
    return f"{current().settings.public_url.rstrip('/')}/v1/auth/oidc/{organisation_id}/start"


async def send_invitation(invitation_id: UUID) -> InvitationStatus | None:
    """Email one pending invitation, as `send` does a notification (retried until MAX_SEND_ATTEMPTS)."""
    settings = current().settings
    invitation = await Invitation.filter(id=invitation_id, status=InvitationStatus.PENDING).select_related(
        "user__organisation").first()
    if invitation is None:
        return None
    if settings.smtp_host is None or not invitation.user.email:
        await Invitation.filter(id=invitation.id).update(status=InvitationStatus.SKIPPED)
        return InvitationStatus.SKIPPED
    attempt = invitation.attempts + 1
    won = await Invitation.filter(id=invitation.id, status=InvitationStatus.PENDING,
                                  attempts=invitation.attempts).update(attempts=attempt)
    if won != 1:
        return None
    user = invitation.user
    message = email.compose_invitation(organisation=user.organisation.name, role=user.role.value,
                                       sign_in_url=sign_in_url(user.organisation.id), sender=settings.smtp_from,
                                       recipient=user.email)  # type: ignore[arg-type]
    try:
        await asyncio.to_thread(email.send, settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        final = attempt >= MAX_SEND_ATTEMPTS
        await Invitation.filter(id=invitation.id).update(
            error=type(exc).__name__, status=InvitationStatus.FAILED if final else InvitationStatus.PENDING)
        log.warning("invitation.send_failed", error=type(exc).__name__, attempt=attempt)
        if final:
            return InvitationStatus.FAILED
        raise SendFailed(type(exc).__name__) from None
    await Invitation.filter(id=invitation.id).update(status=InvitationStatus.SENT, sent_at=clock.now(), error=None)
    log.info("invitation.sent")
    return InvitationStatus.SENT


async def mine(principal: Principal, *, limit: int = 50) -> list[NotificationOut]:
    rows = await Notification.filter(user_id=principal.user_id).order_by("-created_at").limit(limit)
    return [NotificationOut(id=r.id, kind=r.kind, bundle_id=r.bundle_id,  # type: ignore[arg-type,attr-defined]
                            writer_id=r.writer_id,  # type: ignore[attr-defined]
                            subject=r.subject, status=r.status.value, created_at=r.created_at)
            for r in rows]
