"""Render HTML mail to plain text for HTML-only letters, and sanitise HTML for display.

The renderer is our own small `html.parser` walker on purpose: html2text is GPL-licensed and
cannot be used in this Apache-2.0 project. It keeps what matters in a letter — paragraphs,
line breaks, lists, table rows as lines, link targets, entities — and drops scripts and styles.

Both are bounded: nh3 (html5ever) builds a tree and slows down quadratically with nesting
(100,000 nested <div>, 1.4 MB, took 54 s), and html.parser costs ~1 s per MB. HTML larger
than `MAX_HTML_CHARS` or nested deeper than `MAX_HTML_DEPTH` is shown to staff as its escaped
text rendering, and text past `MAX_HTML_CHARS` is rendered by stripping tags.
"""

from __future__ import annotations

import html as htmllib
import re
from functools import lru_cache
from html.parser import HTMLParser

import nh3

_BLOCK = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "nav",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "dt", "dd", "table",
        "thead", "tbody", "tfoot", "blockquote", "pre", "address", "form", "fieldset",
        "figure", "figcaption", "center", "caption",
    }
)  # fmt: skip
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"})
_DROP = frozenset({"script", "style", "head", "title", "noscript", "template", "object", "svg"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base"})
MAX_HTML_CHARS = 512 * 1024
MAX_HTML_DEPTH = 512
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*?(/?)>")
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u3000]+")
# Any run of whitespace except the ideographic space is collapsed; U+3000 is real content in
# Chinese text (indentation), but in HTML source it behaves like a space and QQ Mail pads with it.


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.drop_depth = 0
        self.pre_depth = 0
        self.lists: list[list[int]] = []  # per open list: [is_ordered, counter]
        self.cells_in_row = 0
        self.link_stack: list[tuple[str | None, int]] = []
        self.has_content = False

    # -- output helpers -------------------------------------------------------------------------
    def _tail_newlines(self) -> int:
        count = 0
        for chunk in reversed(self.out):
            stripped = chunk.rstrip("\n")
            count += len(chunk) - len(stripped)
            if stripped:
                break
        return count

    def _newline(self, count: int = 1) -> None:
        if not self.has_content:
            return
        have = self._tail_newlines()
        if have < count:
            self.out.append("\n" * (count - have))

    def _emit(self, text: str) -> None:
        if not text:
            return
        if (self.out and self.out[-1].endswith("\n")) or not self.out:
            text = text.lstrip(" ")
        if text:
            self.out.append(text)
            self.has_content = self.has_content or bool(text.strip())

    # -- parser callbacks -----------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            if tag not in _VOID:
                self.drop_depth += 1
            return
        if self.drop_depth:
            return
        if tag == "br":
            self.out.append("\n")
        elif tag == "hr":
            self._newline()
            self.out.append("----------\n")
        elif tag in ("ul", "ol"):
            self._newline()
            self.lists.append([1 if tag == "ol" else 0, 0])
        elif tag == "li":
            self._newline()
            indent = "  " * max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0]:
                self.lists[-1][1] += 1
                self.out.append(f"{indent}{self.lists[-1][1]}. ")
            else:
                self.out.append(f"{indent}- ")
        elif tag == "tr":
            self._newline()
            self.cells_in_row = 0
        elif tag in ("td", "th"):
            if self.cells_in_row:
                self.out.append(" | ")
            self.cells_in_row += 1
        elif tag == "pre":
            self._newline(2)
            self.pre_depth += 1
        elif tag == "a":
            href = dict(attrs).get("href")
            self.link_stack.append((href, len(self.out)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self._emit(f"[{alt}]")
        elif tag in _PARAGRAPH:
            self._newline(2)
        elif tag in _BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self.drop_depth = max(self.drop_depth - 1, 0)
            return
        if self.drop_depth:
            return
        if tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline()
        elif tag == "pre":
            self.pre_depth = max(self.pre_depth - 1, 0)
            self._newline(2)
        elif tag == "a" and self.link_stack:
            href, start = self.link_stack.pop()
            label = "".join(self.out[start:]).strip()
            if href and href.startswith(("http://", "https://")) and href != label:
                self.out.append(f" <{href}>")
        elif tag in ("li", "tr"):
            self._newline()
        elif tag in _PARAGRAPH:
            self._newline(2)
        elif tag in _BLOCK:
            self._newline()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.drop_depth:
            return
        if self.pre_depth:
            self.out.append(data.replace("\r\n", "\n"))
            self.has_content = self.has_content or bool(data.strip())
        else:
            self._emit(_SPACES.sub(" ", data))


def _strip_tags(html: str) -> str:
    """Text of HTML past the rendering bound: tags and scripts dropped, entities resolved."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", html)
    text = htmllib.unescape(re.sub(r"<[^>]*>", " ", html))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())


@lru_cache(maxsize=2)  # rendered for the body, then again when too large to sanitise
def html_to_text(html: str) -> str:
    """Plain-text rendering of an HTML mail body (paragraphs, lists, tables as lines)."""
    cut = MAX_HTML_CHARS
    if len(html) > cut and html.rfind("<", 0, cut) > html.rfind(">", 0, cut):
        cut = html.rfind("<", 0, cut)  # not inside a tag (html.parser would keep it as text)
    head, tail = html[:cut], html[cut:]
    renderer = _Renderer()
    try:
        renderer.feed(head)
        renderer.close()
    except Exception:  # html.parser is lenient; keep whatever was rendered
        pass
    lines = [line.rstrip() for line in "".join(renderer.out).split("\n")]
    text = "\n".join(lines)
    if tail:
        text += "\n" + _strip_tags(tail)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


def html_depth(html: str) -> int:
    """How deeply the elements of `html` nest (unclosed elements count as open)."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, tag, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            depth = max(depth - 1, 0)
        elif not self_closing and tag not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def html_within_bounds(html: str) -> bool:
    """True when `html` is small and shallow enough for the sanitiser (see module docstring)."""
    return len(html) <= MAX_HTML_CHARS and html_depth(html) <= MAX_HTML_DEPTH


_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}


def sanitise_html(html: str) -> str:
    """HTML safe to show to staff: no scripts, no event handlers, no javascript: URLs.

    `cid:` URLs stay so inline images can be resolved against the letter's attachments. HTML
    past the bounds (`html_within_bounds`) becomes its text rendering, escaped, in a <pre>.
    """
    if not html_within_bounds(html):
        return f"<pre>{htmllib.escape(html_to_text(html))}</pre>"
    return nh3.clean(html, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer")
