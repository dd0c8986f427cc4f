"""The app's one-line texts: every footer fits its width (80 columns in zh and en), the richest
variant that fits is chosen, the countdown shows the overrun."""

from __future__ import annotations

import pytest

from flashdl.core.grades import BUTTONS, Preview, format_interval
from flashdl.ui.tui import lines

# SM-2's six keys: 0-3 bring the card back today (10m), 4 and 5 give long intervals.
LONG = [Preview(b, None, "10m") for b in BUTTONS["sm2"][:4]] + [
    Preview(BUTTONS["sm2"][4], 150, format_interval(150)),
    Preview(BUTTONS["sm2"][5], 900, format_interval(900)),
]
ANKI = [
    Preview(b, d, format_interval(d))
    for b, d in zip(BUTTONS["anki"], (1, 3, 150, 900), strict=True)
]


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_every_footer_fits_one_line(lang: str, width: int):
    footers = [
        lines.study_footer(lang=lang, revealed=False, width=width),
        lines.study_footer(lang=lang, revealed=True, width=width, previews=LONG),
        lines.study_footer(lang=lang, revealed=True, width=width, previews=None),
        lines.quiz_answer_footer(lang=lang, typing=True, width=width),
        lines.quiz_grade_footer(lang=lang, suggested=4, width=width),
    ]
    for text in footers:
        assert "\n" not in text.plain
        assert text.cell_len <= max(width, 36), text.plain  # the barest variant: 6 digit keys


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_at_80_columns_the_grade_footer_keeps_its_labels_and_intervals(lang: str):
    text = lines.study_footer(lang=lang, revealed=True, width=80, previews=LONG).plain
    for grade in range(6):
        assert f" {grade} " in text and lines.SHORT_LABELS[lang][grade] in text
    assert "5mo" in text and "2.5y" in text and ("10m" in text or "↻" in text)
    wide = lines.study_footer(lang=lang, revealed=True, width=120, previews=LONG).plain
    assert lines.words(lang)["quit"] in wide


def test_the_header_puts_the_card_id_at_the_right_edge():
    text = lines.study_header(deck_title="Demo", done=1, left=3, marker="repeat",
                              card_id="demo-one", lang="en", width=60)  # fmt: skip
    assert text.cell_len == 60 and text.plain.endswith("demo-one")
    assert "1 done · 3 left" in text.plain and "repeat" in text.plain


def test_the_countdown_counts_down_then_shows_the_overrun():
    assert lines.countdown(30, 180, "en").plain == "2:30 / 3:00"
    over = lines.countdown(200, 180, "zh")
    assert over.plain == "+0:20 超时" and "red" in str(over.style)
    assert lines.countdown(75, None, "en").plain == "1:15"


def test_help_rows_group_the_keys_of_one_action():
    rows = lines.help_rows([("0", "grade(0)"), ("1", "grade(1)"), ("j", "scroll_down"),
                            ("↓", "scroll_down"), ("x", "unknown")], "en")  # fmt: skip
    assert rows == [("0 1", lines.HELP["grade"][1]), ("j ↓", lines.HELP["scroll_down"][1])]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_in_anki_mode_the_footer_shows_the_four_buttons(lang: str):
    text = lines.study_footer(
        lang=lang, revealed=True, width=80, buttons=BUTTONS["anki"], previews=ANKI
    ).plain
    for button in BUTTONS["anki"]:
        assert f" {button.key} " in text and button.name(lang) in text
    assert " 0 " not in text and " 5 " not in text and "5mo" in text
