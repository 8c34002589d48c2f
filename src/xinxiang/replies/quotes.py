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

HTML-only answers are rendered to text first (`quotes_html`), with ``<blockquote>`` and
quote-bar ``<div>`` content prefixed by ``>`` as text clients do, so the same rules apply.
Pure functions, standard library only.
"""

from __future__ import annotations

import re
import unicodedata

from xinxiang.replies.quotes_html import html_to_quoted_text

__all__ = ["html_to_quoted_text", "strip_quoted"]


# Dash-like characters that clients and phone keyboards (smart punctuation) put in separator
# rules: em and en dashes, box-drawing lines, the full-width hyphen (NFKC maps only some).
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−─━﹣－", "-"))


def _norm(line: str) -> str:
    """Normalise a line for matching only (the output keeps the original characters)."""
    return unicodedata.normalize("NFKC", line).replace("\u3000", " ").translate(_DASHES).strip()


_QUOTE_PREFIX = re.compile(r"^\s*>")

# The phrase inside a separator rule, as a family: (回复的|转发的)(原始)邮件(原文|原件|信息) in
# simplified or traditional characters, 原始信息, and the English Original / Forwarded /
# Reply(ied) Message of QQ, Foxmail, Outlook, Gmail, WeCom and NetEase Mail Master.
_SEPARATOR_PHRASE = (
    r"(?:(?:回复|回覆|转发|轉寄|转寄)的?)?(?:原始|原)?(?:邮件|郵件)(?:原文|原件|信息|資訊)?|原始信息|"
    r"original(?:\s+message)?|forwarded\s+message|repl(?:y|ied)\s+message"
)
_SEPARATOR = re.compile(rf"^-{{2,}}\s*(?:{_SEPARATOR_PHRASE})\s*-{{2,}}$", re.IGNORECASE)
# Apple Mail and Gmail start a forwarded copy with a lead-in line instead of a rule; it counts
# only when a header block follows.
_FORWARD_LEAD_IN = re.compile(
    r"^(?:以下是)?(?:开始)?(?:转发|轉寄)的(?:邮件|郵件)\s*:?$|^begin\s+forwarded\s+message\s*:?$",
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

_ATTRIBUTION_END = re.compile(r"(写道|寫道|wrote)\s*:?\s*$", re.IGNORECASE)
# 在 …, On …, and NetEase's English "At 2026-12-01 10:00:00, …"; Apple Mail starts with the date.
_ATTRIBUTION_START = re.compile(r"^(在|on\s|at\s+\d|\d{4}\s*[-/年.])", re.IGNORECASE)
# Gmail in Chinese (zh-CN 于…写道, zh-TW 於…寫道) puts the name first.
_GMAIL_ZH = re.compile(r"[于於]\s*\d{4}\s*年\s*\d{1,2}\s*月.*[写寫]道")
# Clients put a time or an address in an attribution; "来信人在信中写道：" inside an answer,
# even "在2026年12月1日的通知中写道：", has neither.
_ATTRIBUTION_EVIDENCE = re.compile(r"\d{1,2}:\d{2}|@")

_SIGNATURE_DELIMITER = re.compile(r"^--\s*$")
_SIGN_OFF = re.compile(
    r"^(发自|来自|发送自)\s*(我的|网易|手机|QQ|企业微信|钉钉|飞书|Outlook|iPhone|iPad|华为|"
    r"小米|荣耀|OPPO|vivo|魅族|三星|Samsung|Android|安卓|Foxmail|Coremail|Mail|\S{0,8}邮箱)"
    # Any device or client named in Latin letters: 发自 HUAWEI Mate 60, Sent from WeCom. The
    # whole (short) line must be the name, so "发自内心感谢" and sentences stay.
    r"|^(发自|发送自)\s*[A-Za-z][\w .+\-]{0,30}$"
    r"|^sent\s+(from|with|via)\s+[\w .+\-]{1,30}$"
    r"|^(sent\s+from\s+(my|mail|outlook|yahoo|the\s)|sent\s+with\s|get\s+outlook\s+for|"
    r"获取\s*outlook)"
    r"|^签名由.{0,20}定制",
    re.IGNORECASE,
)
_SIGN_OFF_MAX = 40

# Headed notices, bracketed or not: 免责声明 / 【保密提示】 / [法律声明] / Confidentiality Notice.
_DISCLAIMER_HEAD = re.compile(
    r"^[\[【(（<〖]?\s*((免责|保密|法律|隐私)(声明|提示|条款|须知)|disclaimer|"
    r"confidentiality\s+(notice|note|statement))",
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
    elif _UNDERSCORE_RULE.match(norm) or _FORWARD_LEAD_IN.match(norm):
        # Outlook draws a rule above the header block, Apple Mail a 开始转发的邮件 line; a rule
        # or that line alone is just text.
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
    return _gmail_zh_span(norm, kept)


def _gmail_zh_span(norm: str, kept: list[str]) -> int | None:
    """Trailing ``kept`` lines of a Gmail zh attribution ending at ``norm``, or None.

    Gmail zh puts the name first: "张三 <a@b> 于2026年12月1日周二 10:00写道："; plain-text
    wrapping breaks it before "于" and again before the time, so up to three lines belong to it.
    """
    joined = norm
    for span in (0, 1, 2):
        if span and (len(kept) < span or not _norm(kept[-span])):
            return None
        if span:
            joined = _norm(kept[-span]) + " " + joined
        if _GMAIL_ZH.search(joined):
            # Wrapped before 于: the name and address sit on the line above.
            if joined[:1] in "于於" and len(kept) > span and "@" in kept[-span - 1]:
                return span + 1
            return span
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
