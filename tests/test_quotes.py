"""Specification of quote stripping: every client's reply style cut down to the new text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinxiang.replies.quotes import html_to_quoted_text, strip_quoted

FIXTURES = Path(__file__).parent / "data" / "replies"
# Each raw reply (NAME.txt: text/plain body only, NAME.html: text/html body only) sits next to
# NAME.expected, the new text the department wrote.
CASES = sorted(path for path in FIXTURES.iterdir() if path.suffix in (".txt", ".html"))


def _strip(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        return strip_quoted("", html=raw)
    return strip_quoted(raw)


def test_every_fixture_has_an_expectation() -> None:
    assert len(CASES) >= 60
    for path in CASES:
        assert path.with_suffix(".expected").exists(), path.name


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.name)
def test_client_reply_styles(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").rstrip("\n")
    assert _strip(path) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("同意", "同意"),
        ("正式回复：已处理。\r\n\r\n-----原始邮件-----\r\n发件人: a@b\r\n", "正式回复：已处理。"),
        ("已处理。\n> 原文\n>> 更早的原文\n", "已处理。"),
        ("已处理。\n＞ 全角引用\n", "已处理。"),
        ("已处理。\n\n\n\n谢谢", "已处理。\n\n谢谢"),
        ("已处理。\n发自我的iPad\n", "已处理。"),
        ("已处理。\n发自我的华为手机\n", "已处理。"),
        ("已处理。\nSent from my iPhone\n", "已处理。"),
        ("已处理。\nGet Outlook for Android\n", "已处理。"),
        # Prose that merely mentions a client phrase is kept.
        ("来自计算机学院的反馈如下：已处理。", "来自计算机学院的反馈如下：已处理。"),
        ("已处理。\n\n免责声明：本邮件仅供收件人使用。\n", "已处理。"),
        # A separator line of dashes on its own is not a quote marker.
        ("第一部分\n----------\n第二部分", "第一部分\n----------\n第二部分"),
        # Older Outlook zh-CN, Outlook zh-TW, Alibaba's padded field names.
        ("好的。\n-----邮件原件-----\n发件人: a@b\n发送时间: 2026年12月1日\n原文", "好的。"),
        ("好的。\n-----原始郵件-----\n寄件者: a@b\n寄件日期: 2026年12月1日\n原文", "好的。"),
        (
            "好的。\n\n" + "-" * 60 + "\n发件人：a@b\n发送时间：2026年12月1日\n主\u3000题：x\n原文",
            "好的。",
        ),
        # Rules stacked above a header block (once this recursed without end).
        ("_" * 32 + "\n" + "_" * 32 + "\n发件人: a@b\n主题: x\n原文", ""),
        ("_" * 32 + "\n" * 2000, ""),
        # A rule with no header block after it is just a rule.
        ("第一部分\n____________________\n第二部分", "第一部分\n____________________\n第二部分"),
        # A dated sentence ending in 写道 but naming no time or address is prose.
        (
            "在2026年12月1日的通知中写道：\n“自习室开放至22:30”。",
            "在2026年12月1日的通知中写道：\n“自习室开放至22:30”。",
        ),
        # Header-looking prose without a second field stays.
        ("发件人：后勤处已核实。\n谢谢", "发件人：后勤处已核实。\n谢谢"),
        # Separator rules in any dash a keyboard produces, any phrase of the family.
        ("好的。\n—————— 原始邮件 ——————\n原文", "好的。"),
        ("好的。\n───── 原邮件 ─────\n原文", "好的。"),
        ("好的。\n－－－－－ 转发的邮件 －－－－－\n原文", "好的。"),
        ("好的。\n---- 轉寄的郵件 ----\n原文", "好的。"),
        ("好的。\n---- Replied Message ----\n原文", "好的。"),
        # A forward lead-in cuts only above a header block; alone it is text.
        ("好的。\n开始转发的邮件：\n\n发件人: a@b\n主题: x\n原文", "好的。"),
        ("好的。\n开始转发的邮件：\n原文照录", "好的。\n开始转发的邮件：\n原文照录"),
        # Client sign-offs naming a device or client; prose starting alike stays.
        ("已处理。\n发自 HUAWEI Mate 60\n", "已处理。"),
        ("已处理。\nSent from WeCom\n", "已处理。"),
        ("已处理。\nSent via DingTalk\n", "已处理。"),
        ("发自内心感谢同学的建议。", "发自内心感谢同学的建议。"),
        (
            "Sent from the Logistics Office to all students, as agreed.",
            "Sent from the Logistics Office to all students, as agreed.",
        ),
        # Bracketed and headed notices.
        ("已处理。\n\n【保密提示】本邮件仅供收件人使用。\n", "已处理。"),
        ("已处理。\n\n[免责声明] 本邮件内容不代表学校立场。\n", "已处理。"),
        # Gmail zh-CN and zh-TW attributions, however wrapped.
        ("好。\n\n张三 <a@b.cn>\n于2026年12月1日周二\n09:31写道：\n\n原文", "好。"),
        ("好。\n\n張三 <a@b.tw> 於 2026年12月1日 週二 上午9:31寫道：\n\n原文", "好。"),
        ('好。\n\nAt 2026-12-01 10:00:00, "张三" <a@b.cn> wrote:\n>原文', "好。"),
    ],
)
def test_strip_quoted_rules(text: str, expected: str) -> None:
    assert strip_quoted(text) == expected


def test_plain_text_is_preferred_over_html() -> None:
    assert strip_quoted("纯文本答复", html="<p>HTML 答复</p>") == "纯文本答复"


def test_html_is_used_when_plain_text_is_blank() -> None:
    assert strip_quoted(" \n", html="<p>HTML&nbsp;答复</p>") == "HTML 答复"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>一</p><p>二</p>", "一\n\n二"),
        ("一<br>二<br/>三", "一\n二\n三"),
        ("<blockquote>引用<br>两行</blockquote>答复", "> 引用\n> 两行\n答复"),
        ("<blockquote>外<blockquote>内</blockquote></blockquote>", "> 外\n> > 内"),
        ("<style>p {color: red}</style><script>alert(1)</script><p>正文</p>", "正文"),
        ("<pre>a\n  b</pre>", "a\n  b"),
        ("&lt;a@b&gt; &amp; &#20013;", "<a@b> & 中"),
        ("<div>未闭合<span>", "未闭合"),
        # A div that draws a quote bar, or carries a quote class, quotes like a blockquote.
        ('<div style="border-left:1px solid #ccc">引用</div>答复', "> 引用\n答复"),
        ('<div style="BORDER-LEFT: #ccc 1px solid"><div>引用</div></div>答复', "> 引用\n答复"),
        ('<div class="gmail_quote x">引用</div><div>答复</div>', "> 引用\n答复"),
        # Plain and styled divs do not, and a stray end tag closes no quote.
        ('<div style="border-left:none">正文</div>', "正文"),
        ("<blockquote><div>引用</div></div>仍是引用</blockquote>答复", "> 引用\n> 仍是引用\n答复"),
    ],
)
def test_html_to_quoted_text(html: str, expected: str) -> None:
    assert html_to_quoted_text(html) == expected


_MAIL_ALPHABET = st.sampled_from(
    [
        *"ab 中文：:>-_|@<>\n\r\t\u00a0\u3000写道原始邮件发件人主题在于年月日0123456789",
        "-----原始邮件-----",
        "________________",
        "发件人：",
        "主题:",
        "写道：",
        "On ",
        " wrote:",
        "> ",
        "-- \n",
        "发自我的iPhone",
        "本邮件",
        "保密",
        "附件",
        "2026-12-01 10:00",
        "ﷺ",
        "\u2028",
        "\x85",
    ]
)


@given(st.lists(_MAIL_ALPHABET, max_size=60).map("".join))
def test_strip_quoted_never_raises_or_grows(text: str) -> None:
    result = strip_quoted(text)
    assert len(result) <= len(text)


@given(st.text(max_size=300))
def test_strip_quoted_never_grows_on_any_text(text: str) -> None:
    assert len(strip_quoted(text)) <= len(text)


_HTML_ALPHABET = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<br>",
        "<blockquote>",
        "</blockquote>",
        "<div>",
        "</div>",
        "<pre>",
        "</pre>",
        "<script>",
        "</script>",
        "&nbsp;",
        "&lt;",
        "&#",
        "&",
        "<",
        ">",
        "正文",
        "a",
        " ",
        "\n",
        "写道：",
        "-----原始邮件-----",
        "<!--",
        "-->",
        "<![CDATA[",
        "<b",
        '="',
    ]
)


@given(st.lists(_HTML_ALPHABET, max_size=60).map("".join))
def test_strip_quoted_html_never_raises_or_grows(html: str) -> None:
    assert len(strip_quoted("", html=html)) <= len(html)
