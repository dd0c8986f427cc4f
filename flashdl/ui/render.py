"""Rich renderables for cards, prompts and summaries. Nothing here prints; callers do.

Deck text is untrusted: it is shown literally. Control characters and escape sequences are removed,
Rich markup is never interpreted (``Text`` objects, not markup strings), Markdown is parsed with raw
HTML disabled, and links inside answers are not turned into terminal hyperlinks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.style import Style
from rich.text import Text

from flashdl.app.session import SessionSummary
from flashdl.core.latex import replace_formulas, unicode_pieces
from flashdl.core.messages import message
from flashdl.core.model import Card, sanitize
from flashdl.core.model import Text as DeckText
from flashdl.ui.linebreak import WrapText, wrap_text

if TYPE_CHECKING:
    from rich.table import Table

    from flashdl.app.stats import Stats
    from flashdl.core.grades import Preview
    from flashdl.core.grading import Grading, QuizAnswer
    from flashdl.core.simulate import SimulationResult
    from flashdl.store import Review, StoredCard


def plain(value: DeckText, lang: str) -> WrapText:
    """One bilingual field as literal text (formulas as Unicode, kept whole when a line wraps);
    ``both`` puts zh above en."""
    return prose("\n".join(sanitize(t) for t in value.parts(lang)))


def prose(text: str) -> WrapText:
    """Deck text (already sanitized) with its ``$formulas$`` as Unicode, wrapped by UAX #14."""
    return wrap_text(unicode_pieces(text))


def markdown(source: str) -> RenderableType:
    """Answer Markdown with formulas as Unicode, raw HTML shown as text, links not clickable."""
    from markdown_it import MarkdownIt

    from flashdl.ui.markdown import AnswerMarkdown

    text = replace_formulas(sanitize(source))
    rendered = AnswerMarkdown("", hyperlinks=False)
    rendered.markup = text
    parser = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")
    rendered.parsed = parser.parse(text)
    return rendered


def source_link(url: str) -> Text:
    """The card's source URL as a clickable terminal hyperlink (validated http(s) by the loader)."""
    safe = sanitize(url)
    return Text(safe, style=Style(color="blue", underline=True, link=safe or None))


def question_view(
    card: Card,
    *,
    lang: str,
    deck_title: str,
    done: int | None = None,
    left: int | None = None,
    repeat: bool = False,
) -> RenderableType:
    """The question panel; in a session its title counts cards (not keypresses) and marks a
    repeat of a card failed earlier today (``flashdl show``, outside a session, has no count)."""
    title = Text.assemble((sanitize(deck_title), "bold cyan"))
    if done is not None and left is not None:
        title.append("  ")
        title.append(message("header_counts", lang, done=done, left=left), style="dim")
    if repeat:
        title.append("  ")
        title.append({"zh": "重复", "en": "repeat"}.get(lang, "重复 · repeat"), style="bold yellow")
    body = question_body(card, lang)
    return Panel(Group(*body), title=title, title_align="left", subtitle=Text(card.id, style="dim"))


def question_body(card: Card, lang: str) -> list[RenderableType]:
    """The question and its source links (the page it came from, and where it moved)."""
    body: list[RenderableType] = [plain(card.question, lang)]
    if card.source:
        body += [Text(""), source_link(card.source)]
    if card.current_source:
        moved = {"zh": "页面已迁移：", "en": "moved to: "}.get(lang, "moved to · 页面已迁移: ")
        body += [Text.assemble((moved, "dim"), source_link(card.current_source))]
    return body


def override_note(where: str) -> Text:
    """Under a card shown by ``flashdl show``: the user's file that overrides it."""
    return Text.assemble(
        ("overridden by ", "dim"),
        (sanitize(where), "yellow"),
        (" (flashdl edit changes it)", "dim"),
    )


def answer_view(
    card: Card,
    *,
    lang: str,
    related: Sequence[Card] = (),
    covered: Sequence[bool] | None = None,
    grading: Grading | None = None,
) -> RenderableType:
    """The answer, its key points (ticked or crossed when ``covered`` says which a quiz answer
    named; with ``grading``, each with the phrase of the answer that matched), the classic wrong
    claims the answer made with their corrections, and the related cards."""
    parts: list[RenderableType] = answer_body(card, lang)
    heading = {"zh": "要点", "en": "Key points"}.get(lang, "要点 · Key points")
    parts += [Text(""), Text(heading, style="bold"), key_points_grid(card, lang, covered, grading)]
    if grading is not None and grading.pitfalls:
        label = {"zh": "常见错误", "en": "Wrong claims"}.get(lang, "常见错误 · Wrong claims")
        parts += [Text(""), Text(label, style="bold red"), pitfalls_grid(card, lang, grading)]
    if related:
        label = {"zh": "相关", "en": "Related"}.get(lang, "相关 · Related")
        parts.append(Text(""))
        for other in related:
            line = WrapText.assemble((f"{label}: ", "dim"), (other.id, "cyan"), "  ")
            line.append_text(plain(other.question, "zh" if lang == "both" else lang))
            parts.append(line)
    return Panel(Group(*parts), border_style="green")


LISTED_NOTE = {
    "zh": "  （只是列出，没有成句说明）",
    "en": "  (only listed, not stated in a sentence)",
    "both": "  （只是列出 · only listed）",
}


def answer_body(card: Card, lang: str) -> list[RenderableType]:
    """The reference answer: one Markdown block per language, a rule between them."""
    parts: list[RenderableType] = []
    for index, text in enumerate(card.answer.parts(lang)):
        if index:
            parts.append(Text("─" * 20, style="dim"))
        parts.append(markdown(text))
    return parts


def key_points_grid(
    card: Card,
    lang: str,
    covered: Sequence[bool] | None = None,
    grading: Grading | None = None,
) -> Table:
    """The key points, bulleted, or ticked and crossed with the phrase of the answer that matched."""
    from rich.table import Table

    points = Table.grid(padding=(0, 1))
    points.add_column(no_wrap=True)
    points.add_column()
    found = grading.points if grading is not None else None
    for index, point in enumerate(card.key_points):
        listed = found is not None and found[index].covered and not found[index].stated
        if covered is None:
            mark = Text("•", style="green")
        elif listed:
            mark = Text("✓", style="yellow")
        elif covered[index]:
            mark = Text("✓", style="bold green")
        else:
            mark = Text("✗", style="bold red")
        line = plain(point.text, lang)
        if found is not None and found[index].evidence:
            line.append("\n")
            line.append(f"«{sanitize(found[index].evidence)}»", style="dim")
            if listed:
                line.append(LISTED_NOTE.get(lang, LISTED_NOTE["both"]), style="yellow")
        points.add_row(mark, line)
    return points


def pitfalls_grid(card: Card, lang: str, grading: Grading) -> Table:
    """The classic wrong claims a typed answer made, each with the phrase that made it."""
    from rich.table import Table

    wrong = Table.grid(padding=(0, 1))
    wrong.add_column(no_wrap=True)
    wrong.add_column()
    for found_pitfall in grading.pitfalls:
        pitfall = card.pitfalls[found_pitfall.index]
        line = plain(pitfall.text, lang)
        line.append("\n")
        line.append(f"«{sanitize(found_pitfall.evidence)}»", style="dim")
        wrong.add_row(Text("✗", style="bold red"), line)
    return wrong


def grading_line(grading: Grading, suggested: int | None, lang: str, *, mode: str = "sm2") -> Text:
    """ "Key points named: 2/5 — suggested grade 3" (in ``mode``'s keys), and why a grade is
    capped."""
    from flashdl.core.grades import key_for_grade

    text = Text(
        message("key_points_named", lang, count=grading.count, total=len(grading.points)),
        style="bold",
    )
    if suggested is not None:
        shown = key_for_grade(mode, suggested)
        text.append(message("suggested_grade", lang, grade=shown), style="bold")
    reasons = []
    if grading.pitfalls:
        one = len(grading.pitfalls) == 1
        reasons.append(message("reason_wrong_claim" if one else "reason_wrong_claims", lang))
    if grading.listed_answer or any(p.covered and not p.stated for p in grading.points):
        reasons.append(message("reason_listed", lang))
    if reasons and suggested is not None and suggested <= 2:
        text.append(f" ({'; '.join(reasons)})", style="yellow")
    return text


def grade_legend(
    lang: str,
    *,
    undo: bool = True,
    mode: str = "sm2",
    previews: Sequence[Preview] | None = None,
) -> Text:
    """The keys that grade in ``mode``, each with the interval it would give when ``previews``
    says (Anki's buttons on one line; SM-2's six grades two to a line), then undo and quit; every
    line fits 80 columns in zh and en."""
    from flashdl.core.grades import buttons

    shown = {p.button.key: p.text for p in previews or ()}
    text = Text()
    per_line = 2 if mode == "sm2" else 4
    for index, button in enumerate(buttons(mode)):
        if index and index % per_line == 0:
            text.append("\n")
        elif index:
            text.append(" · " if mode == "anki" else "  ")
        text.append(f" {button.key} ", style="bold reverse")
        text.append(f" {button.name(lang)}")
        if button.key in shown:
            text.append(f" {shown[button.key]}", style="bold cyan")
    if undo:
        text.append("  u", style="bold")
        text.append(f" {message('undo', lang)}")
    text.append("  q", style="bold")
    text.append(f" {message('quit', lang)}")
    return text


def reveal_prompt(lang: str) -> Text:
    return Text.assemble(
        (message("reveal", lang), "bold"), message("reveal_keys", lang), style="dim"
    )


def leech_notice(card_id: str, lapses: int, suspended: bool, lang: str = "en") -> Text:
    """Said on screen when a grade makes a card a leech."""
    key = "leech_suspended" if suspended else "leech_kept"
    return Text(message(key, lang, card=card_id, lapses=lapses), style="bold magenta")


def summary_view(summary: SessionSummary, lang: str = "en") -> RenderableType:
    from rich.table import Table

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row(message("summary_reviewed", lang), str(summary.reviewed))
    grades = "  ".join(f"{g}×{summary.grades[g]}" for g in sorted(summary.grades)) or "—"
    table.add_row(message("summary_grades", lang), grades)
    minutes, seconds = divmod(int(summary.seconds), 60)
    duration = message("summary_duration", lang, minutes=minutes, seconds=seconds)
    table.add_row(message("summary_time", lang), duration)
    if summary.left_today:  # (and they come back today, whatever is due later)
        table.add_row(message("summary_left", lang), str(summary.left_today))
        next_due = message("summary_next_today", lang)
    elif (
        summary.next_due
        and summary.today is not None
        and (
            summary.next_due == summary.today + timedelta(days=1)  # the study day: 4 AM ends it
        )
    ):
        next_due = message("summary_next_tomorrow", lang)
    elif summary.next_due:
        next_due = summary.next_due.isoformat()
    else:
        next_due = message("summary_nothing_next", lang)
    table.add_row(message("summary_next", lang), next_due)
    body: RenderableType = table
    if summary.held_back and summary.review_limit is not None:  # as the empty session says it
        capped = message(
            "reviews_capped_new_wait", lang, limit=summary.review_limit, waiting=summary.held_back
        )
        body = Group(table, Text(""), Text(capped))
    return Panel(
        body, title=message("summary_title", lang), title_align="left", border_style="cyan"
    )


@dataclass(frozen=True)
class DeckRow:
    name: str
    title: str
    cards: int
    new: int
    due: int
    learned: int
    group: str = ""


_DECK_COUNTS = ("cards", "new", "due", "learned")


def decks_table(rows: Sequence[DeckRow], default_group: str | None = None) -> Table:
    """The decks under their groups (the default one marked), with totals per group."""
    from rich.table import Table

    table = Table(title="Decks", title_justify="left")
    table.add_column("deck", style="cyan")
    table.add_column("title")
    for column in ("cards", "new", "due today", "learned"):
        table.add_column(column, justify="right")
    groups = sorted(dict.fromkeys(r.group for r in rows), key=lambda g: g != default_group)
    for number, group in enumerate(groups):
        members = [r for r in rows if r.group == group]
        if number:
            table.add_section()
        if len(groups) > 1 or group:
            mark = " (default)" if group == default_group else ""
            table.add_row(Text(f"{sanitize(group)}{mark}", style="bold"), end_section=False)
        for row in members:
            table.add_row(
                row.name,
                Text(sanitize(row.title)),
                *(str(getattr(row, f)) for f in _DECK_COUNTS),
            )
        if len(groups) > 1 and len(members) > 1:
            table.add_row(
                Text(f"{sanitize(group)} total", style="dim"),
                "",
                *(str(sum(getattr(r, f) for r in members)) for f in _DECK_COUNTS),
                style="dim",
            )
    if len(rows) > 1:
        table.add_section()
        table.add_row("total", "", *(str(sum(getattr(r, f) for r in rows)) for f in _DECK_COUNTS))
    return table


def _cell(value: object) -> Text:
    """A value read from the database as table text: a copied database is hostile, and a plain
    ``str`` cell would be parsed as Rich markup."""
    return Text(sanitize(str(value)).replace("\n", " "))


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def review_cap_line(limit: int, shown: int, due: int) -> str:
    """While ``max_reviews_per_day`` holds due cards back: how many of them study shows today
    (``flashdl decks`` and ``flashdl stats``, whose due counts are what is due)."""
    return (
        f"max_reviews_per_day is {limit}: study shows {shown} of these {due} due cards today;"
        " the rest wait, most overdue first, and no new card comes until they are caught up."
    )


def stats_view(stats: Stats) -> RenderableType:
    """Every figure of ``flashdl stats`` as tables and charts."""
    from rich import box
    from rich.table import Table

    from flashdl.ui import charts

    table = Table(
        title=f"Progress on {stats.today.isoformat()} (retention over {stats.days} days)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    table.add_column("deck", style="cyan", no_wrap=True)
    for column in (
        "cards",
        "new",
        "learn",
        "young",
        "mature",
        "due",
        "late",
        "today",
        "retain",
        "ease",
    ):
        table.add_column(column, justify="right", no_wrap=True)
    for row in [*stats.decks, stats.total]:
        if row is stats.total:
            table.add_section()
        table.add_row(
            row.deck, str(row.cards), str(row.new), str(row.learning), str(row.young),
            str(row.mature), str(row.due_today), str(row.overdue), str(row.reviews_today),
            _percent(row.retention),
            f"{row.average_easiness:.2f}" if row.average_easiness else "—",
        )  # fmt: skip
    parts: list[RenderableType] = [
        table,
        Text(f"Current streak: {stats.streak} day(s)", style="bold"),
    ]
    due = stats.total.due_today
    if stats.max_reviews_per_day is not None and stats.due_shown_today < due:
        parts.insert(
            1, Text(review_cap_line(stats.max_reviews_per_day, stats.due_shown_today, due))
        )
    if stats.interview_date is not None:
        ready = Table(
            title=f"Interview on {stats.interview_date.isoformat()} — {stats.days_left} day(s) left",
            title_justify="left",
        )
        ready.add_column("deck", style="cyan")
        ready.add_column("ready", justify="right")
        ready.add_column("reviews needed", justify="right")
        for entry in stats.readiness:
            ready.add_row(
                entry.deck,
                f"{entry.ready}/{entry.cards} ({entry.ready_share:.0%})",
                str(entry.reviews_needed),
            )
        parts += [ready, Text(interview_forecast_line(stats))]
    days = [day for day, _ in stats.forecast]
    parts += [
        Text(f"\nDue in the next {stats.days} days", style="bold"),
        charts.columns([n for _, n in stats.forecast], charts.day_labels(days)),
        Text("\nReviews, last 6 months", style="bold"),
        charts.heatmap(stats.activity, stats.today),
    ]
    if stats.quiz_coverage:
        line = Text("\nQuiz coverage over time  ", style="bold")
        line.append_text(charts.sparkline([avg for _, avg, _ in stats.quiz_coverage]))
        first, last = stats.quiz_coverage[0], stats.quiz_coverage[-1]
        line.append(
            f"  {first[0].isoformat()} {first[1]:.0%} → {last[0].isoformat()} {last[1]:.0%}"
        )
        parts.append(line)
    if stats.predicted_recall:
        recall = Table(title="Predicted recall today (FSRS)", title_justify="left", min_width=32)
        recall.add_column("deck", style="cyan")
        recall.add_column("recall", justify="right")
        for deck, value in stats.predicted_recall.items():
            recall.add_row(deck, f"{value:.0%}")
        risk = Table(title="Most at risk of being forgotten", title_justify="left")
        for column in ("card", "recall", "question"):
            risk.add_column(column, justify="right" if column == "recall" else "left")
        for item in stats.at_risk:
            risk.add_row(
                _cell(item["card_id"]),
                f"{float(item['recall']):.0%}",
                prose(sanitize(str(item["question"]))),
            )
        parts += [Text(""), recall, risk]
    if stats.hardest:
        hard = Table(title="Hardest cards", title_justify="left")
        for column in ("card", "ease", "lapses", "question"):
            hard.add_column(column)
        for item in stats.hardest:
            hard.add_row(_cell(item["card_id"]), f"{item['easiness']:.2f}", str(item["lapses"]),
                         prose(sanitize(str(item["question"]))))  # fmt: skip
        parts.append(hard)
    if stats.leeches:
        leeches = Table(title="Leeches (cards you keep forgetting)", title_justify="left")
        for column in ("card", "deck", "lapses", "status", "question"):
            leeches.add_column(column)
        for item in stats.leeches:
            leeches.add_row(_cell(item["card_id"]), _cell(item["deck"]), str(item["lapses"]),
                            "suspended" if item["suspended"] else "in schedule",
                            Text(sanitize(str(item["question"]))))  # fmt: skip
        parts.append(leeches)
    if stats.missed_key_points:
        missed = Table(title="Key points most often missed in quizzes", title_justify="left")
        for column in ("card", "missed", "key point"):
            missed.add_column(column)
        for item in stats.missed_key_points:
            missed.add_row(
                _cell(item["card_id"]),
                str(item["missed"]),
                prose(sanitize(str(item["zh"] or item["en"]))),
            )
        parts.append(missed)
    return Group(*parts)


def quiz_report_view(answers: Sequence[QuizAnswer], lang: str) -> RenderableType:
    """The end-of-round score table and the key points this round missed."""
    from rich.table import Table

    table = Table(title=message("quiz_report", lang), title_justify="left")
    for index, column in enumerate(message("quiz_columns", lang).split("|")):
        table.add_column(column, justify="left" if index == 1 else "right")
    for number, answer in enumerate(answers, 1):
        covered = (
            f"{answer.coverage.count}/{len(answer.coverage.covered)}" if answer.coverage else "—"
        )
        minutes, seconds = divmod(int(answer.seconds), 60)
        time = Text(f"{minutes}:{seconds:02d}")
        if answer.overrun:
            time = Text(f"{minutes}:{seconds:02d} {message('quiz_over', lang)}", style="bold red")
        table.add_row(
            str(number), answer.card.id, covered,
            "—" if answer.suggested is None else str(answer.suggested), str(answer.grade), time,
        )  # fmt: skip
    parts: list[RenderableType] = [table]
    if answers:
        mean = sum(a.grade for a in answers) / len(answers)
        parts.append(Text(message("quiz_mean", lang, count=len(answers), mean=mean), style="bold"))
    missed = [
        (answer.card, answer.card.key_points[i])
        for answer in answers
        if answer.coverage is not None
        for i in answer.coverage.missed
    ]
    if missed:
        weak = Table(title=message("quiz_weakest", lang), title_justify="left")
        card_column, point_column = message("quiz_weak_columns", lang).split("|")
        weak.add_column(card_column, style="cyan")
        weak.add_column(point_column)
        for card, point in missed[:12]:
            weak.add_row(card.id, plain(point.text, lang))
        parts.append(weak)
    return Group(*parts)


def search_results_view(
    cards: Sequence[Card], stored: Mapping[str, StoredCard], lang: str
) -> Table:
    from rich.table import Table

    table = Table(title=f"{len(cards)} card{'s' if len(cards) != 1 else ''}", title_justify="left")
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("deck")
    table.add_column("question")
    table.add_column("due", no_wrap=True)
    for card in cards:
        entry = stored.get(card.id)
        if entry is not None and entry.suspended:
            due = "suspended"
        elif entry is None or entry.state.due is None:
            due = "new"
        else:
            due = entry.state.due.isoformat()
        table.add_row(card.id, card.deck, plain(card.question, lang), due)
    return table


def history_view(
    entry: StoredCard | None, history: Sequence[Review], *, lapses: int
) -> RenderableType:
    """A card's schedule now and every review it has had (undone ones struck through); ``lapses``
    as counted from the review log (``flashdl.core.leeches``), not the scheduler's tally."""
    from rich.table import Table

    if entry is None or entry.state.is_new:
        status = "new" + (" (suspended)" if entry is not None and entry.suspended else "")
    else:
        s = entry.state
        status = (
            f"due {s.due.isoformat() if s.due else '—'} · interval {s.interval} d · ease {s.easiness:.2f}"
            f" · repetitions {s.repetitions} · lapses {lapses}"
            + (
                f" · FSRS stability {s.stability:.1f} d, difficulty {s.difficulty:.1f}"
                if s.stability is not None and s.difficulty is not None
                else ""
            )
            + (" · suspended" if entry.suspended else "")
        )
    table = Table(title=f"Review history — {status}", title_justify="left")
    for column in ("when", "mode", "grade", "next interval", "answer time", "typed"):
        table.add_column(column)
    for review in history:
        style = "strike dim" if review.undone_at else ""
        typed = sanitize(review.typed or "").replace("\n", " ")
        cells = (  # the log may come from a progress file: plain text, never markup
            str(review.reviewed_at)[:16].replace("T", " "),
            str(review.mode),
            str(review.grade),
            f"{review.state_after.interval} d"
            if review.state_after != review.state_before
            else "—",
            f"{(review.answer_ms or 0) / 1000:.0f} s",
            typed[:60] + ("…" if len(typed) > 60 else ""),
        )
        table.add_row(*(Text(sanitize(cell).replace("\n", " ")) for cell in cells), style=style)
    if not history:
        table.add_row("—", "", "", "", "", "")
    return table


# -- flashdl simulate -------------------------------------------------------------------------

BAR_EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(value: float, top: float, width: int = 40) -> str:
    """A horizontal bar ``value / top`` of ``width`` characters, in eighths of a character."""
    eighths = round(value / top * width * 8) if top > 0 else 0
    full, part = divmod(max(0, min(eighths, width * 8)), 8)
    return "█" * full + (BAR_EIGHTHS[part] if part else "")


def scheduler_title(name: str, retention: float | None = None) -> str:
    if name == "sm2":
        return "SM-2"
    if name == "fsrs":
        return "FSRS" + (f" (desired retention {retention:g})" if retention is not None else "")
    return name


def interview_forecast_line(stats: Stats) -> str:
    """The readiness forecast in one line: the heaviest day ahead, not only the mean."""
    line = f"About {stats.reviews_per_day_needed} reviews a day until the interview"
    if stats.peak_day is None or stats.final_days_from is None:
        return line + "."
    return (
        f"{line}; the heaviest day is {stats.peak_day.isoformat()} with {stats.peak_reviews}"
        f" reviews (each learned card comes back once from {stats.final_days_from.isoformat()})."
    )


def simulation_view(results: Sequence[SimulationResult]) -> RenderableType:
    """Per scheduler: what the simulated year cost and achieved, and a chart of daily workload.

    The bars of every chart share one scale, so the schedulers can be compared by eye.
    """
    from rich.table import Table

    from flashdl.core.simulate import KNOWN_RECALL, chart_period, workload_periods

    parts: list[RenderableType] = []
    period = chart_period(max((r.days for r in results), default=1))
    charts = {id(r): workload_periods(r.daily, period) for r in results}
    top = max((row[2] for rows in charts.values() for row in rows), default=0.0)
    for result in results:
        title = scheduler_title(result.scheduler, result.retention)
        table = Table(
            title=f"{title}: {result.cards} cards, {result.days} days, seed {result.seed}",
            title_justify="left",
        )
        table.add_column("measure")
        table.add_column("value", justify="right")
        reviews = result.reviews - result.first_showings
        failed = f"{result.failed / reviews:.1%}" if reviews else "—"
        for measure, value in (
            ("cards introduced", f"{result.introduced}"),
            ("total reviews (first showings included)", f"{result.reviews}"),
            ("reviews per card", f"{result.reviews_per_card:.2f}"),
            ("reviews a day: mean / most", f"{result.mean_daily:.1f} / {max(result.daily)}"),
            ("reviews forgotten", f"{result.failed} ({failed})"),
            ("average true recall at review time", f"{result.mean_recall:.3f}"),
            (
                f"cards known at the end (true recall ≥ {KNOWN_RECALL:g})",
                f"{result.known} of {result.cards}",
            ),
            ("average true recall at the end", f"{result.recall_at_end:.3f}"),
        ):
            table.add_row(measure, value)
        chart = Table(title=f"{title}: reviews a day", title_justify="left", box=None)
        chart.add_column("days", justify="right", style="dim")
        chart.add_column("mean", justify="right")
        chart.add_column("most", justify="right", style="dim")
        chart.add_column("", style="cyan", no_wrap=True)
        for first, last, mean, most in charts[id(result)]:
            label = f"{first}" if first == last else f"{first}–{last}"
            chart.add_row(label, f"{mean:.1f}", f"{most}", bar(mean, top))
        parts += [table, chart, Text("")]
    return Group(*parts[:-1])


def interview_simulation_view(results: Sequence[SimulationResult]) -> RenderableType:
    """``simulate --until``: how each scheduler's final days before the interview went."""
    from rich.table import Table

    outcomes = [(r, r.interview) for r in results if r.interview is not None]
    if not outcomes:
        return Text("")
    first = outcomes[0][1]
    assert first is not None
    day = " + the day" if first.include_day else ""
    table = Table(
        title=f"Interview in {first.interview_in} days · {results[0].cards} cards · "
        f"{first.window} final days{day} · seed {results[0].seed}",
        title_justify="left",
    )
    table.add_column("measure")
    for result, _ in outcomes:
        name = "SM-2" if result.scheduler == "sm2" else f"FSRS {result.retention or 0:g}"
        table.add_column(name, justify="right")
    rows: list[tuple[str, list[str]]] = [
        ("heaviest final day: reviews (day)", []),
        ("final days: mean reviews a day", []),
        ("the 14 days before: mean a day", []),
        ("heaviest final day / that mean", []),
        ("learned cards seen in the final days", []),
        ("true recall at the interview", []),
        ("total reviews", []),
    ]
    for result, o in outcomes:
        assert o is not None
        share = "—" if o.window_share is None else f"{o.window_share:.0%}"
        values = (
            f"{o.peak} (−{o.peak_before})",
            f"{o.final_mean:.1f}",
            "—" if o.baseline is None else f"{o.baseline:.1f}",
            "—" if o.peak_ratio is None else f"{o.peak_ratio:.2f}×",
            f"{o.reviewed_in_window}/{o.learned} ({share})",
            f"{o.recall:.3f}",
            f"{result.reviews}",
        )
        for (_, column), value in zip(rows, values, strict=True):
            column.append(value)
    for measure, values in rows:
        table.add_row(measure, *values)
    return table
