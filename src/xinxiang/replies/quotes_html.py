"""Render an HTML-only reply to text with its quotes marked (引文标记), for quote stripping.

Clients that send only text/html mark the quoted original with ``<blockquote>`` (Apple Mail,
Gmail, Thunderbird, Coremail, 163) or with a styled ``<div>`` drawing a bar down its left edge
(webmail skins, some mobile clients); both are rendered as ``>``-prefixed lines, as text clients
write them, so `quotes.strip_quoted` applies the same rules. Pure functions, standard library.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_quoted_text"]


_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_SKIP_TAGS = frozenset({"head", "script", "style", "template", "title", "noscript"})
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_SPACE_RUN = re.compile(r"[ \t\r\n\f]+")
# A quote bar drawn with CSS: "border-left: 1px solid #ccc" (any order of width, style, colour).
_QUOTE_BAR = re.compile(r"border-left(?:-style)?\s*:[^;]*\b(?:solid|dashed|dotted|double)\b", re.I)
_QUOTE_CLASSES = frozenset({"gmail_quote", "yahoo_quoted", "quote"})


def _is_quote_div(attrs: list[tuple[str, str | None]]) -> bool:
    """True for a ``<div>`` that clients use as a blockquote: a left bar, or a quote class."""
    values = dict(attrs)
    if _QUOTE_BAR.search(values.get("style") or ""):
        return True
    return bool(_QUOTE_CLASSES & set((values.get("class") or "").lower().split()))


class _QuotedTextRenderer(HTMLParser):
    """Render HTML to plain text, prefixing lines inside ``<blockquote>`` and quote ``<div>``s
    with ``>``.

    Block elements start new lines; a ``<br>`` on an empty line and the end of a ``<p>`` make
    a blank line, which is how Outlook and Gmail encode blank lines.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._line_depth = 0
        self._quote_depth = 0
        self._skip_depth = 0
        self._pre_depth = 0
        # For each open <div>: whether it quotes, so its end tag closes the right quote level.
        self._divs: list[bool] = []

    def _content(self) -> str:
        text = "".join(self._line)
        return text.rstrip() if self._pre_depth else text.strip()

    def _newline(self) -> None:
        content = self._content()
        if content.strip():
            self.lines.append("> " * self._line_depth + content)
        self._line = []

    def _blank(self) -> None:
        self._newline()
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def _write(self, data: str) -> None:
        if not "".join(self._line).strip():
            self._line_depth = self._quote_depth
        self._line.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag == "br":
            if self._content():
                self._newline()
            else:
                self._blank()
        elif tag in _BLOCK_TAGS:
            self._newline()
            if tag == "blockquote":
                self._quote_depth += 1
            elif tag == "div":
                self._divs.append(_is_quote_div(attrs))
                self._quote_depth += self._divs[-1]
            elif tag == "pre":
                self._pre_depth += 1
        elif tag in ("td", "th"):
            self._write(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "p":
            self._blank()
        elif tag in _BLOCK_TAGS and tag not in _VOID_TAGS:
            self._newline()
            if tag == "blockquote" or (tag == "div" and self._divs and self._divs.pop()):
                self._quote_depth = max(0, self._quote_depth - 1)
            elif tag == "pre":
                self._pre_depth = max(0, self._pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            for number, part in enumerate(data.split("\n")):
                if number:
                    self._newline()
                self._write(part)
            return
        self._write(_SPACE_RUN.sub(" ", data))

    def close(self) -> None:
        super().close()
        self._newline()


def html_to_quoted_text(html: str) -> str:
    """Render an HTML mail body to text, quoting ``<blockquote>`` and quote-``<div>`` content
    with ``>`` prefixes.

    Keeps the quote structure that quote stripping needs; scripts, styles and the head are
    dropped. Never raises on malformed HTML.
    """
    renderer = _QuotedTextRenderer()
    try:
        renderer.feed(html)
        renderer.close()
    except Exception:  # html.parser is lenient, but a broken mail must never stop intake.
        renderer._newline()
    return "\n".join(renderer.lines).strip()
