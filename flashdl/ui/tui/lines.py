"""The one-line texts of the full-screen app: the header, the key footers that fit the width, and
the rows of the help screen. Plain Rich ``Text``, no Textual, so they are tested on their own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text

from flashdl.core.grades import BUTTONS, Button, Preview
from flashdl.core.model import sanitize

SHORT_LABELS = {
    "en": {0: "blank", 1: "wrong", 2: "close", 3: "hard", 4: "good", 5: "perfect"},
    "zh": {0: "忘了", 1: "答错", 2: "眼熟", 3: "吃力", 4: "犹豫", 5: "完美"},
}
WORDS = {
    "en": {
        "show": "show answer", "keys": "keys", "undo": "undo", "quit": "quit",
        "suspend": "suspend", "bury": "bury", "scroll": "scroll", "new": "new", "due": "due",
        "repeat": "repeat", "done": "done", "left": "left", "submit": "submit (empty: skip)",
        "suggested": "suggested", "grade": "grade", "next": "next", "over": "over",
    },
    "zh": {
        "show": "显示答案", "keys": "按键", "undo": "撤销", "quit": "退出", "suspend": "暂停",
        "bury": "明天再说", "scroll": "滚动", "new": "新卡", "due": "复习", "repeat": "重复",
        "done": "完成", "left": "剩余", "submit": "提交（空：跳过）", "suggested": "建议",
        "grade": "评分", "next": "继续", "over": "超时",
    },
}  # fmt: skip
KEY_STYLE = "bold reverse"


def words(lang: str) -> dict[str, str]:
    return WORDS["en" if lang == "en" else "zh"]


def _key(text: Text, key: str, label: str = "", gap: str = "  ") -> None:
    if text:
        text.append(gap)
    text.append(f" {key} ", style=KEY_STYLE)
    if label:
        text.append(f" {label}")


def keys_line(keys: Sequence[tuple[str, str]]) -> Text:
    text = Text()
    for key, label in keys:
        _key(text, key, label)
    return text


def first_that_fits(width: int, variants: Sequence[Text]) -> Text:
    """The richest variant no wider than ``width`` (the last one if none fits)."""
    for variant in variants:
        if variant.cell_len <= width:
            return variant
    return variants[-1]


def study_header(
    *, deck_title: str, done: int, left: int, marker: str, card_id: str, lang: str, width: int
) -> Text:
    """Deck, position and the new/due/repeat marker on the left, the card id on the right."""
    w = words(lang)
    text = Text.assemble(
        (sanitize(deck_title), "bold"),
        "  ",
        (f"{done} {w['done']} · {left} {w['left']}", ""),
        "  ",
        (
            f" {w[marker]} ",
            {"new": "bold green", "due": "bold cyan", "repeat": "bold yellow"}[marker],
        ),
    )
    ident = Text(sanitize(card_id), style="dim")
    room = width - text.cell_len - ident.cell_len
    if room >= 2:
        text.append(" " * room)
        text.append_text(ident)
    return text


def interval(days: int) -> str:
    if days < 31:
        return f"{days}d"
    if days < 365:
        return f"{days / 30:.0f}mo"
    return f"{days / 365:.1f}y"


def study_footer(
    *,
    lang: str,
    revealed: bool,
    width: int,
    buttons: Sequence[Button] = BUTTONS["sm2"],
    previews: Sequence[Preview] | None = None,
) -> Text:
    """One line of keys that fits ``width``: before the answer, how to show it; after, the grade
    keys of the grading mode with the interval each would give (``10m``: back later today),
    labels if there is room."""
    w = words(lang)
    labels = SHORT_LABELS["en" if lang == "en" else "zh"]
    if not revealed:
        variants = []
        for extra in (("u", "s", "b", "q"), ("q",), ()):
            text = Text()
            _key(text, "Space", w["show"])
            _key(text, "?", w["keys"])
            for key in extra:
                _key(text, key, w[{"u": "undo", "s": "suspend", "b": "bury", "q": "quit"}[key]])
            variants.append(text)
        return first_that_fits(width, variants)

    full = {p.button.key: p.text for p in previews or ()}
    # When room is short, a grade that brings the card back today shows ↻ instead of "10m".
    compact = {p.button.key: "↻" if p.days is None else p.text for p in previews or ()}

    def grades(with_labels: bool, intervals: Mapping[str, str]) -> Text:
        text = Text()
        sm2 = tuple(buttons) == BUTTONS["sm2"]
        for button in buttons:
            label = labels[int(button.grade)] if sm2 else button.name(lang)
            parts = [label] if with_labels else []
            if button.key in intervals:
                parts.append(intervals[button.key])
            _key(text, button.key, " ".join(parts), gap=" ")
        return text

    variants = []
    for with_labels, intervals in (
        (True, full), (True, compact), (False, full), (False, compact), (True, {}), (False, {}),
    ):  # fmt: skip
        for extra in (("?", "u", "q"), ("?",), ()):
            text = grades(with_labels, intervals)
            for key in extra:
                _key(text, key, w[{"?": "keys", "u": "undo", "q": "quit"}[key]], gap="  ")
            variants.append(text)
    return first_that_fits(width, variants)


def quiz_answer_footer(*, lang: str, typing: bool, width: int) -> Text:
    w = words(lang)
    variants = []
    for quit_key in ("ctrl+q", ""):
        text = Text()
        if typing:
            _key(text, "Ctrl+S", w["submit"])
        else:
            _key(text, "Space", w["show"])
        if quit_key:
            _key(text, "Ctrl+Q", w["quit"])
        variants.append(text)
    return first_that_fits(width, variants)


def quiz_grade_footer(
    *,
    lang: str,
    suggested: int | str | None,
    width: int,
    buttons: Sequence[Button] = BUTTONS["sm2"],
) -> Text:
    """The grade keys of the grading mode, and Enter for the suggested grade (shown as the key
    that stands for it)."""
    w = words(lang)
    sm2 = tuple(buttons) == BUTTONS["sm2"]
    labels = SHORT_LABELS["en" if lang == "en" else "zh"]
    variants = []
    for with_labels, with_quit, long_enter in (
        (True, True, True), (True, False, True), (False, True, True), (False, False, True),
        (False, False, False),
    ):  # fmt: skip
        text = Text()
        for button in buttons:
            label = labels[int(button.grade)] if sm2 else button.name(lang)
            _key(text, button.key, label if with_labels else "", gap=" ")
        if suggested is not None:
            _key(text, "Enter", f"{w['suggested']} {suggested}" if long_enter else f"{suggested}")
        if with_quit:
            _key(text, "q", w["quit"])
        variants.append(text)
    return first_that_fits(width, variants)


def clock_text(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def countdown(elapsed: float, budget: float | None, lang: str) -> Text:
    """``1:23 / 3:00``, or past the budget ``+0:12 over`` in red; just the time when untimed."""
    if budget is None:
        return Text(clock_text(elapsed), style="dim")
    if elapsed > budget:
        return Text(f"+{clock_text(elapsed - budget)} {words(lang)['over']}", style="bold red")
    return Text(f"{clock_text(budget - elapsed)} / {clock_text(budget)}", style="bold")


HELP = {
    "reveal": ("显示答案", "show the answer"),
    "space": ("显示答案；之后向下翻页", "show the answer; then page down"),
    "page_down": ("向下翻页", "page down"),
    "page_up": ("向上翻页", "page up"),
    "scroll_down": ("向下滚动一行", "scroll down a line"),
    "scroll_up": ("向上滚动一行", "scroll up a line"),
    "scroll_home": ("滚到开头", "scroll to the top"),
    "scroll_end": ("滚到末尾", "scroll to the end"),
    "grade": ("评分（只在显示答案后；↻ 今天稍后再来）", "grade (once the answer shows; ↻ back later today)"),
    "undo": ("撤销上一步（评分、暂停、明天再说），可多次", "undo the last grade, suspend or bury (any depth)"),
    "suspend": ("暂停这张卡（flashdl unsuspend 恢复）", "suspend this card (flashdl unsuspend)"),
    "bury": ("埋到明天", "bury until tomorrow"),
    "open_link": ("在浏览器中打开来源", "open the source link in the browser"),
    "edit": ("编辑这张卡（$EDITOR）", "edit this card ($EDITOR)"),
    "help": ("显示 / 关闭本帮助", "show / close this help"),
    "quit_session": ("退出并显示总结", "quit with the summary"),
    "submit": ("提交回答", "submit the answer"),
    "accept": ("接受建议的评分", "accept the suggested grade"),
}  # fmt: skip


def help_rows(bindings: Sequence[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """(keys, what they do) for each action of ``bindings`` [(key display, action)], in order."""
    keys: dict[str, list[str]] = {}
    for display, action in bindings:
        name = action.split("(")[0]
        keys.setdefault(name, [])
        if display not in keys[name]:
            keys[name].append(display)
    column = 1 if lang == "en" else 0
    return [(" ".join(k), HELP[name][column]) for name, k in keys.items() if name in HELP]
