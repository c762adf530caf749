"""Commands on one writing service's books (`planwright org|contract|writer ...`): the operator's way in.

Each runs the same service as its API route, as the command line's operator (audited with the host it ran on),
prints the result as JSON, and exits 2 with one line on standard error for input it cannot act on (a bad id, an
unknown LA, a body that fails validation, a state that does not allow the act).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ValidationError

from service.cli import UsageError
from service.commands import load_settings, parse_uuid, with_database

M = TypeVar("M", bound=BaseModel)


class BooksCommand:
    """A command on one writing service's books, named by --provider."""

    def __init__(self, doc: str, add_arguments: Callable[[argparse.ArgumentParser], None],
                 act: Callable[[argparse.Namespace, Any], Awaitable[Any]], *, needs_provider: bool = True) -> None:
        self.__doc__ = doc
        self._add_arguments = add_arguments
        self._act = act
        self._needs_provider = needs_provider

    def configure(self, parser: argparse.ArgumentParser) -> None:
        if self._needs_provider:
            parser.add_argument("--provider", required=True, help="the writing service's id")
        self._add_arguments(parser)

    def run(self, args: argparse.Namespace) -> int:
        settings = load_settings()
        provider_id = parse_uuid(args.provider, "--provider") if self._needs_provider else None

        async def work() -> Any:
            from service.auth.acting import acting_from_cli
            from service.errors import Problem
            from service.models import Organisation, OrganisationKind

            acting = acting_from_cli(provider_id) if provider_id is not None else None
            if provider_id is not None and not await Organisation.filter(
                    id=provider_id, kind=OrganisationKind.PROVIDER).exists():
                raise UsageError(f"--provider: no writing service {provider_id}")
            try:
                return await self._act(args, acting)
            except Problem as exc:
                raise UsageError(exc.detail) from None

        print(dumps(with_database(settings, work)))
        return 0


def dumps(result: Any) -> str:
    if isinstance(result, BaseModel):
        return result.model_dump_json(indent=2)
    if isinstance(result, list):
        return json.dumps([json.loads(r.model_dump_json()) if isinstance(r, BaseModel) else r for r in result],
                          indent=2)
    return json.dumps(result, indent=2, default=str)


def read_body(path: str, model: type[M], flag: str = "--terms", **overrides: Any) -> M:
    """A JSON body from a file (or '-' for standard input), checked by the API's own model."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{flag}: cannot read {path}: {exc.strerror}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{flag}: {path} is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(raw, dict):
        raise UsageError(f"{flag}: {path} must hold a JSON object")
    raw.update({k: v for k, v in overrides.items() if v is not None})
    return validated(model, raw, flag)


def validated(model: type[M], raw: dict[str, Any], flag: str) -> M:
    """A body checked by the API's own model; its first error names the field, exit 2."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"{flag}: {where}: {first['msg']}") from None


def uuid_arg(value: str, flag: str) -> UUID:
    return parse_uuid(value, flag)
