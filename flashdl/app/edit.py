"""``flashdl edit``: where a card's user-owned text is, creating the override when needed, and the
editor command that opens it at the card's line.

A bundled card is never edited in place (an upgrade would overwrite the fix): its override goes to
``overrides.yaml`` in the user's decks folder, starting as a copy of the card's YAML text so the
user edits real content. A card of the user's own deck is edited where it is.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flashdl.core.errors import DeckError, UsageError
from flashdl.core.model import Card, Deck

OVERRIDES_FILE = "overrides.yaml"
OVERRIDES_HEADER = """\
# yaml-language-server: $schema=deck.schema.json
# Your corrections of flashdl's cards (`flashdl edit CARD_ID` adds one and opens it here).
# Each entry names a card by its id and gives the fields to change: question, answer,
# key_points, pitfalls, source, tags, related. Fields left out stay as shipped, and a question
# or answer may give one language only. Progress is kept: it hangs on the id.
# Delete an entry to go back to the shipped card; `flashdl check` validates this file.
overrides:
"""

# Editors that take ``+LINE FILE``, and those that take ``FILE:LINE`` (after ``-g`` for VS Code).
PLUS_LINE = {"vi", "vim", "nvim", "gvim", "mvim", "view", "nano", "pico", "rnano", "emacs",
             "emacsclient", "micro", "kak", "joe", "jed", "mg", "ne", "gedit", "kate", "ed"}  # fmt: skip
GOTO_FLAG = {"code", "code-insiders", "codium", "vscodium", "cursor"}
COLON_LINE = {"subl", "sublime_text", "hx", "helix", "zed", "atom"}


@dataclass(frozen=True)
class Target:
    """The file and line to open; ``created`` when the override entry was just written."""

    path: Path
    line: int
    created: bool = False


def _split_where(where: str) -> tuple[Path, int]:
    path, _, line = where.rpartition(":")
    return Path(path), int(line) if line.isdigit() else 1


def card_yaml(source: str, line: int) -> str | None:
    """The YAML text of the list item that starts on ``line`` (1-based) of ``source``, indented
    as an item of a top-level list (two spaces); None when the line is not a ``- `` item."""
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return None
    first = lines[line - 1]
    dash = len(first) - len(first.lstrip(" "))
    if not first[dash:].startswith("- "):
        return None
    end = line
    while end < len(lines):
        text = lines[end]
        if text.strip() and len(text) - len(text.lstrip(" ")) <= dash:
            break
        end += 1
    block = lines[line - 1 : end]
    while block and (not block[-1].strip() or block[-1].lstrip().startswith("#")):
        block.pop()
    shift = dash - 2
    out = []
    for text in block:
        if not text.strip():
            out.append("")
        elif shift >= 0:
            out.append(text[shift:])
        else:
            out.append(" " * -shift + text)
    return "\n".join(out) + "\n"


def _fallback_yaml(card: Card) -> str:
    """The card's id, question and answer as YAML, when its text cannot be copied."""
    import yaml

    data = {
        "id": card.id,
        "question": {k: v for k, v in (("zh", card.question.zh), ("en", card.question.en)) if v},
        "answer": {k: v for k, v in (("zh", card.answer.zh), ("en", card.answer.en)) if v},
    }
    text = yaml.safe_dump([data], allow_unicode=True, sort_keys=False, width=100)
    return "".join(f"  {line}\n" if line else "\n" for line in text.splitlines())


def _readable(path: Path) -> str:
    from flashdl.decks.loader import read_deck_file

    data = read_deck_file(path)
    return data.decode("utf-8-sig", "replace")


def edit_target(card: Card, deck: Deck, user_decks_dir: Path, bundled_dir: Path) -> Target:
    """Where to edit ``card``: its existing override, the user's own deck file, or a new entry
    (a copy of the bundled card) at the end of ``overrides.yaml``."""
    where = deck.overridden_by(card.id)
    if where:
        path, line = _split_where(where)
        return Target(path, line)
    deck_path = Path(deck.path)
    try:
        bundled = deck_path.resolve().is_relative_to(bundled_dir.resolve())
    except OSError:
        bundled = True
    if not bundled:
        return Target(deck_path, card.line or 1)
    return add_override(card, deck_path, user_decks_dir / OVERRIDES_FILE)


def add_override(card: Card, deck_file: Path, target: Path) -> Target:
    """Append a copy of ``card`` (its text in ``deck_file``) to the overrides file ``target``,
    creating the file; the file is checked afterwards and left as it was if the entry breaks it."""
    from flashdl.decks.loader import parse_overrides
    from flashdl.files import replace_own, write_atomic

    entry = card_yaml(_readable(deck_file), card.line) if card.line else None
    if entry is None or f"id: {card.id}" not in entry.splitlines()[0]:
        entry = _fallback_yaml(card)
    created = not target.exists()
    before = OVERRIDES_HEADER if created else _readable(target)
    if not created:
        # The file is broken (so the override did not apply): open it where the card's entry
        # is, or at its first problem, rather than adding a second entry.
        import re

        own = re.compile(rf"^\s*-\s+id:\s*['\"]?{re.escape(card.id)}['\"]?\s*(#.*)?$")
        for number, text in enumerate(before.splitlines(), 1):
            if own.match(text):
                return Target(target, number)
        try:
            parse_overrides(before, str(target))
        except DeckError as exc:
            first = exc.problems[0].removeprefix(f"{target}:").split(":", 1)[0]
            return Target(target, int(first) if first.isdigit() else 1)
    if before and not before.endswith("\n"):
        before += "\n"
    after = before + entry
    parse_overrides(after, str(target))  # a copy of a valid card: it parses
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"cannot create the decks folder {target.parent}: {exc.strerror}"
        ) from None
    write_atomic(target, after, force=True)
    if created:
        from flashdl.decks.authoring import SCHEMA_COPY, schema_text

        schema = target.parent / SCHEMA_COPY
        if not schema.exists():
            replace_own(schema, schema_text())  # (a dangling link there is replaced)
    return Target(target, before.count("\n") + 1, created=True)


def editor_command(
    path: Path,
    line: int,
    environ: Mapping[str, str],
    which: Callable[[str], str | None] = shutil.which,
) -> list[str]:
    """The command that opens ``path`` at ``line``: ``$EDITOR``, else ``$VISUAL``, else vi or
    nano; the line is passed the way the editor understands (``+LINE``, ``-g FILE:LINE``...)."""
    chosen = environ.get("EDITOR", "").strip() or environ.get("VISUAL", "").strip()
    if not chosen:
        found = next((name for name in ("vi", "nano") if which(name)), None)
        if found is None:
            raise UsageError("no editor found: set EDITOR (for example EDITOR=nano)")
        chosen = found
    try:
        argv = shlex.split(chosen)
    except ValueError as exc:
        raise UsageError(f"EDITOR is not a command line ({exc})") from None
    if not argv:
        raise UsageError("no editor found: set EDITOR (for example EDITOR=nano)")
    name = os.path.basename(argv[0]).lower().removesuffix(".exe")
    if name in PLUS_LINE:
        return [*argv, f"+{line}", str(path)]
    if name in GOTO_FLAG:
        return [*argv, "-g", f"{path}:{line}"]
    if name in COLON_LINE:
        return [*argv, f"{path}:{line}"]
    return [*argv, str(path)]


def run_editor(argv: list[str]) -> int:
    """Run the editor in this terminal and wait for it; its exit code."""
    import subprocess

    try:
        return subprocess.run(argv, check=False).returncode
    except FileNotFoundError:
        raise UsageError(
            f"cannot start the editor '{argv[0]}': no such program; set EDITOR"
        ) from None
    except PermissionError:
        raise UsageError(f"cannot start the editor '{argv[0]}': permission denied") from None


@dataclass(frozen=True)
class Edited:
    """What one edit left: where it was, the card as it now loads (None while the file has
    problems), the problems (``file:line: ...``) and the editor's exit code."""

    target: Target
    card: Card | None
    problems: tuple[str, ...]
    editor_code: int


def edit_card(
    card: Card,
    deck: Deck,
    *,
    user_decks_dir: Path,
    bundled_dir: Path,
    cache_dir: Path,
    sources: list[Path],
    environ: Mapping[str, str],
) -> Edited:
    """Open ``card`` in the user's editor (creating its override first if it is bundled), then
    check the file and reload the card: what ``flashdl edit`` and the study app's ``e`` do."""
    from flashdl.decks.cache import forget, load_usable_decks_cached
    from flashdl.decks.loader import display_path, load_file

    target = edit_target(card, deck, user_decks_dir, bundled_dir)
    code = run_editor(editor_command(target.path, target.line, environ))
    forget(cache_dir, target.path)
    try:
        load_file(target.path)
    except DeckError as exc:
        return Edited(target, None, tuple(exc.problems), code)
    notes: list[str] = []
    decks, problems = load_usable_decks_cached(sources, cache_dir, notes=notes)
    shown = display_path(target.path)
    mine = tuple(p for p in (*notes, *problems) if p.startswith(f"{shown}:"))
    reloaded = next((c for d in decks for c in d.cards if c.id == card.id), None)
    return Edited(target, reloaded, mine, code)
