"""The `planwright` command's dispatcher."""

from __future__ import annotations

import subprocess
import sys


def test_help_lists_commands() -> None:
    result = subprocess.run([sys.executable, "-m", "service.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "COMMAND" in result.stdout


def test_unknown_command_exits_2() -> None:
    result = subprocess.run([sys.executable, "-m", "service.cli", "no-such"], capture_output=True, text=True)
    assert result.returncode == 2
