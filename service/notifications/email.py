"""Notification emails: the message (a bundle reference and a link path, nothing about the child) and SMTP."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from service.settings import Settings

PHRASES: dict[str, str] = {
    "offer.made": "You have been offered a bundle",
    "draft.returned": "Your draft was returned by review",
    "amendment.requested": "The LA asked for amendments",
    "draft.awaiting_review": "A draft is waiting for review",
    "bundle.unassigned": "A bundle is back in the queue with no writer",
    "sla.at_risk": "A bundle's turnaround is at risk",
    "sla.breached": "A bundle's turnaround was missed",
    "writer.dbs_expiring": "A writer's DBS certificate expires soon",
}


def subject(kind: str, reference: str) -> str:
    return f"Planwright: {PHRASES[kind]} ({reference})"[:200]


def link_path(kind: str, object_id: str) -> str:
    if kind == "offer.made":
        return "/v1/offers"
    if kind == "draft.awaiting_review":
        return "/v1/qa/queue"
    if kind.startswith("writer."):
        return f"/v1/writers/{object_id}"
    return f"/v1/bundles/{object_id}"


def compose(*, kind: str, reference: str, object_id: str, sender: str, recipient: str) -> EmailMessage:
    """A notice's email: what happened and to which bundle (its reference) or writer (their pseudonym, never a
    name), and where to look."""
    message = EmailMessage()
    message["Subject"] = subject(kind, reference)
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(
        f"{PHRASES[kind]}: {'writer' if kind.startswith('writer.') else 'bundle'} {reference}.\n\n"
        f"Open it in Planwright: {link_path(kind, object_id)}\n\n"
        "Case details are never sent by email.\n"
    )
    return message


def compose_invitation(*, organisation: str, role: str, sign_in_url: str, sender: str,
                       recipient: str) -> EmailMessage:
    """An invitation to sign in: the organisation, the role, and the link that starts the sign-in."""
    message = EmailMessage()
    message["Subject"] = f"Planwright: you are invited to {organisation}"[:200]
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(
        f"You have been invited to Planwright by {organisation}, as {role.replace('_', ' ')}.\n\n"
        f"Accept by signing in with your organisation's account (this email address): {sign_in_url}\n\n"
        "If you did not expect this, ignore this message: nobody can sign in as you without your account.\n"
    )
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    """Blocking SMTP send (run it in a thread): implicit TLS, STARTTLS or plain, and login when configured."""
    assert settings.smtp_host is not None
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_ssl:
        smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds,
                                context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds)
    with smtp:
        if settings.smtp_starttls and not settings.smtp_ssl:
            smtp.starttls(context=context)
        if settings.smtp_username:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_username, password)
        smtp.send_message(message)
