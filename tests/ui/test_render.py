"""What reaches the terminal: deck text literal and harmless, formulas readable."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from flashdl.core.latex import latex_to_unicode, replace_formulas
from flashdl.core.model import Card, KeyPoint, Text
from flashdl.ui.render import answer_view, grade_legend, question_view, sanitize

HOSTILE = (
    "[bold red]markup[/bold red] \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ "
    "\x07bell \x9b2J \u202eevil <script>alert(1)</script> [link=http://evil.example]x[/link]"
)


def card(text: str) -> Card:
    return Card(
        id="x-1",
        deck="x",
        question=Text(zh=text, en=text),
        answer=Text(zh=text, en=text),
        key_points=(KeyPoint(Text(zh=text, en=text), ("t",)),) * 3,
        source="https://example.com/a",
        related=(),
    )


def to_terminal(renderable) -> str:
    out = io.StringIO()
    Console(file=out, width=120, force_terminal=True, color_system="truecolor").print(renderable)
    return out.getvalue()


def test_sanitize_removes_controls_and_keeps_text():
    assert sanitize("a\x1b[31mb\x07c\u202ed\te\nf\r\n") == "a[31mbcd\te\nf\n"


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_hostile_text_is_shown_literally(lang):
    shown = to_terminal(question_view(card(HOSTILE), lang=lang, deck_title=HOSTILE, done=0, left=1))
    shown += to_terminal(answer_view(card(HOSTILE), lang=lang))
    assert not re.search(r"\x1b\]8;[^\x1b]*evil", shown)  # no terminal hyperlink to the deck's URL
    assert "\x07" not in shown and "\x9b" not in shown and "\u202e" not in shown
    assert "\x1b[31mred" not in shown
    assert "[bold red]markup[/bold red]" in shown
    assert "<script>alert(1)</script>" in shown


def test_source_is_a_real_hyperlink():
    shown = to_terminal(question_view(card("q"), lang="en", deck_title="t", done=0, left=1))
    assert "\x1b]8;" in shown and "https://example.com/a" in shown


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_renders_without_escapes_of_its_own(text):
    shown = to_terminal(answer_view(card(text), lang="both"))
    # Rich's own styling uses ESC [ ... m and OSC 8 for the source only; nothing else may appear.
    stripped = shown.replace("\x1b[0m", "")
    assert "\x1b]8;" not in stripped
    assert "\x07" not in stripped


def test_grade_legend_names_every_grade():
    legend = grade_legend("en").plain
    for label in ("complete blackout", "perfect recall", "undo", "quit"):
        assert label in legend
    assert all(f" {g} " in legend for g in range(6))


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\mathrm{softmax}(QK^T/\sqrt{d_k})V", "softmax(QKᵀ/√dₖ)V"),
        (r"x' = \frac{x - \mu}{\sigma}", "x' = (x - μ)/σ"),
        (r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t", "cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ c̃ₜ"),
        (r"\sum_{i=1}^{k} \alpha_i", "∑ᵢ₌₁ᵏ αᵢ"),
        (r"A_{y_{i-1}, y_i}", "A_(yᵢ₋₁, yᵢ)"),
        (r"\sqrt{d_{model}}", "√d_(model)"),
        (r"\log\sigma(x) \le \max(0, x)", "log σ(x) ≤ max(0, x)"),
        (r"O(n^2 \cdot d)", "O(n² · d)"),
        (r"\mathbb{E}_{x}[\log D(x)]", "𝔼ₓ[log D(x)]"),
        (r"\frac{y_Q^T y_D}{||y_Q||\cdot||y_D||}", "(y_Qᵀ y_D)/(||y_Q|| · ||y_D||)"),
        (r"\frac{1}{2n}", "1/(2n)"),
        # Accents on Greek letters, a command run into the next one, \limits (issue 17's decks).
        (r"\hat{\mu}_B", "μ̂_B"),
        (r"\hat\theta", "θ̂"),
        (r"\hat{\sigma}^2", "σ̂²"),
        (r"m \sim\operatorname{Bern}(p)", "m ∼ Bern(p)"),
        (r"\sum\limits_{i=1}^n x_i", "∑ᵢ₌₁ⁿ xᵢ"),
        (r"\frac{1}{2}\operatorname{Var}(y)", "1/2 Var(y)"),
        (r"n_l\operatorname{Var}(W_l)", "nₗ Var(Wₗ)"),
        (r"f(w^\top x+b)", "f(wᵀ x+b)"),
        (r"W^{\top}h", "Wᵀ h"),
    ],
)
def test_latex_to_unicode(latex, text):
    assert latex_to_unicode(latex) == text


def test_formulas_in_markdown_become_code_spans_and_prices_survive():
    assert replace_formulas("cost $O(n^2)$ and $$\\frac{a}{b}$$, price $5 or $10") == (
        "cost `O(n²)` and \n\n`a/b`\n\n, price $5 or $10"
    )
    assert replace_formulas("key $x_i$ point", wrap="") == "key xᵢ point"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("\\{}_^$ abxy12+-()fracsqrtmathbb")), max_size=60))
def test_latex_never_raises(expr):
    latex_to_unicode(expr)
    replace_formulas(expr)
