"""Realistic raw letters to the 书记校长信箱, for the demo, tests and benchmarks.

Everything is deterministic: the same `(i, seed)` always yields the same bytes. The letters
mimic what Chinese mail clients really send: UTF-8, GB2312-labelled text that is really GBK /
GB18030 (names such as 喆 or 镕 are not in GB2312), GBK, Big5 traditional text, base64,
quoted-printable and raw 8-bit bodies, HTML-only mail, attachments with Chinese file names in
RFC 2231 or RFC 2047 form, and the 【公开】 / 同意公开 conventions.

This module draws each letter's sender, topic and encodings; the vocabulary is in
`sample_pools`, the MIME building in `sample_mime`, and `sample_demo.demo_mailbox()` adds the
noise a real mailbox holds: an auto-reply, a bounce and a message that is not mail at all.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from xinxiang.sample_mime import CST, TO, Attachment, Cte, HtmlMode, Spec, attachment, build
from xinxiang.sample_pools import (
    BIG5_LETTERS,
    BUILDINGS,
    BUILDINGS_TRAD,
    CANTEENS,
    CLOSINGS,
    COLLEGES,
    COLLEGES_EN,
    ENGLISH_LETTERS,
    GIVEN,
    GREETINGS,
    INTL_NAMES,
    MAILERS,
    SURNAMES,
    TOPICS,
    TRAD_NAMES,
)

_BASE_DATE = datetime(2026, 3, 2, 7, 30, tzinfo=CST)
# Keep dates inside 2026: the official working-day calendar has no later data.
_DATE_SPAN_MINUTES = 290 * 24 * 60


def _pick(rng: random.Random, items: Sequence[str]) -> str:
    return items[rng.randrange(len(items))]


@dataclass(frozen=True)
class _Person:
    name: str
    addr: str
    signature: str
    traditional: bool = False
    english: bool = False
    college: str = field(default="")


def _person(rng: random.Random) -> _Person:
    sur, sur_py = SURNAMES[rng.randrange(len(SURNAMES))]
    given, given_py = GIVEN[rng.randrange(len(GIVEN))]
    name = sur + given
    college = _pick(rng, COLLEGES)
    roll = rng.random()
    if roll < 0.55:
        grade = rng.choice((2022, 2023, 2024, 2025))
        stuno = f"{grade}{rng.randrange(10**6):06d}"
        addr = rng.choice(
            (
                f"{stuno}@stu.example.edu.cn",
                f"{rng.randrange(10**8, 10**10)}@qq.com",
                f"{sur_py}{given_py}{rng.randrange(100)}@163.com",
            )
        )
        sig = f"{name}\n{college}{grade}级本科生\n学号：{stuno}"
    elif roll < 0.7:
        grade = rng.choice((2023, 2024, 2025))
        addr = rng.choice(
            (f"{sur_py}.{given_py}@stu.example.edu.cn", f"{sur_py}{given_py}@126.com")
        )
        sig = f"{name}\n{college}{grade}级硕士研究生"
    elif roll < 0.85:
        addr = f"{sur_py}{given_py}@example.edu.cn"
        sig = f"{college}教师 {name}"
    elif roll < 0.95:
        addr = rng.choice(
            (
                f"{sur_py}{given_py}{rng.randrange(1960, 1980)}@163.com",
                f"{rng.randrange(10**8, 10**10)}@qq.com",
                f"{sur_py}_{given_py}@sina.com",
            )
        )
        sig = f"一名学生家长 {name}\n电话：1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    else:
        addr = f"{sur_py}{given_py}@gmail.com"
        sig = f"{college}{rng.randrange(1995, 2020)}届校友 {name}"
    return _Person(name, addr, sig, college=college)


def _fill(text: str, rng: random.Random, person: _Person) -> str:
    return text.format(
        building=_pick(rng, BUILDINGS),
        canteen=_pick(rng, CANTEENS),
        course=_pick(rng, ("高等数学", "大学物理", "数据结构", "大学英语", "线性代数", "毛概")),
        days=rng.randrange(2, 15),
        college=person.college or _pick(rng, COLLEGES),
    )


# --------------------------------------------------------------------------- public API


def sample_letter(i: int, *, seed: int = 0) -> bytes:
    """The `i`-th generated letter for `seed`: deterministic raw RFC 5322 bytes (CRLF).

    Senders, topics, charsets, transfer encodings, HTML and attachments vary with `i`; the
    Message-ID is unique per `(i, seed)` and the Date lies in 2026, in +0800.
    """
    rng = random.Random(f"xinxiang-sample:{seed}:{i}")
    person = _person(rng)
    roll = rng.random()
    charset: str
    cte: Cte
    if roll < 0.05:
        subject, body = _pick_pair(rng, BIG5_LETTERS)
        charset, cte = "big5", rng.choice(("base64", "8bit"))
        name, local = TRAD_NAMES[rng.randrange(len(TRAD_NAMES))]
        person = _Person(name, f"{local}{rng.randrange(100)}@stu.example.edu.cn", name)
        text = body.format(building=_pick(rng, BUILDINGS_TRAD)) + f"\n\n{person.name}"
    elif roll < 0.08:
        subject, body = _pick_pair(rng, ENGLISH_LETTERS)
        charset, cte = "us-ascii", "7bit"
        name, local = INTL_NAMES[rng.randrange(len(INTL_NAMES))]
        person = _Person(name, f"{local}@stu.example.edu.cn", name)
        text = body.format(college=_pick(rng, COLLEGES_EN)) + f"\n{name}"
    else:
        key = rng.choice(sorted(TOPICS))
        subjects, paras, _ = TOPICS[key]
        subject = _fill(_pick(rng, subjects), rng, person)
        chosen = [p for p in paras if rng.random() < 0.75] or [paras[0]]
        closing = _pick(rng, CLOSINGS)
        parts = [_pick(rng, GREETINGS), *(_fill(p, rng, person) for p in chosen)]
        if rng.random() < 0.06:
            parts.append("本人同意公开此信件及学校的答复。")
        parts += [p for p in (closing, person.signature) if p]
        text = "\n\n".join(parts)
        enc_roll = rng.random()
        if enc_roll < 0.40:
            charset, cte = "utf-8", "base64"
        elif enc_roll < 0.55:
            charset, cte = "utf-8", "quoted-printable"
        elif enc_roll < 0.65:
            charset, cte = "utf-8", "8bit"
        elif enc_roll < 0.83:
            charset, cte = "gb2312", "base64"
        elif enc_roll < 0.95:
            charset, cte = "gbk", rng.choice(("base64", "8bit"))
        else:
            charset, cte = "gb18030", "base64"
        if rng.random() < 0.08:
            subject = "【公开】" + subject
    attachments: tuple[Attachment, ...] = ()
    if rng.random() < 0.15:
        names = _attachment_names(rng, subject)
        style: Literal["rfc2231", "rfc2047"] = "rfc2231" if rng.random() < 0.5 else "rfc2047"
        attachments = tuple(attachment(n, rng, style) for n in names)
    html_roll = rng.random()
    html_mode: HtmlMode = (
        "only"
        if html_roll < 0.06
        else "alternative"
        if html_roll < 0.40
        else "related"
        if html_roll < 0.43
        else "none"
    )
    if charset == "us-ascii":
        html_mode = "none"
    minutes = (i * 7 + rng.randrange(7) + seed * 1440) % _DATE_SPAN_MINUTES
    date = (_BASE_DATE + timedelta(minutes=minutes, seconds=rng.randrange(60))).replace(
        microsecond=0
    )
    domain = person.addr.rsplit("@", 1)[1]
    spec = Spec(
        sender_name=person.name,
        sender_addr=person.addr,
        subject=subject,
        body=text,
        date=date,
        message_id=f"<{date:%Y%m%d%H%M%S}.{seed:x}.{i:x}.{rng.randrange(16**8):08x}@{domain}>",
        to=TO[i % 2],
        charset=charset,
        cte=cte,
        header_q=rng.random() < 0.2,
        html=html_mode,
        attachments=attachments,
        x_mailer=rng.choice(MAILERS),
        boundary_seed=rng.randrange(2**32),
        return_path=person.addr,
    )
    return build(spec)


def _pick_pair(rng: random.Random, items: Sequence[tuple[str, str]]) -> tuple[str, str]:
    return items[rng.randrange(len(items))]


def _attachment_names(rng: random.Random, subject: str) -> list[str]:
    for _key, (subjects, _paras, names) in TOPICS.items():
        if names and any(s.split("{")[0][:4] in subject for s in subjects):
            return list(names)
    return [rng.choice(("情况说明.pdf", "现场照片.jpg", "相关材料.pdf"))]


def iter_sample_letters(n: int, seed: int = 0) -> Iterator[bytes]:
    """Stream `n` letters (`sample_letter(0..n-1, seed=seed)`), one at a time."""
    for i in range(n):
        yield sample_letter(i, seed=seed)
