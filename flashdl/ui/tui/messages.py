"""What the app's widgets tell their screens."""

from __future__ import annotations

from textual.message import Message


class AnswerSubmitted(Message):
    """The quiz editor's text is the user's answer (Ctrl+S)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class TimeUp(Message):
    """The quiz countdown passed the time budget (the clock goes on, as overrun)."""
