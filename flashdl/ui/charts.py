"""Small terminal charts as Rich ``Text``: columns, a calendar heatmap and a sparkline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from rich.text import Text

BLOCKS = " ▁▂▃▄▅▆▇█"
HEAT_STYLES = ("grey23", "dark_green", "green4", "green3", "bright_green")
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def columns(
    values: Sequence[int], labels: Sequence[str] = (), height: int = 6, style: str = "cyan"
) -> Text:
    """Vertical bars, one character wide per value, scaled to the largest value."""
    top = max(values, default=0)
    text = Text()
    text.append(f"{top:>5} ┤", style="dim")
    for row in range(height, 0, -1):
        if row != height:
            text.append("      │", style="dim")
        for value in values:
            eighths = round(value / top * height * 8) if top else 0
            level = max(0, min(8, eighths - (row - 1) * 8))
            text.append(BLOCKS[level] if value or row > 1 else "·", style=style)
        text.append("\n")
    text.append("    0 └" + "─" * len(values) + "\n", style="dim")
    if labels:
        text.append("       " + "".join(labels)[: len(values) + 10], style="dim")
    return text


def day_labels(days: Sequence[date], every: int = 7) -> list[str]:
    """Labels for a column chart: ``MM-DD`` under every ``every``-th column, spread over the gap."""
    out: list[str] = []
    skip = 0
    for index, day in enumerate(days):
        if skip:
            skip -= 1
            continue
        if index % every == 0 and index + 5 <= len(days):
            out.append(day.strftime("%m-%d"))
            skip = 4
        else:
            out.append(" ")
    return out


def heatmap(activity: Mapping[date, int], today: date, weeks: int = 26) -> Text:
    """A GitHub-style calendar: a column per week, a row per weekday, shade by reviews that day."""
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    top = max(activity.values(), default=0)
    text = Text()
    months = [" "] * (weeks * 2 + 3)
    free_from = 0
    for week in range(weeks):
        first = start + timedelta(weeks=week)
        if first.day <= 7 and week * 2 >= free_from:
            months[week * 2 : week * 2 + 3] = first.strftime("%b")
            free_from = week * 2 + 4
    text.append("     " + "".join(months).rstrip() + "\n", style="dim")
    for weekday in range(7):
        text.append(f"{WEEKDAYS[weekday]:>4} ", style="dim")
        for week in range(weeks):
            day = start + timedelta(weeks=week, days=weekday)
            if day > today:
                text.append("  ")
                continue
            count = activity.get(day, 0)
            level = 0 if not count else 1 + min(3, int(count / top * 4)) if top else 0
            text.append("■ ", style=HEAT_STYLES[level])
        text.append("\n")
    text.append("     less ", style="dim")
    for style in HEAT_STYLES:
        text.append("■ ", style=style)
    text.append("more", style="dim")
    return text


def sparkline(
    values: Sequence[float], low: float = 0.0, high: float = 1.0, style: str = "magenta"
) -> Text:
    span = (high - low) or 1.0
    return Text(
        "".join(BLOCKS[max(1, min(8, round((v - low) / span * 8)))] for v in values), style=style
    )
