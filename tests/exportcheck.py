"""What no export may carry, checked by parsing the output, never by searching its text.

- ``active_html``: tags and attributes in an HTML fragment that would run, load or restyle
  something (``<script>``, ``<iframe>``, ``on*=``, ``style=``, a ``javascript:``/``data:``/
  ``file:``/``vbscript:`` or relative URL), and control characters;
- ``rendered_markdown``: a Markdown text as the renderers the cheat sheet will meet render it:
  markdown-it with raw HTML on and no link filter (CommonMark, as GitHub-like sites render), and
  Python-Markdown when it is installed (it is not CommonMark, and passes raw HTML through);
- ``raw_html_in_markdown``: the raw HTML markdown-it finds in a Markdown text (HTML on).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
LINK_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
SAFE_SCHEMES = ("http:", "https:", "mailto:")
SAFE_TAGS = {
    "p", "br", "div", "span", "ul", "ol", "li", "a", "em", "strong", "code", "pre", "blockquote",
    "hr", "s", "del", "table", "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5",
    "h6",
}  # fmt: skip
# Attributes a renderer writes itself: a link's target and title, a code block's language, a
# table cell's alignment, a list's start; flashdl's own class="lang-xx".
SAFE_ATTRIBUTES = {"href", "title", "class", "start", "style"}
SAFE_STYLES = {"text-align:left", "text-align:right", "text-align:center"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def active_html(fragment: str) -> list[str]:
    """What in ``fragment`` is more than text, formatting and http(s)/mailto links; [] if none."""
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    problems = []
    for tag, attrs in parser.tags:
        if tag not in SAFE_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name not in SAFE_ATTRIBUTES or name.startswith("on"):
                problems.append(f"{tag} {name}=")
            if name == "style" and value.replace(" ", "").rstrip(";") not in SAFE_STYLES:
                problems.append(f'{tag} style="{value}"')
            if name in LINK_ATTRIBUTES:
                url = re.sub(r"[\x00-\x20]", "", value).lower()  # browsers drop these in URLs
                if not url.startswith(SAFE_SCHEMES):
                    problems.append(f"{tag} {name}={value!r}")
    if CONTROL.search(fragment.replace("\t", "").replace("\n", "")):
        problems.append("control character")
    return problems


def rendered_markdown(text: str) -> dict[str, str]:
    """``text`` rendered by each Markdown renderer at hand, by name."""
    from markdown_it import MarkdownIt

    commonmark = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    commonmark.validateLink = lambda url: True  # no link filter: javascript: would stay
    out = {"markdown-it (HTML on)": commonmark.render(text)}
    try:
        import markdown
    except ImportError:  # Anki's library brings it; without it, CommonMark is checked alone
        return out
    out["Python-Markdown"] = markdown.markdown(text, extensions=["tables"])
    return out


def active_in_markdown(text: str) -> list[str]:
    """What any renderer makes of ``text`` beyond text, formatting and safe links; [] if none."""
    return [
        f"{renderer}: {problem}"
        for renderer, html in rendered_markdown(text).items()
        for problem in active_html(html)
    ]


def raw_html_in_markdown(text: str) -> list[str]:
    """The raw HTML markdown-it (CommonMark, HTML on) finds in ``text``."""
    from markdown_it import MarkdownIt

    found = []
    for token in MarkdownIt("commonmark", {"html": True}).enable("table").parse(text):
        if token.type == "html_block":
            found.append(token.content)
        for child in token.children or []:
            if child.type == "html_inline":
                found.append(child.content)
    return found
