"""Adversarial specification: an address inside an encoded word is display text, never the address.

RFC 2047 encoded words may stand only in a display name; clients and attackers write them with
``<…>``, ``@``, commas and quotes inside (raw or encoded). Whatever they hold, the address of a
From, To or Reply-To comes from the angle-addr outside the encoded word, and a display name
that carries an address never proves a sender (issue #12).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from replies_helpers import Loop, make_loop
from servers import ImapAccount, SmtpSink
from xinxiang.mailbox.headers import addresses
from xinxiang.mailbox.parse import parse_message
from xinxiang.replies.identity import sole_sender

REAL = "real@example.edu.cn"
EVIL = "x@evil.example"


def b_word(text: str, charset: str = "utf-8") -> str:
    return f"=?{charset}?b?{base64.b64encode(text.encode(charset)).decode()}?="


def q_word(text: str) -> str:
    """A Q word that encodes every special character, as careful clients do."""
    out = "".join(
        f"={b:02X}" if b > 127 or chr(b) in ' =?_"<>,@' else chr(b) for b in text.encode()
    )
    return f"=?utf-8?q?{out}?="


# Encoded words as attackers write them: encoded specials, and raw specials inside the word
# (not allowed by RFC 2047, written all the same).
HOSTILE_WORDS = [
    b_word(f"王五 <{EVIL}>"),
    q_word(f"王五 <{EVIL}>"),
    b_word(f'王五" <{EVIL}>'),
    b_word(f"王五, {EVIL}"),
    b_word(EVIL),
    b_word(f"王五 <{EVIL}>", "gb2312"),
    f"=?utf-8?q?=E7=8E=8B=E4=BA=94 <{EVIL}>?=",
    f"=?utf-8?q?=E7=8E=8B=E4=BA=94_<{EVIL}>?=",
    f'=?utf-8?q?=E7=8E=8B=E4=BA=94" <{EVIL}>?=',
    f"=?utf-8?q?=E7=8E=8B=E4=BA=94, {EVIL}?=",
    f"=?utf-8?q?{EVIL}?=",
]
FORMS = ['"{word}" <{real}>', "{word} <{real}>"]


def raw_mail(**headers: str) -> bytes:
    head = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    return f"{head}Subject: =?utf-8?b?5LyZ6aOf?=\r\n\r\n食堂饭菜太贵了。\r\n".encode()


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("word", HOSTILE_WORDS)
def test_the_address_comes_from_outside_the_encoded_word(word: str, form: str) -> None:
    value = form.format(word=word, real=REAL)
    letter = parse_message(raw_mail(From=value, To=value, Cc=value))
    assert letter.from_addr == REAL
    assert letter.to_addrs == (REAL,) and letter.cc_addrs == (REAL,)
    # Nor does a display name holding an address prove the sender it names.
    assert sole_sender(letter.headers).address != EVIL
    # Reply-To is read by the same function as every address header.
    assert [a for _n, a in addresses(value, "Reply-To", [])] == [REAL]


@pytest.mark.parametrize("word", HOSTILE_WORDS)
def test_an_encoded_word_alone_names_no_address(word: str) -> None:
    letter = parse_message(raw_mail(From=word, To=f"信箱 <{REAL}>"))
    assert letter.from_addr == ""
    assert "header From: no sender address" in letter.defects


def test_a_list_of_honest_encoded_names_still_reads_every_address() -> None:
    value = f'{b_word("张三")} <a@example.edu.cn>, "{q_word("李四, 王五")}" <b@example.edu.cn>'
    assert addresses(value, "To", []) == [
        ("张三", "a@example.edu.cn"),
        ("李四, 王五", "b@example.edu.cn"),
    ]
    letter = parse_message(raw_mail(From=f"{b_word('张三')} <a@example.edu.cn>", To=value))
    assert (letter.from_addr, letter.from_name) == ("a@example.edu.cn", "张三")
    assert sole_sender(letter.headers).address == "a@example.edu.cn"


@pytest.fixture
def loop(imap_account: ImapAccount, smtp_sink: SmtpSink, tmp_config: Any) -> Loop:
    return make_loop(imap_account, smtp_sink, tmp_config)


def test_a_hostile_from_through_the_real_servers_answers_the_real_address(loop: Loop) -> None:
    word = f"=?utf-8?q?=E7=8E=8B=E4=BA=94 <{EVIL}>?="
    loop.imap.append(
        raw_mail(
            From=f"{word} <zhangsan@stu.example.edu.cn>",
            To="xinxiang@example.edu.cn",
            Message_ID="<hostile-from@stu.example.edu.cn>",
            Date="Mon, 07 Dec 2026 09:00:00 +0800",
        )
    )
    loop.run()
    assert loop.ticket().petitioner_addr == "zhangsan@stu.example.edu.cn"
    assert not loop.sink.messages(EVIL)
    assert loop.sink.messages("zhangsan@stu.example.edu.cn")
