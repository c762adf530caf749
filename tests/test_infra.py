"""infra/: every service the compose file runs has a command that exists in the project."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from service.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
THIRD_PARTY = {"postgres", "rabbitmq", "minio"}


def _commands() -> set[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)  # type: ignore[arg-type]


def test_every_compose_service_runs_a_real_planwright_command() -> None:
    compose = yaml.safe_load((ROOT / "infra" / "compose.yaml").read_text())
    known = _commands()
    ours = {name: svc for name, svc in compose["services"].items() if name not in THIRD_PARTY}
    assert {"api", "worker", "scheduler", "migrate"} <= set(ours)
    for name, service in ours.items():
        command = service["command"]
        argv = command if isinstance(command, list) else shlex.split(command)
        assert argv[0] == "planwright", name
        assert argv[1] in known, f"{name}: planwright {argv[1]} does not exist"
        build_parser().parse_args(argv[1:])  # the arguments parse too
    for name in THIRD_PARTY:
        assert "image" in compose["services"][name]


def test_the_image_installs_from_the_hashed_lock() -> None:
    containerfile = (ROOT / "infra" / "Containerfile").read_text()
    assert "--require-hashes -r requirements/dev.lock" in containerfile
