"""Raw terminal bytes decoded into keys: an escape sequence is one key, never a grade."""

from __future__ import annotations

import pytest

from flashdl.app.session import GRADE_KEYS
from flashdl.ui.keys import ESC, decode_key
from flashdl.ui.study import QUIT, UNDO

# What xterm, the Linux console, rxvt and tmux send for the keys a user presses to scroll or by
# mistake: PgUp/PgDn, Home/End (three spellings), Insert/Delete, arrows (normal and application
# mode), F1-F12, modified arrows, Alt+digit, and a bracketed-paste start.
SEQUENCES = [
    "\x1b[5~", "\x1b[6~", "\x1b[1~", "\x1b[4~", "\x1b[H", "\x1b[F", "\x1b[7~", "\x1b[8~",
    "\x1b[2~", "\x1b[3~", "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1bOA", "\x1bOB", "\x1bOH",
    "\x1bOF", "\x1bOP", "\x1bOQ", "\x1bOR", "\x1bOS", "\x1b[15~", "\x1b[17~", "\x1b[18~",
    "\x1b[19~", "\x1b[20~", "\x1b[21~", "\x1b[23~", "\x1b[24~", "\x1b[[A", "\x1b[[E",
    "\x1b[1;5A", "\x1b[1;2D", "\x1b[5;5~", "\x1b[3;2~", "\x1b5", "\x1bq", "\x1b[200~", "\x1b[Z",
]  # fmt: skip


def keys_of(data: bytes) -> list[str]:
    stream = list(data)

    def read() -> bytes:
        return bytes([stream.pop(0)]) if stream else b""

    keys = []
    while (key := decode_key(read, lambda: bool(stream))) is not None:
        keys.append(key)
    return keys


@pytest.mark.parametrize("sequence", SEQUENCES)
def test_an_escape_sequence_is_one_key_and_the_next_key_is_intact(sequence: str):
    keys = keys_of(sequence.encode("latin-1") + b"5")
    assert keys == [sequence, "5"]
    assert keys[0] not in GRADE_KEYS and keys[0].lower() not in (QUIT, UNDO, "")


def test_a_lone_escape_and_utf8_characters():
    assert keys_of(b"\x1b") == [ESC]
    assert keys_of("好4".encode()) == ["好", "4"]
    assert keys_of(b"\x1b[" + b"1" * 100) == ["\x1b[" + "1" * 30, *["1"] * 70]
