"""Where keypresses come from: a real terminal (one key, no Enter) or a stream (one line a key).

Both return ``None`` at the end of input, which the session treats like ``q``. A terminal sends
PgUp, Home, F5 and the arrows as escape sequences (PgUp is ``ESC [ 5 ~``); they are decoded whole
and returned as one multi-character string, so no byte of one is ever read as a grade or a command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol, TextIO

CTRL_C, CTRL_D, ESC = "\x03", "\x04", "\x1b"
MAX_SEQUENCE = 32  # longer "sequences" are garbage; stop reading them there
ESCAPE_WAIT_S = 0.05  # how long after ESC the rest of a sequence may take to arrive


def decode_key(read: Callable[[], bytes], pending: Callable[[], bool]) -> str | None:
    """One keypress from a raw terminal: one character, or a whole escape sequence as one string.

    ``read`` returns the next byte (b"" at end of input); ``pending`` says whether more bytes are
    already waiting (telling a lone Escape from the start of a sequence)."""
    first = read()
    if not first:
        return None
    if first == ESC.encode():
        if not pending():
            return ESC
        sequence = first + read()
        if sequence.endswith(b"O"):  # SS3: F1-F4 and the arrows in application mode
            sequence += read()
        elif sequence.endswith(b"["):  # CSI: parameters, then one final byte @ to ~
            while len(sequence) < MAX_SEQUENCE:
                byte = read()
                if not byte:
                    break
                sequence += byte
                if sequence == b"\x1b[[":  # the Linux console's F1-F5: ESC [ [ A
                    continue
                if 0x40 <= byte[0] <= 0x7E:
                    break
        return sequence.decode("latin-1")  # Alt+key arrives as ESC + the key: one string too
    lead = first[0]
    size = 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2 if lead >= 0xC0 else 1
    data = first
    while len(data) < size:
        byte = read()
        if not byte:
            break
        data += byte
    return data.decode("utf-8", errors="replace")


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
    """Scripted input: each line is one keypress (the line without blanks around it). A line of
    more than one character comes back whole, as an escape sequence does from a terminal, so it
    equals no grade or command: "45" or "5 no wait 1" grades nothing."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def read_key(self) -> str | None:
        line = self.stream.readline()
        if not line:
            return None
        return line.strip().lower()

    def read_line(self) -> str | None:
        return _line(self.stream)


class TerminalKeys:
    """Single keypresses from a terminal in cbreak mode; Ctrl-C and Ctrl-D end the session."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdin

    def read_key(self) -> str | None:
        """One key; an escape sequence comes back whole (never equal to a grade or command)."""
        import os
        import select
        import termios
        import tty

        fd = self.stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setraw(fd)
            key = decode_key(
                lambda: os.read(fd, 1),
                lambda: bool(select.select([fd], [], [], ESCAPE_WAIT_S)[0]),
            )
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if key in (None, "", CTRL_D):
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
