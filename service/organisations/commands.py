"""`planwright org ...` and `planwright contract ...`: a writing service's LA clients and contract versions."""

from __future__ import annotations

import argparse
from typing import Any

from pydantic import ValidationError

from contracts.api import PARTY_FIELDS, ContractVersionCreate, OrganisationList, OrganisationOut, PartyDetails
from service.auth.acting import Acting
from service.cli import UsageError
from service.commands.books import BooksCommand, read_body, uuid_arg


def _name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True, help="the organisation's name")
    _party(parser)


def _party(parser: argparse.ArgumentParser) -> None:
    """The organisation's details as a party on a VAT invoice (each optional; absent: left as it is)."""
    parser.add_argument("--address-line", action="append", dest="address_lines", metavar="LINE",
                        help="a line of the postal address (repeat, up to 4)")
    parser.add_argument("--postcode", help="the UK postcode")
    parser.add_argument("--vat-number", help="the UK VAT registration number (GB and 9 digits)")
    parser.add_argument("--payment-terms-days", type=int, help="days an invoice is due after issue (0-120)")
    parser.add_argument("--billing-email", help="the billing contact's email (an LA's; Xero's EmailAddress)")
    parser.add_argument("--sage-account-reference",
                        help="the LA's account reference in Sage 50 (up to 8 letters and digits)")


def _party_fields(args: argparse.Namespace) -> dict[str, object]:
    """The details given on the command line, checked as the API checks them (exit 2 naming the option)."""
    given = {key: getattr(args, key) for key in PARTY_FIELDS if getattr(args, key, None) is not None}
    try:
        return PartyDetails.model_validate(given).party_fields()
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        field = str(first["loc"][0]) if first["loc"] else "address_lines"
        option = "--address-line" if field == "address_lines" else "--" + field.replace("_", "-")
        raise UsageError(f"{option}: {first['msg']}") from None


def _la(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--la", required=True, help="the LA client's id")


async def _provider(args: argparse.Namespace, _: None) -> OrganisationOut:
    from service.organisations import service

    name = args.name.strip()
    if not name or len(name) > 200:
        raise UsageError("--name: 1 to 200 characters")
    org, _created = await service.create_provider(name, _party_fields(args))
    return service.organisation_out(org)


async def _create(args: argparse.Namespace, acting: Acting) -> OrganisationOut:
    from service.organisations import service

    if not args.name.strip() or len(args.name) > 200:
        raise UsageError("--name: 1 to 200 characters")
    org, _created = await service.create_client(acting, args.name, _party_fields(args))
    return service.organisation_out(org)


async def _rename(args: argparse.Namespace, acting: Acting) -> OrganisationOut:
    from service.organisations import service

    if not args.name.strip() or len(args.name) > 200:
        raise UsageError("--name: 1 to 200 characters")
    return service.organisation_out(await service.rename_client(acting, uuid_arg(args.la, "--la"), args.name,
                                                                _party_fields(args)))


async def _archive(args: argparse.Namespace, acting: Acting) -> OrganisationOut:
    from service.organisations import service

    return service.organisation_out(await service.archive_client(acting, uuid_arg(args.la, "--la")))


async def _list(args: argparse.Namespace, acting: Acting) -> OrganisationList:
    from service.organisations import service

    return OrganisationList(items=[service.organisation_out(o) for o in await service.clients(acting)])


def _contract_args(parser: argparse.ArgumentParser) -> None:
    _la(parser)
    parser.add_argument("--terms", required=True, metavar="FILE",
                        help="the version's terms as JSON, as POST /v1/organisations/{la_id}/contracts takes them "
                             "('-' for standard input)")
    parser.add_argument("--starts-on", help="the day the version takes effect (YYYY-MM-DD; overrides the file's)")


async def _contract_add(args: argparse.Namespace, acting: Acting) -> Any:
    from service.organisations import service

    la_id = uuid_arg(args.la, "--la")
    body = read_body(args.terms, ContractVersionCreate, starts_on=args.starts_on)
    row, _created = await service.add_version(acting, la_id, body)
    return next(v for v in await service.versions(acting, la_id) if v.id == row.id)


async def _contract_list(args: argparse.Namespace, acting: Acting) -> Any:
    from service.organisations import service

    return await service.versions(acting, uuid_arg(args.la, "--la"))


org_provider = BooksCommand("Add a writing service to the instance (the same name again answers the one made)",
                            _name, _provider, needs_provider=False)
org_create = BooksCommand("Add an LA client of a writing service (the same name again answers the LA made)",
                          _name, _create)
def _la_and_name(parser: argparse.ArgumentParser) -> None:
    _la(parser)
    _name(parser)


org_rename = BooksCommand("Rename an LA client and set its invoice details", _la_and_name, _rename)
org_archive = BooksCommand("Archive an LA client: no new bundles; work in hand and history stay", _la, _archive)
org_list = BooksCommand("A writing service's LA clients", lambda p: None, _list)
contract_add = BooksCommand("Add a version of an LA's contract, in force from its start day", _contract_args,
                            _contract_add)
contract_list = BooksCommand("Every version of an LA's contract, the one in force today marked", _la, _contract_list)
