"""Rich renderables for cards, prompts and summaries. Nothing here prints; callers do.

Deck text is untrusted: it is shown literally. Control characters and escape sequences are removed,
Rich markup is never interpreted (``Text`` objects, not markup strings), Markdown is parsed with raw
HTML disabled, and links inside answers are not turned into terminal hyperlinks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from flashdl.decks import Card
from flashdl.decks import Text as DeckText
from flashdl.latex import replace_formulas
from flashdl.scheduler import GRADE_LABELS, Grade

# C0 controls except tab and newline, DEL, C1 controls, and bidirectional overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LANG_CHOICES = ("zh", "en", "both")


def sanitize(text: str) -> str:
    """Drop every character that could move, colour or re-link the terminal."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n"))


def _texts(value: DeckText, lang: str) -> list[str]:
    if lang == "both":
        return [t for t in (value.zh, value.en) if t] or [""]
    return [value.get(lang)]


def plain(value: DeckText, lang: str) -> Text:
    """One bilingual field as literal text (formulas as Unicode); ``both`` puts zh above en."""
    return Text("\n".join(replace_formulas(sanitize(t), wrap="") for t in _texts(value, lang)))


def markdown(source: str) -> RenderableType:
    """Answer Markdown with formulas as Unicode, raw HTML shown as text, links not clickable."""
    from markdown_it import MarkdownIt
    from rich.markdown import Markdown

    text = replace_formulas(sanitize(source))
    rendered = Markdown("", hyperlinks=False)
    rendered.markup = text
    parser = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")
    rendered.parsed = parser.parse(text)
    return rendered


def source_link(url: str) -> Text:
    """The card's source URL as a clickable terminal hyperlink (validated http(s) by the loader)."""
    safe = sanitize(url)
    return Text(safe, style=Style(color="blue", underline=True, link=safe or None))


def question_view(
    card: Card, *, lang: str, deck_title: str, done: int, left: int
) -> RenderableType:
    title = Text.assemble(
        (sanitize(deck_title), "bold cyan"), "  ", (f"{done} done · {left} left", "dim")
    )
    body: list[RenderableType] = [plain(card.question, lang)]
    if card.source:
        body += [Text(""), source_link(card.source)]
    return Panel(Group(*body), title=title, title_align="left", subtitle=Text(card.id, style="dim"))


def answer_view(card: Card, *, lang: str, related: Sequence[Card] = ()) -> RenderableType:
    parts: list[RenderableType] = []
    for index, text in enumerate(_texts(card.answer, lang)):
        if index:
            parts.append(Text("─" * 20, style="dim"))
        parts.append(markdown(text))
    points = Table.grid(padding=(0, 1))
    points.add_column(style="green", no_wrap=True)
    points.add_column()
    for point in card.key_points:
        points.add_row("✓", plain(point.text, lang))
    heading = {"zh": "要点", "en": "Key points"}.get(lang, "要点 · Key points")
    parts += [Text(""), Text(heading, style="bold"), points]
    if related:
        label = {"zh": "相关", "en": "Related"}.get(lang, "相关 · Related")
        parts.append(Text(""))
        for other in related:
            line = Text.assemble((f"{label}: ", "dim"), (other.id, "cyan"), "  ")
            line.append_text(plain(other.question, "zh" if lang == "both" else lang))
            parts.append(line)
    return Panel(Group(*parts), border_style="green")


def grade_legend(lang: str) -> Text:
    label_lang = "en" if lang == "en" else "zh"
    text = Text()
    for grade in Grade:
        text.append(f" {int(grade)} ", style="bold reverse")
        text.append(f" {GRADE_LABELS[grade][label_lang]}  ")
    text.append("  u", style="bold")
    text.append(" undo  ")
    text.append("q", style="bold")
    text.append(" quit")
    return text


def reveal_prompt(lang: str) -> Text:
    words = "任意键显示答案" if lang != "en" else "any key shows the answer"
    return Text.assemble((words, "bold"), "  · u undo · q quit", style="dim")


@dataclass
class SessionSummary:
    reviewed: int = 0
    grades: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    next_due: date | None = None
    left_today: int = 0


def summary_view(summary: SessionSummary) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Cards reviewed", str(summary.reviewed))
    grades = "  ".join(f"{g}×{summary.grades[g]}" for g in sorted(summary.grades)) or "—"
    table.add_row("Grades", grades)
    minutes, seconds = divmod(int(summary.seconds), 60)
    table.add_row("Time", f"{minutes} min {seconds:02d} s")
    if summary.left_today:
        table.add_row("Still due today", str(summary.left_today))
    table.add_row(
        "Next due", summary.next_due.isoformat() if summary.next_due else "nothing scheduled"
    )
    return Panel(table, title="Session summary", title_align="left", border_style="cyan")


@dataclass(frozen=True)
class DeckRow:
    name: str
    title: str
    cards: int
    new: int
    due: int
    learned: int


def decks_table(rows: Sequence[DeckRow]) -> Table:
    table = Table(title="Decks", title_justify="left")
    table.add_column("deck", style="cyan")
    table.add_column("title")
    for column in ("cards", "new", "due today", "learned"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            row.name,
            Text(sanitize(row.title)),
            str(row.cards),
            str(row.new),
            str(row.due),
            str(row.learned),
        )
    if len(rows) > 1:
        table.add_section()
        table.add_row(
            "total",
            "",
            *(str(sum(getattr(r, f) for r in rows)) for f in ("cards", "new", "due", "learned")),
        )
    return table
