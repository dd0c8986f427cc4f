"""Where keypresses come from: a real terminal (one key, no Enter) or a stream (one line a key).

Both return ``None`` at the end of input, which the session treats like ``q``.
"""

from __future__ import annotations

import sys
from typing import Protocol, TextIO

CTRL_C, CTRL_D = "\x03", "\x04"


class KeySource(Protocol):
    def read_key(self) -> str | None:
        """The next key as a one-character string ('' for a bare Enter), or None at end of input."""
        ...

    def read_line(self) -> str | None:
        """One typed line without its newline, or None at end of input."""
        ...


def _line(stream: TextIO) -> str | None:
    line = stream.readline()
    return line.rstrip("\r\n") if line else None


class LineKeys:
    """Scripted input: each line is one keypress (its first non-blank character)."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def read_key(self) -> str | None:
        line = self.stream.readline()
        if not line:
            return None
        return line.strip()[:1].lower()

    def read_line(self) -> str | None:
        return _line(self.stream)


class TerminalKeys:
    """Single keypresses from a terminal in cbreak mode; Ctrl-C and Ctrl-D end the session."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdin

    def read_key(self) -> str | None:
        import termios
        import tty

        fd = self.stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setraw(fd)
            key = self.stream.read(1)
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if key in ("", CTRL_D):
            return None
        if key == CTRL_C:
            raise KeyboardInterrupt
        return "" if key in ("\r", "\n") else key.lower()

    def read_line(self) -> str | None:
        """A line in the terminal's normal (cooked) mode, so editing keys work."""
        return _line(self.stream)


def keys_for(stream: TextIO) -> KeySource:
    """A terminal gets single keypresses; anything else (a pipe, a file) is read line by line."""
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        interactive = False
    return TerminalKeys(stream) if interactive else LineKeys(stream)
