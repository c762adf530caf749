"""Request and response bodies of API v1. Imports nothing from service/ or workers/."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

WorkTypeName = Literal["new_plan", "phase_transfer", "annual_review_amendment", "reassessment", "statement_transfer"]
TierName = Literal["standard", "express"]
BundleStatusName = Literal[
    "draft", "held", "submitted", "screening", "rejected", "queued", "offered", "allocated", "drafting", "awaiting_la",
    "in_qa", "returned", "delivered", "amendment_requested", "accepted", "closed", "cancelled",
]
RoleName = Literal["la_officer", "la_admin", "coordinator", "writer", "qa_reviewer", "finance", "admin", "operator"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A skill a writer's terms name and a bundle may require: a work type or an area of need ("post16", "semh").
# The allocation engine matches them exactly (ALLOCATION.md), so each is one lower-case name, never empty.
Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40,
                                         pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class BundleCreate(Strict):
    """An anonymised case bundle: the LA's own case reference (never a name), the work wanted, the dates.

    A reference names one live bundle (not yet accepted, closed or cancelled): a second is refused with 409 naming
    the first, unless `duplicate_reference` says it is intended."""

    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
    work_type: WorkTypeName
    tier: TierName = "standard"
    requires: list[Skill] = Field(default_factory=list, max_length=10,
                                  description="areas of need the writer must have as skills (\"post16\")")
    statutory_due: date | None = None
    duplicate_reference: bool = Field(
        default=False, description="true: create it even though a live bundle of the LA has this reference")


class DocumentFinding(Strict):
    """An identifier screening found: where, what kind, a masked excerpt (never the identifier in full).

    `source` is "ocr" for what was read from a picture or a scanned page (`picture` names the picture when the page
    is not itself one). An `unreadable_content` finding the LA has confirmed holds no identifiers is `confirmed`
    (and warns instead of blocking)."""

    page: int
    kind: str
    excerpt: str
    confidence: float
    action: Literal["block", "warn"]
    source: Literal["text", "ocr"] = "text"
    picture: str | None = None
    confirmed: bool = False


class UnreadableConfirmationIn(Strict):
    """The LA confirms that pages of a document which OCR could not read hold no identifiers (it has looked)."""

    pages: list[Annotated[int, Field(ge=1)]] = Field(min_length=1, max_length=500)
    # no free text: what an officer would write about the page could itself name the child
    holds_no_identifiers: Literal[True] = Field(
        description="true: someone at the LA has looked at these pages and they hold no identifiers")


class UnreadableConfirmationOut(Strict):
    document_id: UUID
    pages: list[int]


class DocumentOut(Strict):
    id: UUID
    filename: str
    kind: str
    media_type: str
    size: int
    sha256: str
    pages: int | None
    created_at: datetime
    # from screening: what it found, and the SHA-256 of the metadata-stripped copy writers receive
    findings: list[DocumentFinding] = Field(default_factory=list)
    clean_sha256: str | None = None


class EventOut(Strict):
    name: str
    from_status: str | None
    to_status: str | None
    data: dict[str, object]
    at: datetime


class SlaOut(Strict):
    """A bundle's clocks (Europe/London dates): the contract turnaround in working days, paused while awaiting the
    LA, and the statutory date (given by the LA, or derived for a phase transfer)."""

    state: Literal["not_started", "running", "paused", "stopped", "cancelled"]
    turnaround_due: date | None
    statutory_due: date | None
    statutory_derived: bool = False
    working_days_left: int | None
    paused: bool
    statutory_at_risk: bool
    turnaround_working_days: int | None = None
    # the last working day on or before the statutory date: a statutory date on a weekend or a bank holiday does
    # not move, so the draft must be with the LA by then
    statutory_deliver_by: date | None = None
    delivered_on_time: bool | None = None


class BundleOut(Strict):
    id: UUID
    reference: str
    work_type: WorkTypeName
    tier: TierName
    requires: list[str]
    status: BundleStatusName
    statutory_due: date | None
    turnaround_due: date | None
    page_count: int
    # an LA never sees the writer's id, only `writer`: the writer's pseudonym for that LA (README, Security)
    writer_id: UUID | None
    rejection: dict[str, object] | None
    # why a held bundle waits (no purchase order with room for it); None otherwise
    hold_reason: str | None = None
    effort_hours: float | None = None
    pinned_writer_id: UUID | None = None
    # who holds it, as the LA knows them: a stable pseudonym per LA (null for provider callers and unheld bundles)
    writer: str | None = None
    allocation_note: dict[str, object] | None = None
    sla: SlaOut | None = None
    created_at: datetime
    updated_at: datetime


class BundleDetail(BundleOut):
    documents: list[DocumentOut]
    timeline: list[EventOut]
    # how many salted hashes the LA's deny-list holds (the hashes themselves are never shown)
    deny_list_hashes: int = 0


class DenyListIn(Strict):
    """The LA's deny-list exactly as `planwright denylist make` prints it (CLI-CONTRACTS.md)."""

    salt: str = Field(min_length=2, max_length=128, pattern=r"^(?:[0-9a-fA-F]{2})+$")
    hashes: list[Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]] = Field(max_length=20_000)


class DenyListOut(Strict):
    bundle_id: UUID
    hashes: int


class BundlePage(Strict):
    items: list[BundleOut]
    next_cursor: str | None


class BundleListQuery(Strict):
    status: BundleStatusName | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=200)


class DocumentUploadQuery(Strict):
    filename: str = Field(min_length=1, max_length=255)


class OfferOut(Strict):
    id: UUID
    bundle_id: UUID
    status: Literal["pending", "accepted", "declined", "expired", "withdrawn"]
    work_type: WorkTypeName
    tier: TierName
    page_count: int
    turnaround_due: date | None
    expires_at: datetime
    reason: str


class OfferList(Strict):
    items: list[OfferOut]


class OfferDecline(Strict):
    reason: str = Field("", max_length=300)


class DismissalOut(Strict):
    """A QA reviewer's dismissal of one automated finding: which (its index in `qa_findings`), why, and when."""

    index: int
    check: str | None
    reason: str
    at: datetime


class DraftOut(Strict):
    id: UUID
    bundle_id: UUID
    cycle: int
    status: Literal["in_qa", "passed", "returned"]
    size: int
    sha256: str
    qa_findings: list[dict[str, object]] | None
    created_at: datetime
    rendition_sha256: str | None = None
    dismissals: list[DismissalOut] = Field(default_factory=list)


class DraftUploadQuery(Strict):
    filename: str = Field(min_length=1, max_length=255)


class DraftQuery(DraftUploadQuery):
    hours_spent: float | None = Field(
        default=None, gt=0, le=500,
        description="the hours this draft took you (optional): allocation learns from first drafts how long work "
                    "takes each writer, and plans your next offers with it")


class QaQueue(Strict):
    items: list[DraftOut]


class QaReturn(Strict):
    comments: str = Field(min_length=1, max_length=10_000)


class TokenCreate(Strict):
    """A token for a user of the caller's own organisation. It expires (the organisation's default lifetime unless
    `expires_in_days` asks for less or, up to the organisation's maximum, more) and may be narrower than the
    user's role: `read_only` (GET only), `la_scope` (a provider user's token that reaches one client LA's work)."""

    user_id: UUID
    label: str = Field("", max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    read_only: bool = False
    la_scope: UUID | None = None


class TokenIssued(Strict):
    id: UUID
    token: str
    prefix: str
    expires_at: datetime | None = None


class TokenOut(Strict):
    """A token as its organisation's admin sees it: never the token, only its first characters."""

    id: UUID
    prefix: str
    label: str
    user_id: UUID
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    read_only: bool
    la_scope: UUID | None
    break_glass: bool


class TokenList(Strict):
    items: list[TokenOut]


class BreakGlassIssue(Strict):
    """A provider admin's emergency access to an LA user's account: a short-lived token, on the LA's audit record
    and announced to the LA by webhook (`security.break_glass`). The reason is kept and shown to the LA."""

    user_id: UUID
    reason: str = Field(min_length=10, max_length=500)


class BreakGlassRevoke(Strict):
    reason: str = Field(min_length=10, max_length=500)


class OrganisationRef(Strict):
    id: UUID
    name: str
    kind: Literal["la", "provider", "operator"]


class Me(Strict):
    """Who the bearer token speaks for: the user, their role and organisation, and their writer id if they write."""

    user_id: UUID
    name: str
    role: RoleName
    organisation: OrganisationRef
    writer_id: UUID | None = None


class Health(Strict):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(default_factory=dict)


class ProblemOut(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, object]] | None = None
    current_status: str | None = None
    existing_bundle_id: UUID | None = None


class RoundRequest(Strict):
    dry_run: bool = False


class PlannedOfferOut(Strict):
    bundle_id: UUID
    writer_id: UUID
    reason: str
    projected_completion: date | None
    on_time: bool


class UnassignedOut(Strict):
    bundle_id: UUID
    reason: str


class QualityTradeOut(Strict):
    """A round that could keep writers whose first drafts in a bundle's areas pass QA least often off it: how many
    (bundle, writer) pairs on how many bundles, the planned on-time weight with them kept off and without, and
    whether the plan kept them off (every LA kept what its contract's quality_cost_limit requires)."""

    kept_off: int
    bundles: int
    used: bool
    on_time_weight: float
    unrestricted_on_time_weight: float


class FairShareTradeOut(Strict):
    """A round with writers over their fair share (the writing service's fair_share_tolerance): how many it could
    pass over, the planned on-time weight with them passed over and without, and whether it did (only at no cost)."""

    closed: int
    used: bool
    on_time_weight: float
    unrestricted_on_time_weight: float


class RoundResult(Strict):
    dry_run: bool
    offers: list[PlannedOfferOut]
    unassigned: list[UnassignedOut]
    quality: QualityTradeOut | None = Field(
        default=None, description="present when some writer was in a bundle's weak tail for quality")
    fair_share: FairShareTradeOut | None = Field(
        default=None, description="present when the writing service has a fair-share target and some writer is "
                                  "over it")


class AllocationSettings(Strict):
    """A writing service's allocation settings. `fair_share_tolerance`: a writer whose utilisation over the last
    four weeks (hours given with their drafts, else the drafts' planned effort, over four weeks of contract hours) is
    this far above the mean of writers on the same hours and skills gets no new work in a round that loses no LA any
    planned on-time weight or placed work by it; null: no target."""

    fair_share_tolerance: float | None = Field(default=None, gt=0, le=1)


class ProposedMoveOut(Strict):
    """Work a writer has accepted but not started, which they are projected to finish after its due date (away,
    or running late), and the writer the engine would give it to, who is planned to finish it on time."""

    bundle_id: UUID
    reference: str
    from_writer_id: UUID
    to_writer_id: UUID
    due: date
    finish_now: date | None = Field(description="the holder's projected finish at their learned pace; null: not "
                                                "within two years (no hours left to them)")
    finish_after: date | None
    reason: str


class UnsavedOut(Strict):
    """Late unstarted work no move would make on time: it stays with its holder (a move would only add a change)."""

    bundle_id: UUID
    reference: str
    writer_id: UUID
    due: date
    finish_now: date | None
    reason: str


class ReplanOut(Strict):
    moves: list[ProposedMoveOut]
    changes: int = Field(description="writers whose work changes if every move is made (a move reaches two)")
    unsaved: list[UnsavedOut]


class LearnedRateOut(Strict):
    """A writer's first-time QA pass rate in one area, shrunk toward the pool's, with its basis."""

    area: str
    first_time_pass_rate: float
    own_rate: float | None
    own_drafts: int
    pool_rate: float
    pool_drafts: int


class LearnedSpeedOut(Strict):
    """A writer's hours over the planned effort on one work type and page band, from the hours they gave with their
    first drafts (a geometric mean), shrunk toward the pool's, with its basis. 1.2: a fifth longer than planned."""

    work_type: str
    page_band: Literal["up_to_50", "51_to_150", "over_150"]
    factor: float
    own_factor: float | None
    own_drafts: int
    pool_factor: float
    pool_drafts: int


class WriterEstimatesOut(Strict):
    writer_id: UUID
    areas: list[LearnedRateOut]
    speeds: list[LearnedSpeedOut] = Field(default_factory=list)
    planning_factor: float = Field(
        default=1.0, description="what the next round plans with: expected hours per planned hour on the queued "
                                 "work the writer could take (learned speed, and a likely QA return's rework)")


class EstimatesOut(Strict):
    prior_strength: float
    writers: list[WriterEstimatesOut]


class AssignRequest(Strict):
    writer_id: UUID
    reason: str = Field(min_length=1, max_length=300)


class ReleaseAllRequest(Strict):
    reason: str = Field(min_length=1, max_length=300)


class ReleaseAllResult(Strict):
    bundle_ids: list[UUID]


class PinRequest(Strict):
    writer_id: UUID | None


class EffortRequest(Strict):
    effort_hours: float | None = Field(ge=0, le=500)


class WriterOut(Strict):
    id: UUID
    name: str
    status: Literal["invited", "active", "suspended", "offboarded"] = "active"
    skills: list[str]
    hours_per_week: float | None
    max_concurrent: int | None
    excluded_las: list[str]
    dbs_expires: date | None
    dbs_expiring: bool = False
    held: int
    offers_pending: int
    leave: list[date]


class WriterList(Strict):
    items: list[WriterOut]


class LeaveRequest(Strict):
    days: list[date] = Field(min_length=1, max_length=120)


class LeaveResult(Strict):
    withdrawn_offers: int


class FrontSheetIn(Strict):
    """The writer's front sheet, as CLI-CONTRACTS.md describes it for `planwright qa --front-sheet`."""

    queries: list[str] = Field(default_factory=list, max_length=50)
    missing_advice: list[str] = Field(default_factory=list, max_length=50)
    notes: str = Field("", max_length=20_000)


class FindingOut(Strict):
    index: int
    check: str
    severity: str
    section: str | None
    excerpt: str
    message: str
    dismissed: bool
    dismissal_reason: str | None
    # additions (issue 19): the area of need and row of a side-by-side table, the advice an item came from
    area: str | None = None
    row: int | None = None
    source: str | None = None


class ChecklistItem(Strict):
    key: str
    text: str


class ProvisionSourceOut(Strict):
    """The advice an item of provision came from: the bundle's document, its page and the sentence (identifiers
    masked)."""

    document_id: UUID | None
    document: str
    page: int
    excerpt: str


class ProvisionOut(Strict):
    """An item of provision in F or G: its area of need and row in a side-by-side table (else null), its text
    (identifiers masked) and its source, null when no advice in the bundle carries it."""

    section: str
    area: str | None
    row: int | None
    text: str
    source: ProvisionSourceOut | None


class ReviewSheet(Strict):
    draft: DraftOut
    front_sheet: dict[str, object] | None
    findings: list[FindingOut]
    manual_items: list[ChecklistItem]
    # addition (issue 19): each item of provision with its source advice; null for a draft checked before it
    provision: list[ProvisionOut] | None = None


class DismissFinding(Strict):
    reason: str = Field(min_length=5, max_length=1000)


class QaPass(Strict):
    """Every manual checklist item must be confirmed (true) to pass."""

    checklist: dict[str, bool]


class WriterQuality(Strict):
    writer_id: UUID
    drafts: int
    bundles_passed: int
    first_time_pass_rate: float | None
    cycles_per_bundle: float | None
    frequent_findings: list[dict[str, object]]


class QueryAsk(Strict):
    question: str = Field(min_length=5, max_length=10_000)


class QueryAnswer(Strict):
    answer: str = Field(min_length=1, max_length=20_000)


class QueryOut(Strict):
    id: UUID
    bundle_id: UUID
    question: str
    answer: str | None
    asked_at: datetime
    answered_at: datetime | None


class QueryList(Strict):
    items: list[QueryOut]


class DownloadLink(Strict):
    """A link for one download (relative to the API's address), by anyone holding it, until `expires_at` and only
    while its maker's token and user stay active; its use is audited with the client's address."""

    url: str
    expires_at: datetime
    sha256: str


class AmendmentRequest(Strict):
    reason: str = Field(min_length=5, max_length=10_000)


class WorkList(Strict):
    """The writer's held bundles in working order: amendments first, then returned drafts, then by due date."""

    items: list[BundleOut]


# the dates a report may name: wide, but bounded so that a default period a year long cannot fall off the calendar
REPORT_DATES = (date(2000, 1, 1), date(2100, 12, 31))


class ReportPeriodQuery(Strict):
    """A report's period (Europe/London dates, both included; default the last 12 months): its `.csv` form's query."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    period_from: date | None = Field(None, alias="from", ge=REPORT_DATES[0], le=REPORT_DATES[1])
    period_to: date | None = Field(None, alias="to", ge=REPORT_DATES[0], le=REPORT_DATES[1])


class ReportQuery(ReportPeriodQuery):
    """A report's period and format."""

    format: Literal["json", "csv"] = "json"


class AuditExportQuery(Strict):
    """Which audit entries to export: those after an entry id (0 for all), as JSON lines or CSV."""

    format: Literal["jsonl", "csv"] = "jsonl"
    after: int = Field(0, ge=0, le=2**63 - 1)


class ReportOut(Strict):
    """A report as a table: its columns, and one row per group."""

    report: str
    period_from: date | None
    period_to: date | None
    columns: list[str]
    rows: list[dict[str, str | int | float | bool | None]]


# --- organisations: a writing service's LA clients and their contract versions ---------------------------------


EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# a Sage 50 account reference: up to 8 letters and digits (Sage 50 keeps them upper case)
SAGE_ACCOUNT_REFERENCE_PATTERN = r"^[A-Za-z0-9]{1,8}$"
AddressLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# a UK postcode (outward and inward codes; BFPO and GIR 0AA too), any case, one space or none between
UK_POSTCODE = r"^(?i:GIR ?0AA|BFPO ?\d{1,4}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$"


def uk_vat_number(value: str) -> str:
    """A UK VAT registration number as HMRC writes it (`GB` and 9 digits, or 12 for a branch), its check digits
    verified (the weighted mod-97 sum, old series or the 9755 series); ValueError when it is not one."""
    compact = value.replace(" ", "").upper()
    digits = compact.removeprefix("GB")
    if not digits.isdigit() or len(digits) not in (9, 12):
        raise ValueError("a UK VAT number is GB and 9 digits (12 for a branch)")
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True)) + int(digits[7:9])
    if total % 97 != 0 and (total + 55) % 97 != 0:
        raise ValueError("the VAT number's check digits are wrong")
    return f"GB{digits}"


class PartyDetails(Strict):
    """An organisation as a party on a VAT invoice: its postal address (up to 4 lines and a postcode), its UK VAT
    registration number (the writing service's is printed on every invoice), and its payment terms in days after
    the invoice is issued (an LA's own, else its writing service's, else 30). An LA also has a billing contact's
    email (Xero's `EmailAddress`, where the invoice is sent) and its account reference in Sage 50 (default: `LA`
    and the first characters of its id). Absent: left as it is."""

    address_lines: list[AddressLine] | None = Field(default=None, max_length=4)
    postcode: str | None = Field(default=None, pattern=UK_POSTCODE, max_length=10)
    vat_number: str | None = Field(default=None, max_length=20)
    payment_terms_days: int | None = Field(default=None, ge=0, le=120)
    billing_email: str | None = Field(default=None, min_length=3, max_length=254, pattern=EMAIL_PATTERN)
    sage_account_reference: str | None = Field(default=None, pattern=SAGE_ACCOUNT_REFERENCE_PATTERN)

    @field_validator("sage_account_reference")
    @classmethod
    def _sage_account_reference(cls, value: str | None) -> str | None:
        return None if value is None else value.upper()

    @field_validator("vat_number")
    @classmethod
    def _vat_number(cls, value: str | None) -> str | None:
        return None if value is None else uk_vat_number(value)

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None:
            return None
        compact = value.replace(" ", "").upper()
        return f"{compact[:-3]} {compact[-3:]}"

    def party_fields(self) -> dict[str, object]:
        """The details given, as the organisation row stores them."""
        given = self.model_dump(include=set(PARTY_FIELDS), exclude_unset=True)
        if "address_lines" in given and given["address_lines"] is None:
            given["address_lines"] = []  # null clears the address: the row keeps a list
        return given


PARTY_FIELDS = ("address_lines", "postcode", "vat_number", "payment_terms_days", "billing_email",
                "sage_account_reference")


class OrganisationCreate(PartyDetails):
    """A new LA client of the caller's writing service. The same name again answers the LA already made (200)."""

    name: str = Field(min_length=1, max_length=200)


class OrganisationRename(PartyDetails):
    """Rename an LA client and/or set its invoice details (at least one field)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _something(self) -> OrganisationRename:
        if not self.model_fields_set:
            raise ValueError(f"name one thing to change: name, {', '.join(PARTY_FIELDS)}")
        return self


class OrganisationOut(Strict):
    id: UUID
    kind: Literal["la", "provider", "operator"]
    name: str
    provider_id: UUID | None
    archived_at: datetime | None
    created_at: datetime
    address_lines: list[str] = []
    postcode: str | None = None
    vat_number: str | None = None
    payment_terms_days: int | None = None
    billing_email: str | None = None
    sage_account_reference: str | None = None


class OrganisationList(Strict):
    items: list[OrganisationOut]


class ContractVersionCreate(Strict):
    """A version of an LA's contract, in force from `starts_on` until a later version starts. The terms are whole:
    a change is a new version with every term stated, so no version depends on another. The same `starts_on` and
    terms again answer the version already made (200); other terms for a start day already taken: 409."""

    starts_on: date
    ends_on: date | None = None
    turnaround_days: dict[str, int | dict[str, int]] = Field(
        description='working days per tier {"standard": 10, "express": 5}, optionally per work type '
                    '{"new_plan": {"standard": 20, "express": 10}}')
    rate_card: dict[str, object] | None = Field(
        default=None, description="the rate card (GET /v1/billing/rate-cards/{la_id} shows its shape); every work "
                                  "type needs a price and a payout. Null: the standard card")
    retention_days: int = Field(default=90, ge=1, le=3650)
    screening_policy: dict[str, Literal["block", "warn"]] = Field(default_factory=dict)
    qa_profile: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    amendment_window_days: int = Field(default=10, ge=0, le=365)
    offer_window_hours: float = Field(default=8.0, gt=0, le=168)
    closure_days: list[date] = Field(default_factory=list, max_length=366)
    quality_cost_limit: float = Field(
        default=0.02, ge=0, le=0.25,
        description="the share of this LA's planned on-time weight a round may give up to keep writers whose "
                    "first-time QA pass rate in a bundle's area is in the weak tail off it; 0: never")


class ContractVersionOut(Strict):
    id: UUID
    la_id: UUID
    starts_on: date
    ends_on: date | None
    turnaround_days: dict[str, int | dict[str, int]]
    rate_card: dict[str, object] | None
    retention_days: int
    screening_policy: dict[str, str]
    qa_profile: str | None
    amendment_window_days: int
    offer_window_hours: float
    closure_days: list[date]
    quality_cost_limit: float
    in_force: bool = Field(description="the version in force today")
    created_at: datetime


class ContractVersionList(Strict):
    items: list[ContractVersionOut]


# --- writers: onboarding and lifecycle ---------------------------------------------------------------------------

WriterStatusName = Literal["invited", "active", "suspended", "offboarded"]


class WriterTerms(Strict):
    """What a writer may take, from `starts_on` (default today) until changed."""

    skills: list[Skill] = Field(min_length=1, max_length=40, description="work types and areas of need")
    hours_per_week: float = Field(gt=0, le=60)
    max_concurrent: int = Field(ge=1, le=50)
    excluded_las: list[UUID] = Field(default_factory=list, max_length=200,
                                     description="LAs the writer must not work for (conflicts of interest)")
    dbs_number: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")
    dbs_expires: date
    starts_on: date | None = None


EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class WriterInvite(WriterTerms):
    """A writer on the books: a person invited by `email` (with their `name`; they accept by signing in, as any
    invited person), or a `user_id` of the writing service with the writer role. Invited writers get no offers until
    onboarded. The same user or email again answers the writer already made (200)."""

    user_id: UUID | None = None
    email: str | None = Field(None, min_length=3, max_length=254, pattern=EMAIL_PATTERN)
    name: str | None = Field(None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _one_person(self) -> WriterInvite:
        if (self.user_id is None) == (self.email is None) or (self.email is None) != (self.name is None):
            raise ValueError("name the writer by user_id, or by email and name (one of the two)")
        return self


class WriterStatusChange(Strict):
    reason: str = Field(min_length=1, max_length=500)


class ConflictDeclaration(Strict):
    la_id: UUID


class WriterDetail(Strict):
    id: UUID
    user_id: UUID
    name: str
    status: WriterStatusName
    skills: list[str]
    hours_per_week: float | None
    max_concurrent: int | None
    excluded_las: list[str]
    dbs_number: str | None
    dbs_expires: date | None
    dbs_expiring: bool = Field(description="the DBS certificate expires within 30 days (or has expired)")
    contract_starts_on: date | None


class WriterOffboarded(Strict):
    writer: WriterDetail
    released_bundle_ids: list[UUID]


# --- people: invitations, roles, sign-in with OpenID Connect, sessions (issue 22) ---

# the roles an admin gives by invitation: an LA's admin its LA's roles; a provider's admin its staff's (writers come
# with their contracts, through the writers' lifecycle)
InvitableRole = Literal["la_officer", "la_admin", "coordinator", "qa_reviewer", "finance", "admin"]


class UserInvite(Strict):
    """Invite a person of your own organisation by email. They accept by signing in through the organisation's
    OpenID issuer with that (verified) email address. The same email and role again returns the same user (200)."""

    email: str = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    role: InvitableRole


class UserChange(Strict):
    role: InvitableRole


class UserOut(Strict):
    """A person as their organisation's admin sees them: `joined_at` is when they first signed in (the invitation
    accepted); `active` false once deactivated."""

    id: UUID
    name: str
    email: str | None
    role: RoleName
    active: bool
    invited: bool
    joined_at: datetime | None
    deactivated_at: datetime | None
    created_at: datetime
    invitation_status: Literal["pending", "sent", "failed", "skipped"] | None = None


class UserList(Strict):
    items: list[UserOut]


class IdentityProviderSet(Strict):
    """Your organisation's OpenID Connect issuer (its Microsoft Entra ID or Google Workspace tenant, say): the
    issuer URL (discovery at `{issuer}/.well-known/openid-configuration`), the client registered there, and which
    group values of `role_claim` give which role (the first listed role a person's groups match wins)."""

    issuer: str = Field(min_length=8, max_length=500, pattern=r"^https?://[^\s]+$")
    client_id: str = Field(min_length=1, max_length=255)
    client_secret: str | None = Field(default=None, min_length=1, max_length=1000)
    role_claim: str = Field("groups", min_length=1, max_length=100)
    role_map: dict[Annotated[str, Field(min_length=1, max_length=200)], InvitableRole] = Field(
        default_factory=dict, max_length=100)


class IdentityProviderOut(Strict):
    issuer: str
    client_id: str
    has_client_secret: bool
    role_claim: str
    role_map: dict[str, str]
    sign_in_path: str
    redirect_uri: str
    updated_at: datetime


class SessionOut(Strict):
    """A signed-in person's session (never its cookie): when it began, was last used, and ends at the latest."""

    id: UUID
    user_id: UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    idle_expires_at: datetime
    revoked_at: datetime | None
    current: bool = False


class SessionList(Strict):
    items: list[SessionOut]


class SessionCsrf(Strict):
    """The session the cookie speaks for and the CSRF token every state-changing request with it must carry (the
    `X-CSRF-Token` header, or the `csrf_token` field of a form)."""

    session: SessionOut
    csrf_token: str


class OidcCallback(Strict):
    """The issuer's answer to a sign-in (OAuth 2.0, RFC 6749 4.1.2; `iss` per RFC 9207; `session_state` per OpenID
    Connect Session Management): our state and a code, or an error."""

    state: str = Field(min_length=1, max_length=200)
    code: str | None = Field(default=None, max_length=2000)
    iss: str | None = Field(default=None, max_length=500)
    session_state: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, max_length=200)
    error_description: str | None = Field(default=None, max_length=2000)
    error_uri: str | None = Field(default=None, max_length=2000)
