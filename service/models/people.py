"""Organisations (LAs and writing services), their users, API tokens, and writers with their contracts."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OrganisationKind(StrEnum):
    LA = "la"
    PROVIDER = "provider"
    # the instance's operator (who runs Planwright for every tenant): reads instance-wide metrics, nothing else
    OPERATOR = "operator"


class Role(StrEnum):
    LA_OFFICER = "la_officer"
    LA_ADMIN = "la_admin"
    COORDINATOR = "coordinator"
    WRITER = "writer"
    QA_REVIEWER = "qa_reviewer"
    FINANCE = "finance"
    ADMIN = "admin"
    OPERATOR = "operator"


LA_ROLES = frozenset({Role.LA_OFFICER, Role.LA_ADMIN})
PROVIDER_ROLES = frozenset({Role.COORDINATOR, Role.WRITER, Role.QA_REVIEWER, Role.FINANCE, Role.ADMIN})


class Organisation(Model):
    id = fields.UUIDField(primary_key=True)
    kind = fields.CharEnumField(OrganisationKind, max_length=16)
    name = fields.CharField(max_length=200)
    # An LA sends its bundles to the writing service it contracts with.
    provider: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="clients", null=True, on_delete=fields.RESTRICT
    )
    # API tokens' lifetime in days: the default when none is asked for, and the most that may be asked for
    # (null: the instance's TOKEN_DEFAULT_DAYS / TOKEN_MAX_DAYS)
    token_default_days = fields.IntField(null=True)
    token_max_days = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # an archived LA client submits no new bundles; its history (bundles, lines, audit) stays
    archived_at = fields.DatetimeField(null=True)
    # the party on a VAT invoice (service/organisations/parties.py checks them): the postal address as lines, the
    # postcode, the UK VAT registration number (a writing service's), and the days an invoice is due after issue
    # (an LA's own terms, else its writing service's, else 30)
    address_lines: list[str] = fields.JSONField(default=list)
    postcode = fields.CharField(max_length=10, null=True)
    vat_number = fields.CharField(max_length=14, null=True)
    payment_terms_days = fields.IntField(null=True)
    # an LA's billing contact (the email its invoices go to; Xero's EmailAddress) and its account reference in
    # Sage 50 (none: `LA` and the first characters of its id, service/billing/accounting.py)
    billing_email = fields.CharField(max_length=254, null=True)
    sage_account_reference = fields.CharField(max_length=8, null=True)
    # a writing service's soft target on fair shares: a writer whose load is this far above the mean of writers on
    # the same terms gets no new work in a round that loses no planned on-time weight by it (null: no target)
    fair_share_tolerance = fields.FloatField(null=True)

    class Meta:
        table = "organisation"


class User(Model):
    id = fields.UUIDField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="users", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    role = fields.CharEnumField(Role, max_length=16)
    # where notifications are emailed; none means in-app only
    email = fields.CharField(max_length=254, null=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # the person's `sub` at their organisation's OpenID issuer, set when they first sign in (accepting the invitation)
    subject = fields.CharField(max_length=255, null=True)
    joined_at = fields.DatetimeField(null=True)
    deactivated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "app_user"


class ApiToken(Model):
    """A bearer token: shown once at creation, stored as its SHA-256, revocable."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=16)
    label = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    # scopes narrower than the user's role: only safe methods (GET), and only one LA's work
    read_only = fields.BooleanField(default=False)
    la_scope_id = fields.UUIDField(null=True)
    # who issued it (null: the command line), and whether a provider issued it for an LA's user (break-glass)
    issued_by_id = fields.UUIDField(null=True)
    break_glass = fields.BooleanField(default=False)

    class Meta:
        table = "api_token"


class WriterStatus(StrEnum):
    INVITED = "invited"  # on the books, not yet onboarded: no offers
    ACTIVE = "active"
    SUSPENDED = "suspended"  # no offers; work in hand stays
    OFFBOARDED = "offboarded"  # gone: work in hand released, no offers, history kept


class Writer(Model):
    id = fields.UUIDField(primary_key=True)
    user: fields.OneToOneRelation[User] = fields.OneToOneField(
        "models.User", related_name="writer", on_delete=fields.RESTRICT
    )
    provider: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="writers", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    status = fields.CharEnumField(WriterStatus, max_length=16, default=WriterStatus.ACTIVE)
    # the DBS certificate's number (its expiry is a term of the writer's contract)
    dbs_number = fields.CharField(max_length=32, null=True)
    # the DBS expiry the coordinators were last warned about (warned once per certificate)
    dbs_warned_for = fields.DateField(null=True)

    class Meta:
        table = "writer"


class WriterContract(Model):
    """What a writer may take: skills, hours, slots, conflicts of interest, DBS check expiry."""

    id = fields.UUIDField(primary_key=True)
    writer: fields.ForeignKeyRelation[Writer] = fields.ForeignKeyField(
        "models.Writer", related_name="contracts", on_delete=fields.CASCADE
    )
    skills: list[str] = fields.JSONField(default=list)
    hours_per_week = fields.FloatField(default=30.0)
    max_concurrent = fields.IntField(default=3)
    excluded_las: list[str] = fields.JSONField(default=list)
    dbs_expires = fields.DateField()
    starts_on = fields.DateField()
    ends_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "writer_contract"


class WriterLeave(Model):
    id = fields.BigIntField(primary_key=True)
    writer: fields.ForeignKeyRelation[Writer] = fields.ForeignKeyField(
        "models.Writer", related_name="leave", on_delete=fields.CASCADE
    )
    day = fields.DateField()

    class Meta:
        table = "writer_leave"
        unique_together = (("writer", "day"),)


class InvitationStatus(StrEnum):
    PENDING = "pending"  # the email is waiting for (or between) attempts
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # no SMTP server is configured: the admin passes the sign-in link on


class Invitation(Model):
    """An admin's invitation of a person by email: accepted by signing in through the organisation's issuer."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="invitations", on_delete=fields.CASCADE
    )
    invited_by_id = fields.UUIDField(null=True)
    status = fields.CharEnumField(InvitationStatus, max_length=16, default=InvitationStatus.PENDING)
    attempts = fields.IntField(default=0)
    error = fields.CharField(max_length=100, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invitation"


class IdentityProvider(Model):
    """An organisation's own OpenID Connect issuer (its Entra ID or Google Workspace tenant), set by its admin."""

    id = fields.UUIDField(primary_key=True)
    organisation: fields.OneToOneRelation[Organisation] = fields.OneToOneField(
        "models.Organisation", related_name="identity_provider", on_delete=fields.CASCADE
    )
    issuer = fields.CharField(max_length=500)
    client_id = fields.CharField(max_length=255)
    # the client secret, sealed with a key derived from the master key (never stored or shown in the clear)
    client_secret_sealed = fields.TextField(null=True)
    # which ID token claim carries the person's groups, and which group value gives which role
    role_claim = fields.CharField(max_length=100, default="groups")
    role_map: dict[str, str] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "identity_provider"


class SignIn(Model):
    """One sign-in in flight: the state (stored hashed), nonce and PKCE verifier the callback checks, used once."""

    id = fields.UUIDField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="sign_ins", on_delete=fields.CASCADE
    )
    state_hash = fields.CharField(max_length=64, unique=True)
    nonce = fields.CharField(max_length=100)
    code_verifier = fields.CharField(max_length=128)
    created_at = fields.DatetimeField(auto_now_add=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sign_in"


class UserSession(Model):
    """A signed-in person's session: the cookie's SHA-256, its CSRF token, idle and absolute expiry, revocable."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    ip = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "user_session"
