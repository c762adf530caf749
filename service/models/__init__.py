"""The tortoise-orm models of Planwright; one app, "models", migrated by tortoise's built-in migrator."""

from service.models.bundles import Bundle, BundleStatus, Document, Event, Tier, WorkType
from service.models.ledger import BillableLine, BillingBook, CreditNote, Invoice, LaContract, LineKind
from service.models.orders import PurchaseOrder
from service.models.people import (
    ApiToken,
    IdentityProvider,
    Invitation,
    InvitationStatus,
    Organisation,
    OrganisationKind,
    Role,
    SignIn,
    User,
    UserSession,
    Writer,
    WriterContract,
    WriterLeave,
    WriterStatus,
)
from service.models.sla import SlaAlert
from service.models.system import AuditEntry, OutboxMessage
from service.models.webhooks import (
    DeliveryStatus,
    Notification,
    NotificationStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from service.models.work import DownloadLink, Draft, DraftStatus, Offer, OfferStatus, QaReview, Query, ReviewOutcome

__all__ = [
    "ApiToken",
    "AuditEntry",
    "BillableLine",
    "BillingBook",
    "Bundle",
    "BundleStatus",
    "CreditNote",
    "DeliveryStatus",
    "Document",
    "DownloadLink",
    "Draft",
    "DraftStatus",
    "Event",
    "IdentityProvider",
    "Invitation",
    "InvitationStatus",
    "Invoice",
    "LaContract",
    "LineKind",
    "Notification",
    "NotificationStatus",
    "Offer",
    "OfferStatus",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "PurchaseOrder",
    "QaReview",
    "Query",
    "ReviewOutcome",
    "Role",
    "SignIn",
    "SlaAlert",
    "Tier",
    "User",
    "UserSession",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WorkType",
    "Writer",
    "WriterContract",
    "WriterLeave",
    "WriterStatus",
]
