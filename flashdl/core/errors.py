"""The one error family: every message is written for the user and fits on one line."""

from __future__ import annotations

import re


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


# C0 and C1 controls, DEL, line/paragraph separators, bidirectional overrides and isolates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str, limit: int = 400) -> str:
    """``text`` made safe to print as one line of a message: every control character (an escape
    sequence, a newline, a bidi override from a hostile file) is shown as its ``\\xNN`` escape,
    and a very long text is cut."""
    shown = _UNPRINTABLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
