"""LaTeX formulas as readable Unicode text for the terminal (``\\frac{a+b}{c}`` → ``(a + b)/c``).

Structure (fractions, sub/superscripts, roots, accents) is handled here so that grouping survives;
the remaining symbol macros go through pylatexenc, imported only when a formula needs it.
"""

from __future__ import annotations

import re

_SUB = dict(
    zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)
_SUP = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
        strict=True,
    )
)
_SPACED = {
    "cdot": "·", "times": "×", "odot": "⊙", "otimes": "⊗", "oplus": "⊕", "le": "≤", "leq": "≤",
    "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "in": "∈", "notin": "∉",
    "propto": "∝", "equiv": "≡", "mid": "|", "pm": "±", "cap": "∩", "cup": "∪", "subset": "⊂",
    "subseteq": "⊆", "leftrightarrow": "↔", "gets": "←", "ll": "≪", "gg": "≫",
}  # fmt: skip
_PLAIN = {
    "sum": "∑", "prod": "∏", "int": "∫", "partial": "∂", "nabla": "∇", "infty": "∞",
    "sqrt": "√", "ldots": "…", "cdots": "⋯", "dots": "…", "forall": "∀", "exists": "∃",
    "left": "", "right": "", "big": "", "Big": "", "bigl": "", "bigr": "", ",": " ", ";": " ",
    "quad": "  ", "qquad": "    ", "!": "", "|": "‖", "{": "{", "}": "}", "lVert": "‖", "rVert": "‖",
    "lvert": "|", "rvert": "|", "langle": "⟨", "rangle": "⟩", "%": "%", "_": "_", "#": "#", "&": "&",
}  # fmt: skip
_GREEK = dict(
    zip(
        [
            "alpha",
            "beta",
            "gamma",
            "delta",
            "epsilon",
            "varepsilon",
            "zeta",
            "eta",
            "theta",
            "vartheta",
            "iota",
            "kappa",
            "lambda",
            "mu",
            "nu",
            "xi",
            "pi",
            "rho",
            "sigma",
            "tau",
            "upsilon",
            "phi",
            "varphi",
            "chi",
            "psi",
            "omega",
            "Gamma",
            "Delta",
            "Theta",
            "Lambda",
            "Xi",
            "Pi",
            "Sigma",
            "Phi",
            "Psi",
            "Omega",
        ],
        "αβγδεεζηθϑικλμνξπρστυφφχψωΓΔΘΛΞΠΣΦΨΩ",
        strict=True,
    )
)
_FUNCTIONS = (
    "log", "ln", "exp", "max", "min", "arg", "argmax", "argmin", "tanh", "sin", "cos", "lim",
    "softmax", "sup", "inf", "det", "Pr",
)  # fmt: skip
_ACCENTS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "vec": "\u20d7", "dot": "\u0307"}
_BLACKBOARD = {"E": "𝔼", "R": "ℝ", "N": "ℕ", "Z": "ℤ", "P": "ℙ", "Q": "ℚ", "C": "ℂ"}
_GROUP = r"\{([^{}]*)\}"


def _script(body: str, table: dict[str, str], mark: str) -> str:
    body = body.strip()
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    return f"{mark}{body}" if len(body) == 1 else f"{mark}({body})"


def _wrap(part: str, denominator: bool = False) -> str:
    """Parenthesise a fraction part when ``a/b`` would otherwise read wrongly (``1/2n``)."""
    part = part.strip()
    if part.startswith("(") and part.endswith(")"):
        return part
    needs = re.search(r"[\s+\-−/·×]|\\(?:cdot|times|odot|pm)", part) or (
        denominator and not re.fullmatch(r"\\?[A-Za-z]+|[\d.]+|.", part)
    )
    return f"({part})" if needs else part


def _accent(name: str, body: str) -> str:
    """``body`` with the accent on each of its letters (Greek commands first become letters)."""
    body = re.sub(r"\\(" + "|".join(_GREEK) + r")(?![A-Za-z])", lambda m: _GREEK[m[1]], body)
    return "".join(ch + _ACCENTS[name] if ch.isalnum() else ch for ch in body.strip())


def _structure(expr: str) -> str:
    """Rewrite innermost brace groups until none are left."""
    rules = [
        (
            r"\\(?:mathrm|text|operatorname|mathit|mathbf|boldsymbol|textbf|mathsf)\s*" + _GROUP,
            lambda m: m[1],
        ),
        (r"\\mathbb\s*" + _GROUP, lambda m: "".join(_BLACKBOARD.get(c, c) for c in m[1])),
        (r"\\(hat|tilde|bar|vec|dot)\s*" + _GROUP, lambda m: _accent(m[1], m[2])),
        (
            r"\\[dt]?frac\s*" + _GROUP + r"\s*" + _GROUP,
            lambda m: f"{_wrap(m[1])}/{_wrap(m[2], denominator=True)}",
        ),
        (
            r"\\sqrt\s*" + _GROUP,
            lambda m: f"√{_wrap(m[1])}" if len(m[1].strip()) > 1 else f"√{m[1]}",
        ),
        (r"_\s*" + _GROUP, lambda m: _script(m[1], _SUB, "_")),
        (r"\^\s*" + _GROUP, lambda m: _script(m[1], _SUP, "^")),
        (r"\{\s*\}", lambda m: ""),
        (r"(?<![\\A-Za-z}_^])" + _GROUP, lambda m: m[1]),
    ]
    for _ in range(50):
        before = expr
        for pattern, repl in rules:
            expr = re.sub(pattern, repl, expr)
        if expr == before:
            break
    return expr


def latex_to_unicode(expr: str) -> str:
    """A readable one-line rendering of one LaTeX formula (without its ``$`` delimiters)."""
    # ``\limits`` only moves where scripts are typeset, which one line cannot show.
    text = re.sub(r"\\(?:no)?limits(?![A-Za-z])", "", expr)
    text = re.sub(r"\^\s*(?:\{\s*\\top\s*\}|\\top(?![A-Za-z]))", "^T ", text)  # w^\top: a transpose
    # A control word run into the next command (``\sim\operatorname``, ``\hat\theta``) keeps
    # its name once the next one is rewritten to plain letters.
    text = re.sub(r"(\\[A-Za-z]+)(?=\\)", r"\1 ", text)
    # An operator name is a word of its own: ``\frac{1}{2}\operatorname{Var}`` is "1/2 Var".
    text = _structure(re.sub(r"(?<=[}\w)])\\operatorname", r" \\operatorname", text))
    text = re.sub(
        r"\\(hat|tilde|bar|vec|dot)\s*(\\[A-Za-z]+|[A-Za-z0-9])",
        lambda m: _accent(m[1], m[2]),
        text,
    )
    text = re.sub(r"\\mathbb\s*([A-Z])", lambda m: _BLACKBOARD.get(m[1], m[1]), text)
    text = re.sub(r"\\(" + "|".join(_GREEK) + r")(?![A-Za-z])", lambda m: _GREEK[m[1]], text)
    text = re.sub(
        r"\\(" + "|".join(_FUNCTIONS) + r")(?![A-Za-z])\s*(?=[^\W_]|\\)",
        lambda m: m[1] + " ",
        text,
    )
    text = re.sub(r"\\(" + "|".join(_FUNCTIONS) + r")(?![A-Za-z])", lambda m: m[1], text)
    text = re.sub(
        r"\s*\\(" + "|".join(sorted(_SPACED, key=len, reverse=True)) + r")(?![A-Za-z])\s*",
        lambda m: f" {_SPACED[m[1]]} ",
        text,
    )
    text = re.sub(
        r"\\([A-Za-z]+|[,;!|{}%_#&])",
        lambda m: _PLAIN.get(m[1], m[0]),
        text,
    )
    text = re.sub(r"_([A-Za-z0-9])", lambda m: _SUB.get(m[1], m[0]), text)
    text = re.sub(r"\^([A-Za-z0-9*'+=-])", lambda m: _SUP.get(m[1], m[0]), text)
    if "\\" in text:
        from pylatexenc.latex2text import LatexNodes2Text

        try:
            text = LatexNodes2Text(math_mode="text", strict_latex_spaces=True).latex_to_text(text)
        except Exception:  # deep nesting (RecursionError) or a parse failure: shown as written
            text = expr
    return re.sub(r"[ \t]{2,}", " ", text).strip()


_FORMULA = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)", re.DOTALL)
FORMULA = _FORMULA  # group 1: $$display$$, group 2: $inline$; export.py finds formulas with it too


def replace_formulas(text: str, wrap: str = "`") -> str:
    """Replace every ``$...$`` and ``$$...$$`` with its Unicode rendering, each wrapped in ``wrap``

    (a Markdown code span by default, which keeps ``_`` and ``*`` in formulas from becoming emphasis).
    """

    def render(match: re.Match[str]) -> str:
        display, inline = match[1], match[2]
        converted = latex_to_unicode(display if display is not None else inline)
        if wrap:
            converted = wrap + converted.replace(wrap, "'") + wrap
        # A display formula is a paragraph of its own.
        return f"\n\n{converted}\n\n" if display is not None and wrap else converted

    return _FORMULA.sub(render, text)


def unicode_pieces(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, is_formula) pairs with every formula rendered as Unicode, so a display
    can keep formulas whole (``replace_formulas(text, wrap="")`` joined)."""
    pieces: list[tuple[str, bool]] = []
    start = 0
    for match in _FORMULA.finditer(text):
        if match.start() > start:
            pieces.append((text[start : match.start()], False))
        display, inline = match[1], match[2]
        pieces.append((latex_to_unicode(display if display is not None else inline), True))
        start = match.end()
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces
