"""A real ``python -m flashdl study`` in a subprocess, driven line by line through a pipe.

Used by the crash and concurrency tests. Every line the child reads is one keypress (``LineKeys``);
each consumed line makes the child print exactly one prompt ending in ``q quit`` (the reveal prompt
or the grade legend), so the driver knows how far the child got by counting them.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

PROMPT = "q quit"  # ends both the reveal prompt and the grade legend (no wrapping at COLUMNS=200)
SUMMARY = "Session summary"
QUESTION = re.compile(r"(\d+) done · (\d+) left")


def deck_text(name: str, cards: int) -> str:
    """A valid deck ``name`` with ``cards`` cards and no related links."""
    lines = [f"deck: {name}", f"title: {{en: {name.title()}}}", "cards:"]
    for i in range(1, cards + 1):
        lines += [
            f"  - id: {name}-{i}",
            f"    question: {{en: Question {i} of {name}?}}",
            f"    answer: {{en: Answer {i}.}}",
            "    key_points:",
            *(f"      - {{en: point {p}, terms: [t{p}]}}" for p in range(3)),
        ]
    return "\n".join(lines) + "\n"


def write_decks(folder: Path, decks: dict[str, int]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, cards in decks.items():
        (folder / f"{name}.yaml").write_text(deck_text(name, cards), encoding="utf-8")
    return folder


class StudyProcess:
    """One study session in a child process; output is collected by a reader thread."""

    def __init__(self, home: Path, decks_dir: Path, *args: str, db: Path | None = None):
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("FLASHDL_DB", "FORCE_COLOR", "NO_COLOR", "FLASHDL_DEBUG")
        }
        env.update(
            FLASHDL_HOME=str(home),
            FLASHDL_DECKS=str(decks_dir),
            COLUMNS="200",
            LINES="50",
            PYTHONUNBUFFERED="1",
        )
        if db is not None:
            env["FLASHDL_DB"] = str(db)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flashdl", "study", "--lang", "en", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.sent: list[str] = []

    def _read(self) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            with self._lock:
                self._chunks.append(chunk)

    @property
    def output(self) -> str:
        with self._lock:
            data = b"".join(self._chunks)
        return data.decode("utf-8", errors="replace")

    def prompts(self) -> int:
        return self.output.count(PROMPT)

    def finished(self) -> bool:
        return SUMMARY in self.output or self.proc.poll() is not None

    def send(self, line: str) -> bool:
        """Write one keypress line; False when the child no longer reads."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        self.sent.append(line)
        return True

    def wait_prompts(self, count: int, timeout: float = 15.0) -> bool:
        """Wait until ``count`` prompts were printed; False if the session ended first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.output
            if out.count(PROMPT) >= count:
                return True
            if SUMMARY in out or self.proc.poll() is not None:
                self._reader.join(timeout=5)
                return self.output.count(PROMPT) >= count
            time.sleep(0.0005)
        raise AssertionError(f"flashdl study did not answer within {timeout} s:\n{self.output}")

    def kill(self) -> None:
        """SIGKILL, then collect everything the child had written before it died."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.close()

    def close(self, timeout: float = 15.0) -> int:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=timeout)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        return code
