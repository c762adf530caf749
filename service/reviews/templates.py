"""The LA's plan template profile for draft QA: learned from a blank template, named on the LA's contract."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable
from uuid import UUID

from tortoise.transactions import in_transaction

from contracts.qa import LaTemplate, LaTemplateIn, TemplateProfile
from service.audit.service import audit
from service.auth.principal import Principal
from service.contracts_in_force import contract_between
from service.errors import InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from service.models import LaContract
from service.qa.profiles import learn, shipped_profiles
from service.qa.template import UnreadableDraft
from service.screening.safety import UnsafeDocument, check_docx_archive


async def read_limited(chunks: AsyncIterable[bytes], limit: int) -> bytes:
    """The whole body, refused as soon as it passes `limit` bytes."""
    data = bytearray()
    async for chunk in chunks:
        data += chunk
        if len(data) > limit:
            raise PayloadTooLarge(f"the body is over the limit of {limit} bytes", limit=limit)
    return bytes(data)


def learn_profile(data: bytes, name: str, title: str) -> TemplateProfile:
    """A profile learned from a blank template's bytes; 415 for what is not a readable Word document."""
    try:
        check_docx_archive(data)  # the archive limits screening applies, before python-docx unpacks anything
        return learn(data, name, title)
    except (UnsafeDocument, UnreadableDraft) as exc:
        raise UnsupportedMediaType(f"the blank template: {exc.reason}") from exc


async def learn_from(chunks: AsyncIterable[bytes], limit: int, *, name: str, title: str) -> TemplateProfile:
    data = await read_limited(chunks, limit)
    return await asyncio.to_thread(learn_profile, data, name, title)


async def _contract(principal: Principal, la_id: UUID) -> LaContract:
    """The contract between the caller's writing service and this LA (another service's LA: 404)."""
    contract = await contract_between(la_id, principal.organisation_id)
    if contract is None:
        raise NotFound("no such LA")
    return contract


def _out(la_id: UUID, raw: dict[str, object] | None) -> LaTemplate:
    profile = TemplateProfile.model_validate(raw) if raw is not None else None
    return LaTemplate(la_id=str(la_id), profile=profile, shipped=sorted(shipped_profiles()))


async def get_template(principal: Principal, la_id: UUID) -> LaTemplate:
    contract = await _contract(principal, la_id)
    return _out(la_id, contract.qa_template)


async def set_template(principal: Principal, la_id: UUID, body: LaTemplateIn) -> LaTemplate:
    """Name the LA's profile on its contract: a shipped one, a learned and corrected one, or none."""
    contract = await _contract(principal, la_id)
    if body.name is not None and body.profile is not None:
        raise InvalidInput("give a shipped profile's name or a whole profile, not both")
    profile: TemplateProfile | None = body.profile
    if body.name is not None:
        shipped = shipped_profiles()
        if body.name not in shipped:
            raise InvalidInput(f"name: no shipped profile {body.name!r}; one of {', '.join(sorted(shipped))}")
        profile = shipped[body.name]
    raw = profile.model_dump(mode="json") if profile is not None else None
    async with in_transaction() as conn:
        await LaContract.filter(id=contract.id).using_db(conn).update(qa_template=raw)
        # on the LA's own chain too: the profile its drafts are read with is the LA's business
        await audit(principal, "qa.template_set", object_type="la_contract", object_id=contract.id, la_id=la_id,
                    data={"profile": profile.name if profile is not None else None}, using=conn)
    return _out(la_id, raw)
