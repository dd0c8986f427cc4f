"""Shared fixtures: every test gets its own FLASHDL_HOME and a fixed clock; nothing touches ~."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flashdl.cli import Env, app

TZ = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 29, 9, 30, tzinfo=TZ)
ROOT = Path(__file__).resolve().parent.parent


class FakeClock:
    """A clock the test moves by hand; each call may advance it by ``step``."""

    def __init__(self, now: datetime = NOW, step: timedelta = timedelta(0)):
        self.now = now
        self.step = step

    def __call__(self) -> datetime:
        current = self.now
        self.now = self.now + self.step
        return current

    def advance(self, **kwargs: float) -> None:
        self.now = self.now + timedelta(**kwargs)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty FLASHDL_HOME for every test; FLASHDL_DB/FLASHDL_DECKS cleared."""
    folder = tmp_path / "home"
    monkeypatch.setenv("FLASHDL_HOME", str(folder))
    monkeypatch.delenv("FLASHDL_DB", raising=False)
    monkeypatch.delenv("FLASHDL_DECKS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user-home" / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user-home" / "config"))
    return folder


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def invoke(clock: FakeClock):
    """Run the CLI in-process with the fixed clock and the given stdin text."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        import os

        env = Env(clock=clock, environ=dict(os.environ))
        return runner.invoke(app, list(args), input=input, obj=env, catch_exceptions=False)

    return run
