"""The Markdown cheat sheet: one section per deck, each card's question, answer and key points.

Deck text is untrusted, and the sheet is read by renderers flashdl does not know (GitHub, a static
site generator, an editor's preview), some with raw HTML on and no link filter. So the sheet is
written, never copied: an answer is parsed by markdown-it (``answer_tokens``: no raw HTML, links to
http(s) and mailto only) and written back from its tokens, and plain text is escaped whole:

- text: ``<``, ``>`` and ``&`` as entities, Markdown punctuation (and ``$``) with a backslash, and
  what would start a block at the start of a line (``-``, ``+``, ``=``, ``1.``) escaped too;
- code: code spans and indented code blocks, which every renderer shows literally;
- formulas: GitHub's math code spans, ``$`...`$`` (plain code where no math is rendered);
- links: percent-encoded http(s) and mailto destinations; sources as ``<https://...>`` autolinks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flashdl.core.model import each_card
from flashdl.exporters.anki import _LABELS
from flashdl.exporters.text import (
    Formula,
    answer_tokens,
    clean,
    formula_pieces,
    markdown_link,
    markdown_parser,
    safe_url,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

    from flashdl.core.model import Deck

_SPECIAL = re.compile(r"[\\`*_\[\]{}#|~!$^<>&]")
_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_BLOCK_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))")
_BACKTICKS = re.compile(r"`+")
ANSWER_HEADING_SHIFT = 3  # an answer's "# x" sits under the card's "### n." heading
_ALIGN = {"text-align:left": ":---", "text-align:right": "---:", "text-align:center": ":---:"}


def _escape_char(match: re.Match[str]) -> str:
    char = match[0]
    return _ENTITY.get(char) or "\\" + char


def escape_text(text: str, line_start: bool = False) -> str:
    """One line of text that every Markdown renderer shows as written (no newlines in it)."""
    if line_start:
        text = text.lstrip(" \t")
    escaped = _SPECIAL.sub(_escape_char, text)
    if line_start:
        escaped = _BLOCK_START.sub(_unblock, escaped, count=1)
    return escaped


def _unblock(match: re.Match[str]) -> str:
    if match[1]:
        return "\\" + match[1]
    return f"{match[2]}\\{match[3]}"


def code_span(content: str, in_table: bool = False) -> str:
    """``content`` as an inline code span, fenced by more backticks than it holds."""
    content = content.replace("\n", " ")
    if in_table:
        content = content.replace("|", "\\|")
    if not content:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content.strip(" ") and (content[0] in "` " or content[-1] in "` ") else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def math_span(formula: Formula, in_table: bool = False) -> str:
    """A formula as GitHub writes math in Markdown, ``$`...`$``: a code span anywhere else."""
    body = " ".join(formula.body.split())
    if not body:
        return ""
    if "`" in body:  # no math span can hold it; show it as code, as written
        return code_span(formula.source.replace("\n", " "), in_table)
    if in_table:
        body = body.replace("|", "\\|")
    return f"$`{body}`$"


def _apart(before: str, text: str) -> str:
    """``text`` to follow ``before``, a space between them if two code spans would touch."""
    return " " + text if before.endswith("`") and text.startswith("`") else text


def plain(text: str, *, one_line: bool = False) -> str:
    """Plain deck text (a title, a question, a key point): escaped, formulas as math spans.

    Line breaks stay line breaks (``one_line`` turns them into spaces, for headings).
    """
    lines: list[str] = [""]
    for piece in formula_pieces(clean(text).strip()):
        if isinstance(piece, Formula):
            lines[-1] += _apart(lines[-1], math_span(piece))
            continue
        for index, part in enumerate(piece.split("\n")):
            if index:
                lines.append("")
            lines[-1] += escape_text(part, line_start=not lines[-1])
    return (" " if one_line else "  \n").join(line for line in lines if line.strip())


# -- an answer written back from its tokens ------------------------------------------------------


@dataclass
class _Inline:
    """Where the writer is within a line of inline content."""

    in_table: bool = False
    one_line: bool = False
    line_start: bool = True
    out: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        if text:
            self.out.append(_apart(self.out[-1] if self.out else "", text))
            self.line_start = False

    def newline(self, hard: bool) -> None:
        if self.one_line:
            self.add(" ")
            return
        self.out.append("  \n" if hard else "\n")
        self.line_start = True


_MARKS = {"em": "*", "strong": "**", "s": "~~"}


def _inline(tokens: Sequence[Token], state: _Inline) -> None:
    """Inline tokens in order: a flat list (emphasis opens and closes), so no depth limit."""
    links: list[str] = []
    for token in tokens:
        kind = token.type
        if kind == "text":
            for index, line in enumerate(token.content.split("\n")):
                if index:
                    state.newline(hard=False)
                state.add(escape_text(line, state.line_start))
        elif kind == "math":
            mark = token.markup
            formula = Formula(token.content, mark == "$$", f"{mark}{token.content}{mark}")
            state.add(math_span(formula, state.in_table))
        elif kind == "code_inline":
            state.add(code_span(token.content, state.in_table))
        elif kind in ("softbreak", "hardbreak"):
            state.newline(hard=kind == "hardbreak")
        elif kind.removesuffix("_open").removesuffix("_close") in _MARKS:
            state.add(_MARKS[kind.rsplit("_", 1)[0]])
        elif kind == "link_open":
            href = markdown_link(str(token.attrs.get("href", "")))
            title = str(token.attrs.get("title", "") or "")
            links.append(f"]({href}" + (f' "{_title(title)}"' if title else "") + ")")
            state.add("[")
        elif kind == "link_close":
            state.add(links.pop() if links else "")
        else:  # nothing else is produced with raw HTML and images off; keep the text, escaped
            state.add(escape_text(token.content.replace("\n", " "), state.line_start))


def _title(title: str) -> str:
    title = " ".join(title.split()).replace("\\", "\\\\")
    return "".join(_ENTITY.get(c, "&quot;" if c == '"' else c) for c in title)


def _inline_text(node: _Node, **options: bool) -> list[str]:
    state = _Inline(**options)
    inline = node.children[0].token.children if node.children else None
    _inline(inline or [], state)
    return "".join(state.out).split("\n")


@dataclass
class _Node:
    """A block token with the block tokens between its opening and its closing (if it has them)."""

    token: Token
    children: list[_Node] = field(default_factory=list)

    @property
    def type(self) -> str:
        return self.token.type.removesuffix("_open")


def _block_tree(tokens: Sequence[Token]) -> list[_Node]:
    """Block tokens as a tree; markdown-it nests blocks at most ``maxNesting`` (20) deep."""
    root: list[_Node] = []
    stack = [root]
    for token in tokens:
        if token.nesting == 1:
            node = _Node(token)
            stack[-1].append(node)
            stack.append(node.children)
        elif token.nesting == -1:
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1].append(_Node(token))
    return root


def _blocks(nodes: Sequence[_Node], shift: int, tight: bool = False) -> list[str]:
    """Block nodes as lines; blocks apart by a blank line (in a tight list, only around code)."""
    lines: list[str] = []
    previous = None
    for node in nodes:
        block = _block(node, shift)
        if not block:
            continue
        code = node.type in ("code_block", "fence")
        if previous is not None and (code or previous == "code" or not tight):
            lines.append("")
        if code and previous in ("bullet_list", "ordered_list"):
            lines += ["&nbsp;", ""]  # or the list would take the indented code for its own text
        lines += block
        previous = "code" if code else node.type
    return lines


def _block(node: _Node, shift: int) -> list[str]:
    kind = node.type
    if kind == "paragraph":
        return _inline_text(node)
    if kind == "heading":
        level = min(6, int(node.token.tag[1:]) + shift)
        text = "".join(_inline_text(node, one_line=True)).strip()
        return [("#" * level + " " + text).rstrip()]
    if kind in ("code_block", "fence"):
        content = node.token.content.rstrip("\n")
        if not content.strip():
            return []
        return [("    " + line).rstrip() if line.strip() else "" for line in content.split("\n")]
    if kind == "hr":
        return ["* * *"]
    if kind == "blockquote":
        return [f"> {line}".rstrip() for line in _blocks(node.children, shift)]
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, shift)
    if kind == "table":
        return _table(node)
    if node.children:  # nothing else is produced with raw HTML off
        return _blocks(node.children, shift)
    return [escape_text(line, line_start=True) for line in node.token.content.split("\n") if line]


def _list(node: _Node, shift: int) -> list[str]:
    ordered = node.type == "ordered_list"
    number = int(node.token.attrs.get("start", 1)) if ordered else 0
    delimiter = node.token.markup if ordered else ""
    bullet = node.token.markup if node.token.markup in ("-", "*", "+") else "-"
    tight = any(
        child.type == "paragraph" and child.token.hidden
        for item in node.children
        for child in item.children
    )
    lines: list[str] = []
    for index, item in enumerate(node.children):
        marker = f"{number + index}{delimiter}" if ordered else bullet
        marker = marker.ljust(3) + " "  # content at column 4, as every renderer reads it
        body = _blocks(item.children, shift, tight=tight)
        if index and not tight:
            lines.append("")
        if not body:
            lines.append(marker.rstrip())
            continue
        if item.children[0].type in ("code_block", "fence"):
            # Code cannot start an item in every renderer (Python-Markdown reads "1." alone as
            # text, and the code after it as Markdown): a blank paragraph comes first.
            body = ["&nbsp;", "", *body]
        indent = " " * len(marker)
        lines.append(marker + body[0])
        lines += [indent + line if line else "" for line in body[1:]]
    return lines


def _table(node: _Node) -> list[str]:
    rows = [row for section in node.children for row in section.children]
    if not rows:
        return []
    lines = []
    for number, row in enumerate(rows):
        cells = [
            "".join(_inline_text(cell, in_table=True, one_line=True)).strip()
            for cell in row.children
        ]
        lines.append("| " + " | ".join(cells) + " |")
        if number == 0:
            aligns = [
                _ALIGN.get(str(cell.token.attrs.get("style", "")), "---") for cell in row.children
            ]
            lines.append("| " + " | ".join(aligns) + " |")
    return lines


def answer_markdown(text: str, parser: Any = None, heading_shift: int = 0) -> str:
    """An answer's Markdown, written back from markdown-it's tokens (see the module docstring);
    its headings ``heading_shift`` levels deeper (at most ``######``)."""
    tokens = answer_tokens(text, parser or markdown_parser())
    return "\n".join(_blocks(_block_tree(tokens), heading_shift)).strip("\n")


# -- the sheet -----------------------------------------------------------------------------------


def markdown_sheet(decks: Sequence[Deck], lang: str = "zh") -> str:
    """A printable cheat sheet: one section per deck, each card's question, answer and key points."""
    label = {key: value[lang] for key, value in _LABELS.items()}
    parser = markdown_parser()
    lines = [f"# flashdl {label['cheat_sheet']}", ""]
    for deck in decks:
        title = plain(" · ".join(deck.title.parts(lang)), one_line=True)
        lines.append(f"- {title} ({code_span(clean(deck.name))}, {len(deck.cards)})")
    for deck in decks:
        title = plain(" · ".join(deck.title.parts(lang)), one_line=True)
        lines += ["", f"## {title} ({code_span(clean(deck.name))})", ""]
        for number, card in enumerate(each_card(deck), 1):
            questions = card.question.parts(lang)
            lines += [f"### {number}. {plain(questions[0], one_line=True)}", ""]
            if len(questions) > 1:
                lines += [f"*{plain(questions[1])}*", ""]
            for index, answer in enumerate(card.answer.parts(lang)):
                if index:
                    lines += ["* * *", ""]
                lines += [answer_markdown(answer, parser, ANSWER_HEADING_SHIFT), ""]
            lines += [f"**{label['points']}**", ""]
            for point in card.key_points:
                texts = [plain(t) for t in point.text.parts(lang)]
                lines.append("- " + " / ".join(texts).replace("\n", "\n  "))
            for url in (safe_url(card.source), safe_url(card.current_source)):
                if url:
                    lines += ["", f"{label['source']}: <{url}>"]
            lines += ["", code_span(clean(card.id)), ""]
    return "\n".join(lines).rstrip() + "\n"
