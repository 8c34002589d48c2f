"""Cut a reply down to its new text: quoted originals, signatures and disclaimers removed.

Departments answer from whatever client they use: Coremail, QQ Mail, Foxmail, Outlook (zh-CN),
163/126, Apple Mail, Gmail, and English clients. Each marks the quoted original differently —
``-----原始邮件-----`` blocks, ``发件人：/发送时间：/收件人：/主题：`` header blocks with full-width
colons, ``在 … 写道：`` / ``On … wrote:`` attributions, ``>`` prefixes. Off-the-shelf reply
parsers miss most of the Chinese ones, hence this module.

Rules, in order of reading the lines:

* ``>``-prefixed lines are quotes and are dropped wherever they are, so interleaved and
  bottom-posted answers (quote first, answer below) keep their own lines.
* An attribution (``… 写道：``, ``On … wrote:``) followed by ``>`` lines is dropped with them; one
  followed by unprefixed text starts the quoted original, so everything from it on is cut.
* A header block (``原始邮件``/``Original Message`` separators, an Outlook underscore rule, or
  ``发件人:``/``From:`` followed by further header fields) cuts everything from it on. When it
  comes before any new text, it is skipped instead, and only ``>`` lines after it are treated
  as quotes; unprefixed text after a leading header block is the original itself, so the
  result is empty rather than our own mail.
* Then the signature (after ``-- ``), client sign-offs (``发自我的iPhone``, ``Sent from my
  iPhone`` …) and confidentiality disclaimers are removed.

HTML-only answers are rendered to text first, with ``<blockquote>`` content prefixed by ``>``
as text clients do, so the same rules apply. Pure functions, standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

__all__ = ["html_to_quoted_text", "strip_quoted"]


def _norm(line: str) -> str:
    """Normalise a line for matching only (the output keeps the original characters)."""
    return unicodedata.normalize("NFKC", line).replace("\u3000", " ").strip()


_QUOTE_PREFIX = re.compile(r"^\s*>")

_SEPARATOR = re.compile(
    r"^-{2,}\s*(原始邮件|原邮件|回复的原邮件|转发邮件|邮件原文|邮件原件|原始信息|原始郵件|郵件原件|"
    r"original(\s+message)?|forwarded\s+message|reply\s+message)\s*-{2,}$",
    re.IGNORECASE,
)
_UNDERSCORE_RULE = re.compile(r"^_{8,}$")

_ZH_FIELDS = (
    "发件人", "发信人", "寄件人", "寄件者", "发送时间", "发件时间", "发送日期", "寄件日期", "时间",
    "日期", "收件人", "收件者", "抄送人", "抄送", "副本", "主题", "主旨", "标题",
)  # fmt: skip
_ZH_SENDERS = ("发件人", "发信人", "寄件人", "寄件者")


def _field_alternation(names: tuple[str, ...]) -> str:
    # Alibaba and some Coremail skins pad two-character names: "主　题：".
    return "|".join(r"\s*".join(name) for name in sorted(names, key=len, reverse=True))


_HEADER_FIELD = re.compile(
    rf"^\**\s*({_field_alternation(_ZH_FIELDS)}|from|sent|date|to|cc|subject)\s*\**\s*:",
    re.IGNORECASE,
)
_HEADER_START = re.compile(
    rf"^\**\s*({_field_alternation(_ZH_SENDERS)}|from)\s*\**\s*:", re.IGNORECASE
)

_ATTRIBUTION_END = re.compile(r"(写道|wrote)\s*:?\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^(在|on\s|\d{4}\s*[-/年.])", re.IGNORECASE)
_GMAIL_ZH = re.compile(r"于\s*\d{4}\s*年\s*\d{1,2}\s*月.*写道")
# Clients put a time or an address in an attribution; "来信人在信中写道：" inside an answer,
# even "在2026年12月1日的通知中写道：", has neither.
_ATTRIBUTION_EVIDENCE = re.compile(r"\d{1,2}:\d{2}|@")

_SIGNATURE_DELIMITER = re.compile(r"^--\s*$")
_SIGN_OFF = re.compile(
    r"^(发自|来自|发送自)\s*(我的|网易|手机|QQ|企业微信|钉钉|飞书|Outlook|iPhone|iPad|华为|"
    r"小米|荣耀|OPPO|vivo|魅族|三星|Samsung|Android|安卓|Foxmail|Coremail|Mail|\S{0,8}邮箱)"
    r"|^(sent\s+from\s+(my|mail|outlook|yahoo|the\s)|sent\s+with\s|get\s+outlook\s+for|"
    r"获取\s*outlook)"
    r"|^签名由.{0,20}定制",
    re.IGNORECASE,
)
_SIGN_OFF_MAX = 40

_DISCLAIMER_HEAD = re.compile(
    r"^(免责声明|保密声明|法律声明|disclaimer|confidentiality\s+(notice|note|statement))",
    re.IGNORECASE,
)
_DISCLAIMER_ZH = re.compile(r"^(本|此|该)(电子)?邮件")
_DISCLAIMER_ZH_SECRET = re.compile(r"保密|机密")
_DISCLAIMER_ZH_SCOPE = re.compile(r"附件|收件人|删除|禁止|仅限|仅供")
_DISCLAIMER_EN = re.compile(
    r"^(this|the information (in|contained in) this)\s+(e-?mail|message|communication)"
    r"(\s+and\s+any\s+(files|attachments?))?.{0,200}?(confidential|privileged|intended\s+(only|solely))",
    re.IGNORECASE,
)


def _is_quote(line: str) -> bool:
    return bool(_QUOTE_PREFIX.match(line)) or line.lstrip().startswith("＞")


def _is_sign_off(norm: str) -> bool:
    return len(norm) <= _SIGN_OFF_MAX and bool(_SIGN_OFF.match(norm))


def _starts_header_fields(lines: list[str], start: int) -> bool:
    """True if ``发件人:``/``From:`` at ``start`` is followed by another header field.

    "发件人:" alone could be prose; a second field within a few lines makes it a header block.
    """
    if not _HEADER_START.match(_norm(lines[start])):
        return False
    following = [_norm(line) for line in lines[start + 1 : start + 6] if _norm(line)][:4]
    return any(_HEADER_FIELD.match(line) for line in following)


def _header_block_end(lines: list[str], start: int) -> int | None:
    """If a quoted-original header block starts at ``start``, return the index after it."""
    norm = _norm(lines[start])
    if _SEPARATOR.match(norm):
        index = start + 1
    elif _UNDERSCORE_RULE.match(norm):
        # Outlook draws a rule above the header block; a rule alone is just a rule.
        after = _next_nonblank(lines, start + 1)
        if after is None or not _starts_header_fields(lines, after):
            return None
        index = start + 1
    elif _starts_header_fields(lines, start):
        index = start
    else:
        return None
    while index < len(lines) and (
        not _norm(lines[index]) or _HEADER_FIELD.match(_norm(lines[index]))
    ):
        index += 1
    return index


def _attribution_start(lines: list[str], end: int, kept: list[str]) -> int | None:
    """If line ``end`` closes an attribution, return how many trailing ``kept`` lines it spans.

    Clients wrap long attributions ("On …, Name <\\na@b> wrote:"), so up to two directly
    preceding non-blank lines belong to it when the first of them starts like one.
    """
    norm = _norm(lines[end])
    if not _ATTRIBUTION_END.search(norm):
        return None
    if _ATTRIBUTION_START.match(norm) and _ATTRIBUTION_EVIDENCE.search(norm):
        return 0
    joined = norm
    for span in (1, 2):
        if len(kept) < span or not _norm(kept[-span]):
            break
        joined = _norm(kept[-span]) + " " + joined
        if _ATTRIBUTION_START.match(_norm(kept[-span])) and _ATTRIBUTION_EVIDENCE.search(joined):
            return span
    # Gmail zh puts the name first: "张三 <a@b> 于2026年12月1日周二 10:00写道：", wrapped
    # before "于" when the address is long.
    if _GMAIL_ZH.search(norm):
        if norm.startswith("于") and kept and "@" in kept[-1]:
            return 1
        return 0
    return None


def _is_text(line: str) -> bool:
    norm = _norm(line)
    return bool(norm) and not _is_sign_off(norm)


def _next_nonblank(lines: list[str], index: int) -> int | None:
    while index < len(lines):
        if _norm(lines[index]):
            return index
        index += 1
    return None


def _drop_quotes(lines: list[str]) -> list[str]:
    kept: list[str] = []
    # Counted as lines are kept so that many header blocks cost no rescans.
    text_lines = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        if _is_quote(line):
            index += 1
            continue
        block_end = _header_block_end(lines, index)
        if block_end is not None:
            if text_lines:
                break
            after = _next_nonblank(lines, block_end)
            if after is not None and not _is_quote(lines[after]):
                # Unprefixed text after a leading header block is the original itself.
                break
            index = block_end
            continue
        span = _attribution_start(lines, index, kept)
        if span is not None:
            after = _next_nonblank(lines, index + 1)
            dropped = kept[len(kept) - span :]
            del kept[len(kept) - span :]
            text_lines -= sum(_is_text(old) for old in dropped)
            if after is not None and _is_quote(lines[after]):
                index += 1
                continue
            break
        kept.append(line)
        text_lines += _is_text(line)
        index += 1
    return kept


_DISCLAIMER_MAX_LINES = 20


def _could_start_disclaimer(norm: str) -> bool:
    return bool(
        _DISCLAIMER_HEAD.match(norm)
        or _DISCLAIMER_ZH.match(norm)
        or re.match(r"(this|the information)\b", norm, re.IGNORECASE)
    )


def _is_disclaimer(paragraph: str) -> bool:
    if _DISCLAIMER_HEAD.match(paragraph) or _DISCLAIMER_EN.match(paragraph):
        return True
    return bool(
        _DISCLAIMER_ZH.match(paragraph)
        and _DISCLAIMER_ZH_SECRET.search(paragraph)
        and _DISCLAIMER_ZH_SCOPE.search(paragraph)
    )


def _drop_signature(lines: list[str]) -> list[str]:
    kept: list[str] = []
    for index, line in enumerate(lines):
        norm = _norm(line)
        if _SIGNATURE_DELIMITER.match(line.strip()):
            break
        if _is_sign_off(norm):
            continue
        if norm and _could_start_disclaimer(norm):
            paragraph = []
            for following in lines[index : index + _DISCLAIMER_MAX_LINES]:
                if not _norm(following):
                    break
                paragraph.append(_norm(following))
            if _is_disclaimer(" ".join(paragraph)):
                break
        kept.append(line)
    return kept


_RULE_ONLY = re.compile(r"^[-_=*~|—]+$")


def _tidy(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        # Bare "|" lines are the table frame of mobile-client signature cards.
        if set(line.strip()) <= {"|", " "} and line.strip():
            continue
        if not line.strip():
            if out and out[-1]:
                out.append("")
            continue
        out.append(line)
    while out and (not out[-1] or _RULE_ONLY.match(out[-1].strip())):
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return "\n".join(out)


def strip_quoted(text: str, html: str | None = None) -> str:
    """Return only the new text of a reply: no quoted original, signature or disclaimer.

    ``text`` is the text/plain body; when it is blank, ``html`` (the text/html body) is
    rendered to text instead. Never raises; the result is never longer than the input used.
    """
    source = text
    if not text.strip() and html:
        source = html_to_quoted_text(html)
    lines = source.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").split("\n")
    return _tidy(_drop_signature(_drop_quotes(lines)))


# --- HTML ------------------------------------------------------------------------------------

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


class _QuotedTextRenderer(HTMLParser):
    """Render HTML to plain text, prefixing lines inside ``<blockquote>`` with ``>``.

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
            if tag == "blockquote":
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
    """Render an HTML mail body to text, quoting ``<blockquote>`` content with ``>`` prefixes.

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
