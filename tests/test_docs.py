"""Docs that cannot rot: every command has help and appears in the README; CI runs the README's command."""

from __future__ import annotations

import re

import typer.main
from conftest import ROOT

from flashdl.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> dict[str, object]:
    return typer.main.get_command(app).commands  # type: ignore[attr-defined]


def test_every_command_has_help_text():
    for name, command in commands().items():
        assert command.help and command.help.strip(), name


def test_every_command_is_in_the_readme():
    for name in commands():
        assert f"flashdl {name}" in README, f"README does not show `flashdl {name}`"


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_second():
    install_and_study, install_and_test = quick_start_commands()
    assert install_and_study.endswith("pip install . && flashdl study")
    assert "'.[test]'" in install_and_test and install_and_test.endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()
    assert "set -euo pipefail" in ci
