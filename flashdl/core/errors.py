"""The one error family: every message is written for the user and fits on one line."""

from __future__ import annotations


class FlashdlError(Exception):
    """Anything the user can fix; the CLI prints ``flashdl: <message>`` and exits 1."""


class DeckError(FlashdlError):
    """One or more problems in deck files, each already formatted as ``path:LINE: message``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class StoreError(FlashdlError):
    """The database cannot be opened or written; the file is left as it was."""


class UsageError(FlashdlError):
    """A command was asked for something that cannot be done (unknown deck, bad date...)."""


class ConfigError(FlashdlError):
    """The settings file cannot be read or a setting has a bad value; the file is left as it was."""
