"""A writing service's LA clients (create, rename, archive) and their contract versions.

An LA client belongs to one writing service; another service's LA is simply not there (NotFound). Archiving an LA
stops new bundles (service/bundles refuses them) and keeps everything it has done. A contract is a list of versions
(service/contracts_in_force.py says which is in force on a day): each new version states every term and takes
effect from its `starts_on`; versions already made are never edited, so work is clocked, checked and billed under
the version in force when it happened. Creates are idempotent on their natural keys (an LA's name; a version's start
day): the same request again answers the row already made.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from contracts.api import ContractVersionCreate, ContractVersionOut, OrganisationOut
from service import clock
from service.audit.service import audit
from service.auth.acting import Acting, acting_from_cli
from service.billing.rate_card import RateCard, standard_rate_card
from service.billing.terms import check_rate_card
from service.contracts_in_force import contract_between
from service.errors import Conflict, InvalidInput, NotFound
from service.intake.policy import PolicyError, resolve_policy
from service.models import LaContract, Organisation, OrganisationKind
from service.qa.profiles import shipped_profiles
from service.sla.clock import InvalidTurnaroundTable, validate_turnaround_table


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"body.{field}: {message}", errors=[{"field": f"body.{field}", "message": message,
                                                             "type": "value_error"}])


def organisation_out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(id=org.id, kind=org.kind.value, name=org.name,
                           provider_id=org.provider_id, archived_at=org.archived_at,  # type: ignore[attr-defined]
                           created_at=org.created_at, address_lines=list(org.address_lines or []),
                           postcode=org.postcode, vat_number=org.vat_number,
                           payment_terms_days=org.payment_terms_days, billing_email=org.billing_email,
                           sage_account_reference=org.sage_account_reference)


async def client(acting: Acting, la_id: UUID, conn: BaseDBAsyncClient | None = None) -> Organisation:
    """One of the writing service's LA clients, or NotFound (another service's LA answers the same)."""
    query = Organisation.filter(id=la_id, kind=OrganisationKind.LA, provider_id=acting.provider_id)
    if conn is not None:
        query = query.using_db(conn)
    org = await query.first()
    if org is None:
        raise NotFound("no such LA")
    return org


async def clients(acting: Acting) -> list[Organisation]:
    return list(await Organisation.filter(kind=OrganisationKind.LA, provider_id=acting.provider_id)
                .order_by("name", "id"))


async def create_client(acting: Acting, name: str,
                        details: dict[str, Any] | None = None) -> tuple[Organisation, bool]:
    """A new LA client with its invoice details (`PartyDetails.party_fields`); an LA of the same name already on
    the books is answered as it is (created False)."""
    name = name.strip()
    if not name:
        raise _invalid("name", "must not be blank")
    async with in_transaction() as conn:
        # the writing service's row is locked (PostgreSQL) so two concurrent creations cannot both make the LA
        provider = await Organisation.filter(id=acting.provider_id, kind=OrganisationKind.PROVIDER).using_db(
            conn).select_for_update().first()
        if provider is None:
            raise NotFound("no such writing service")
        existing = await Organisation.filter(kind=OrganisationKind.LA, provider_id=acting.provider_id,
                                             name=name).using_db(conn).first()
        if existing is not None:
            return existing, False
        org = await Organisation.create(kind=OrganisationKind.LA, name=name, provider_id=acting.provider_id,
                                        using_db=conn, **(details or {}))
        await audit(acting.principal, "organisation.created", object_type="organisation", object_id=org.id,
                    la_id=org.id, data=acting.audit_data(name=name), using=conn)
    return org, True


async def rename_client(acting: Acting, la_id: UUID, name: str | None,
                        details: dict[str, Any] | None = None) -> Organisation:
    """Rename an LA client (name None: keep it) and set the invoice details given."""
    name = name.strip() if name is not None else None
    if name == "":
        raise _invalid("name", "must not be blank")
    async with in_transaction() as conn:
        org = await client(acting, la_id, conn)
        await set_party_details(acting, org, details or {}, conn)
        if name is None or org.name == name:
            return await Organisation.filter(id=la_id).using_db(conn).get()
        clash = await Organisation.filter(kind=OrganisationKind.LA, provider_id=acting.provider_id,
                                          name=name).exclude(id=org.id).using_db(conn).exists()
        if clash:
            raise Conflict(f"another LA client is already called {name!r}")
        old = org.name
        await Organisation.filter(id=org.id).using_db(conn).update(name=name)
        await audit(acting.principal, "organisation.renamed", object_type="organisation", object_id=org.id,
                    la_id=org.id, data=acting.audit_data(old_name=old, name=name), using=conn)
    return await Organisation.get(id=la_id)


async def set_party_details(acting: Acting, org: Organisation, details: dict[str, Any],
                            conn: BaseDBAsyncClient) -> None:
    """Store an organisation's invoice details (checked by `contracts.api.PartyDetails`), audited when they change."""
    changed = {key: value for key, value in details.items() if getattr(org, key) != value}
    if not changed:
        return
    await Organisation.filter(id=org.id).using_db(conn).update(**changed)
    await audit(acting.principal, "organisation.invoice_details_set", object_type="organisation",
                object_id=org.id, la_id=org.id if org.kind == OrganisationKind.LA else None,
                data=acting.audit_data(fields=sorted(changed)), using=conn)


async def archive_client(acting: Acting, la_id: UUID) -> Organisation:
    """No new bundles from now on; what the LA has in hand carries on and its history stays (archiving twice is
    one archiving)."""
    async with in_transaction() as conn:
        org = await client(acting, la_id, conn)
        if org.archived_at is None:
            await Organisation.filter(id=org.id, archived_at__isnull=True).using_db(conn).update(
                archived_at=clock.now())
            await audit(acting.principal, "organisation.archived", object_type="organisation", object_id=org.id,
                        la_id=org.id, data=acting.audit_data(), using=conn)
    return await Organisation.get(id=la_id)


def checked_rate_card(raw: dict[str, Any] | None, amendment_window_days: int) -> dict[str, Any]:
    """The rate card as stored: the standard card when none is given; every work type an LA may submit priced and
    paid, so a submission can never meet a missing price (422 naming what is missing)."""
    if raw is None:
        card = standard_rate_card(free_amendment_working_days=amendment_window_days)
    else:
        try:
            card = RateCard.model_validate({**raw, "free_amendment_working_days": amendment_window_days})
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise _invalid(f"rate_card.{where}" if where else "rate_card", first["msg"]) from None
    check_rate_card(card, field_prefix="rate_card")  # billing's one validator: every work type, every table
    return card.model_dump(mode="json")


def _terms(body: ContractVersionCreate) -> dict[str, Any]:
    """The version's terms as stored, each checked by the room that reads it."""
    if body.ends_on is not None and body.ends_on < body.starts_on:
        raise _invalid("ends_on", "must not be before starts_on")
    try:
        validate_turnaround_table(body.turnaround_days)
    except InvalidTurnaroundTable as exc:
        raise _invalid("turnaround_days", str(exc)) from None
    try:
        resolve_policy(body.screening_policy)
    except PolicyError as exc:
        raise _invalid("screening_policy", str(exc)) from None
    return {
        "starts_on": body.starts_on, "ends_on": body.ends_on, "turnaround_days": body.turnaround_days,
        "rate_card": checked_rate_card(body.rate_card, body.amendment_window_days),
        "retention_days": body.retention_days, "screening_policy": dict(body.screening_policy),
        "qa_template": _qa_template(body.qa_profile), "amendment_window_days": body.amendment_window_days,
        "offer_window_hours": body.offer_window_hours, "quality_cost_limit": body.quality_cost_limit,
        "closure_days": sorted(d.isoformat() for d in body.closure_days),
    }


def _qa_template(name: str | None) -> dict[str, Any] | None:
    """The shipped QA template profile a version names, as the contract holds it (the QA room's profiles; a learned
    one is set on the contract through /v1/qa/templates)."""
    if name is None:
        return None
    shipped = shipped_profiles()
    if name not in shipped:
        raise _invalid("qa_profile", f"no shipped profile {name!r}; one of {', '.join(sorted(shipped))}")
    return shipped[name].model_dump(mode="json")


def _same_terms(row: LaContract, terms: dict[str, Any]) -> bool:
    return all(getattr(row, key) == value for key, value in terms.items())


async def add_version(acting: Acting, la_id: UUID, body: ContractVersionCreate) -> tuple[LaContract, bool]:
    """A new version of the LA's contract from `body.starts_on`. Work already delivered keeps the figures it was
    billed and paid at (lines are written once), so a version may start today or later; only the LA's first
    version may start earlier (a contract that was running before Planwright)."""
    terms = _terms(body)
    async with in_transaction() as conn:
        await Organisation.filter(id=acting.provider_id).using_db(conn).select_for_update().first()
        org = await client(acting, la_id, conn)
        same_day = await LaContract.filter(la_id=org.id, provider_id=acting.provider_id,
                                           starts_on=body.starts_on).using_db(conn).order_by("-created_at").first()
        if same_day is not None:
            if _same_terms(same_day, terms):
                return same_day, False
            raise Conflict(f"a version starting {body.starts_on.isoformat()} exists with other terms; a change is "
                           "a new version from a later day")
        has_any = await LaContract.filter(la_id=org.id, provider_id=acting.provider_id).using_db(conn).exists()
        if has_any and body.starts_on < clock.today():
            raise _invalid("starts_on", "a new version takes effect today or later; the past keeps its terms")
        if org.archived_at is not None:
            raise Conflict("the LA is archived")
        row = await LaContract.create(la_id=org.id, provider_id=acting.provider_id, prices_pence={},
                                      payouts_pence={}, using_db=conn, **terms)
        await audit(acting.principal, "contract.version_added", object_type="la_contract", object_id=row.id,
                    la_id=org.id, data=acting.audit_data(starts_on=body.starts_on.isoformat(),
                                                         ends_on=body.ends_on.isoformat() if body.ends_on else None),
                    using=conn)
    return row, True


async def versions(acting: Acting, la_id: UUID) -> list[ContractVersionOut]:
    """Every version of the LA's contract, oldest first, the one in force today marked."""
    org = await client(acting, la_id)
    in_force = await contract_between(org.id, acting.provider_id)
    rows = await LaContract.filter(la_id=org.id, provider_id=acting.provider_id).order_by("starts_on", "created_at",
                                                                                          "id")
    return [version_out(row, in_force is not None and row.id == in_force.id) for row in rows]


def version_out(row: LaContract, in_force: bool) -> ContractVersionOut:
    return ContractVersionOut(
        id=row.id, la_id=row.la_id, starts_on=row.starts_on, ends_on=row.ends_on,  # type: ignore[attr-defined]
        turnaround_days=row.turnaround_days, rate_card=row.rate_card, retention_days=row.retention_days,
        screening_policy=row.screening_policy, qa_profile=(row.qa_template or {}).get("name"),
        amendment_window_days=row.amendment_window_days, offer_window_hours=row.offer_window_hours,
        closure_days=[date.fromisoformat(d) for d in row.closure_days], quality_cost_limit=row.quality_cost_limit,
        in_force=in_force, created_at=row.created_at)


async def create_provider(name: str, details: dict[str, Any] | None = None) -> tuple[Organisation, bool]:
    """A writing service on the instance (the operator's act, at the command line): the same name again answers
    the one already made, with the invoice details given set on it (the supplier on its invoices)."""
    name = name.strip()
    async with in_transaction() as conn:
        existing = await Organisation.filter(kind=OrganisationKind.PROVIDER, name=name).using_db(conn).first()
        if existing is not None:
            await set_party_details(acting_from_cli(existing.id), existing, details or {}, conn)
            return await Organisation.filter(id=existing.id).using_db(conn).get(), False
        org = await Organisation.create(kind=OrganisationKind.PROVIDER, name=name, using_db=conn,
                                        **(details or {}))
        acting = acting_from_cli(org.id)
        await audit(None, "organisation.created", object_type="organisation", object_id=org.id,
                    data=acting.audit_data(name=name, kind="provider"), using=conn)
    return org, True
