"""The `planwright` command: engines on plain files, and the service's own operations.

Exit status: 0 clean / done, 1 findings, 2 the input could not be read or a setting is wrong
(a one-line message on standard error).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Protocol, cast


class Command(Protocol):
    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


# name -> module; each module has configure(parser) and run(args) -> int ("module:name": an object in the module
# that has them, for a family of commands kept in one module). Nested names ("denylist make") become nested
# sub-commands.
COMMANDS: dict[str, str] = {
    "allocate": "service.allocation.command",
    "screen": "service.screening.command",
    "denylist make": "service.screening.denylist_command",
    "qa": "service.qa.command",
    "template learn": "service.qa.learn_command",
    "migrate": "service.commands.migrate",
    "serve": "service.commands.serve",
    "seed": "service.commands.seed",
    "tokens create": "service.commands.tokens",
    "tokens revoke": "service.commands.tokens_revoke",
    "worker": "service.commands.worker",
    "scheduler": "service.commands.scheduler",
    "openapi": "service.commands.openapi",
    "journey": "service.commands.journey",
    "demo files": "service.commands.demo_files",
    "simulate": "service.simulation.command",
    "report": "service.sla.report_command",
    "audit verify": "service.commands.audit_verify",
    "billing close": "service.billing.month_close_command",
    "billing export": "service.billing.export_command",
    "org provider": "service.organisations.commands:org_provider",
    "org create": "service.organisations.commands:org_create",
    "org rename": "service.organisations.commands:org_rename",
    "org archive": "service.organisations.commands:org_archive",
    "org list": "service.organisations.commands:org_list",
    "contract add": "service.organisations.commands:contract_add",
    "contract list": "service.organisations.commands:contract_list",
    "writer invite": "service.writers.commands:writer_invite",
    "writer terms": "service.writers.commands:writer_terms",
    "writer onboard": "service.writers.commands:writer_onboard",
    "writer suspend": "service.writers.commands:writer_suspend",
    "writer reinstate": "service.writers.commands:writer_reinstate",
    "writer offboard": "service.writers.commands:writer_offboard",
    "writer list": "service.writers.commands:writer_list",
    "user invite": "service.admin.commands:user_invite",
    "user list": "service.admin.commands:user_list",
    "user role": "service.admin.commands:user_role",
    "user deactivate": "service.admin.commands:user_deactivate",
    "user sign-in": "service.admin.commands:user_sign_in",
}


class UsageError(Exception):
    """Bad input on the command line or in a file: a message and exit status 2."""


def usage_errors_exit_2(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A command's `run` that reports a UsageError as the dispatcher does (a message, exit status 2), for callers
    that run the command without the dispatcher (tests, other commands)."""

    @functools.wraps(run)
    def reported(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except UsageError as exc:
            print(f"planwright: {exc}", file=sys.stderr)
            return 2

    return reported


def _load(module: str) -> Command:
    """A command's module (or an object in it); one that is missing is a broken install, never a command silently
    left out."""
    module_name, _, attribute = module.partition(":")
    loaded = importlib.import_module(module_name)
    return cast(Command, getattr(loaded, attribute) if attribute else loaded)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. Given the arguments, only the commands they name are loaded (a command's start
    should not pay for importing every other room); without them, or when they name none, all of them."""
    parser = argparse.ArgumentParser(prog="planwright", description=__doc__.splitlines()[0] if __doc__ else None)
    top = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    for name, module_name in _named(list(argv) if argv is not None else None).items():
        module = _load(module_name)
        parts = name.split()
        target = top
        if len(parts) == 2:
            if parts[0] not in groups:
                group_parser = top.add_parser(parts[0], help=f"{parts[0]} commands")
                groups[parts[0]] = group_parser.add_subparsers(dest="subcommand", required=True, metavar="ACTION")
            target = groups[parts[0]]
        doc = (module.__doc__ or "").strip().splitlines()
        sub = target.add_parser(parts[-1], help=doc[0] if doc else None, description=doc[0] if doc else None)
        module.configure(sub)
        sub.set_defaults(_run=module.run)
    return parser


def _named(argv: list[str] | None) -> dict[str, str]:
    """The commands `argv` names: one command, a group's commands, or (naming none) every command."""
    if not argv:
        return COMMANDS
    group = {name: module for name, module in COMMANDS.items() if name.split()[0] == argv[0]}
    if not group:
        return COMMANDS
    one = {name: module for name, module in group.items() if name.split()[1:] == argv[1:2]}
    return one or group


def main(argv: Sequence[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    run = usage_errors_exit_2(cast(Callable[[argparse.Namespace], int], args._run))
    try:
        code = run(args)
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)


if __name__ == "__main__":
    # run the imported module's main, so commands and this dispatcher share one UsageError class
    from service.cli import main as cli_main

    cli_main()
