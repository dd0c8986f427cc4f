"""Answer Markdown whose paragraphs and table cells wrap by UAX #14 (``ui.linebreak``).

Rich's ``Markdown`` builds a ``Text`` per paragraph; these elements build a ``WrapText`` instead,
and mark inline code (formulas are inline code, see ``render.markdown``) unbreakable except at
its spaces. Imported only when an answer is shown: Markdown is not needed before that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.markdown import (
    Markdown,
    MarkdownContext,
    MarkdownElement,
    Paragraph,
    TableDataElement,
)
from rich.style import Style
from rich.text import Text, TextType

from flashdl.ui.linebreak import UNBREAKABLE, WrapText

if TYPE_CHECKING:
    from markdown_it.token import Token


def _style(context: MarkdownContext) -> Style:
    """The current style, marked unbreakable inside inline code.

    Rich pushes the theme's ``markdown.code`` style for inline code and passes on only the
    combined style, so inline code is recognised as a style that already holds all of it.
    """
    style = context.current_style
    code = context.console.get_style("markdown.code", default="none")
    if code and style + code == style:
        return style + UNBREAKABLE
    return style


class WrapParagraph(Paragraph):
    def on_enter(self, context: MarkdownContext) -> None:
        super().on_enter(context)
        self.text = WrapText(justify="left")

    def on_text(self, context: MarkdownContext, text: TextType) -> None:
        if isinstance(text, str):
            self.text.append(text, _style(context))
        else:
            self.text.append_text(text)


class WrapTableData(TableDataElement):
    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> MarkdownElement:
        element = super().create(markdown, token)
        assert isinstance(element, TableDataElement)
        element.content = WrapText("", justify=element.justify)
        return element

    def on_text(self, context: MarkdownContext, text: TextType) -> None:
        if isinstance(text, str):
            self.content.append(text, _style(context))
        else:
            self.content.append_text(text if isinstance(text, Text) else Text(text))


class AnswerMarkdown(Markdown):
    """``rich.markdown.Markdown`` with the wrapping elements above."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "paragraph_open": WrapParagraph,
        "td_open": WrapTableData,
        "th_open": WrapTableData,
    }
