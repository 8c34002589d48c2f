"""Redaction of personal data on everything public (`xinxiang.replies.redact`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinxiang.errors import ConfigError
from xinxiang.replies.redact import (
    NAME_MARK,
    default_patterns,
    load_patterns,
    name_variants,
    redact,
    student_number_pattern,
)
from xinxiang.replies.redactor import load_redactor

PHONE = "[电话已隐去]"
EMAIL = "[邮箱已隐去]"
ID = "[身份证号已隐去]"
DORM = "[宿舍已隐去]"
NUM = "[学号/工号已隐去]"

REDACTED = [
    # (text, expected)
    ("我的手机是13812345678，请联系", f"我的手机是{PHONE}，请联系"),
    ("电话：138-1234-5678", f"电话：{PHONE}"),
    ("电话 138 1234 5678。", f"电话 {PHONE}。"),
    ("+86 13912345678", PHONE),
    ("+86-199-1234-5678", PHONE),
    ("座机010-62781234", f"座机{PHONE}"),
    ("办公室 0755-8888666 转 3", f"办公室 {PHONE} 转 3"),
    ("(0755)88886666", PHONE),
    ("（021）62781234", PHONE),
    ("010-62781234转123", PHONE),
    ("邮箱 zhang.san@stu.example.edu.cn。", f"邮箱 {EMAIL}。"),
    ("13812345678@qq.com", EMAIL),
    ("Li_Ming+x@163.com", EMAIL),
    ("身份证号11010519491231002X，", f"身份证号{ID}，"),
    ("110105194912310021", ID),
    ("我住12号楼305", f"我住{DORM}"),
    ("东区3栋402室", DORM),
    ("3#305宿舍", DORM),
    ("7舍 1203", DORM),
    ("5号楼2单元501", DORM),
    ("A栋B312", DORM),
    ("十二号楼305", DORM),
    ("我们305宿舍的同学", f"我们{DORM}的同学"),
    ("学号2023012345", f"学号{NUM}"),
    ("学号：20180512", f"学号：{NUM}"),  # reads like a date, but it is labelled
    ("工号是 1234567", f"工号是 {NUM}"),
    ("一卡通号 2019123456", f"一卡通号 {NUM}"),
    ("2023012345 号同学", f"{NUM} 号同学"),
    ("请联系 20180056。", f"请联系 {NUM}。"),
    ("12号楼13812345678", f"12号楼{PHONE}"),
    ("卡号 6222 0212 3456 7890", "卡号 [银行卡号已隐去]"),
    ("卡号6222021234567890123", "卡号[银行卡号已隐去]"),
]

KEPT = [
    "工单2026-000123已受理",
    "2026-000123",
    "来信时间 2026-11-20 10:03:12",
    "日期20261120",
    "2026年11月20日",
    "金额12000000元，共20000000人",
    "11:30 到 17:30",
    "校长办公室305室",
    "sha256 3f1c9a0e5b7d2c4a8e6f1b3d5c7a9e0f2b4d6c8a1e3f5b7d9c0a2e4f6b8d1c3a",
    "https://example.edu.cn/page/123456789",
    "版本3.1415926535",
    "第12号楼",
    "2026-11-20至2026-12-05",
    "延期：至2026-12-05，原因：需学校研究",
    "工单 XX-2026-000123",
    "1号楼到3号楼之间",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_dates_numbers_and_ordinary_text_are_kept(text: str) -> None:
    assert redact(text) == text


NAMES = [
    # (names, text, expected)
    (["李明"], "我是李明，李明的同学", f"我是{NAME_MARK}，{NAME_MARK}的同学"),
    (["李明"], "李 明同学", f"{NAME_MARK}同学"),
    (name_variants("王小明"), "王小明，小明同学", f"{NAME_MARK}，{NAME_MARK}同学"),
    (["Zhang Wei"], "from zhang wei and ZhangWei", f"from {NAME_MARK} and {NAME_MARK}"),
    (["王"], "王老师", "王老师"),  # one character would redact too much
    ([], "李明", "李明"),
    (["东区5号楼"], "他在东区5号楼", f"他在{NAME_MARK}"),
    # Round 19: after 家住 the address pattern hides it before the names are matched.
    (["东区5号楼"], "家住东区5号楼", "家住[地址已隐去]"),
]


@pytest.mark.parametrize(("names", "text", "expected"), NAMES)
def test_names_are_replaced_wherever_they_appear(
    names: list[str], text: str, expected: str
) -> None:
    assert redact(text, names=names) == expected


VARIANTS = [
    ("王小明", ("王小明", "小明")),
    ("欧阳娜娜", ("欧阳娜娜", "娜娜")),
    ("李明", ("李明",)),
    (" 李 明 ", ("李明",)),
    ("Zhang Wei", ("ZhangWei",)),
    ("", ()),
]


@pytest.mark.parametrize(("name", "expected"), VARIANTS)
def test_name_variants(name: str, expected: tuple[str, ...]) -> None:
    assert name_variants(name) == expected


def test_student_number_length_is_configurable() -> None:
    ten = [student_number_pattern(10, 10)]
    assert redact("卡号 2023012345", patterns=ten) == f"卡号 {NUM}"
    assert redact("卡号 20230123", patterns=ten) == "卡号 20230123"
    with pytest.raises(ValueError):
        student_number_pattern(9, 8)


def test_explicit_empty_pattern_list_redacts_only_names() -> None:
    assert redact("李明 13812345678", names=["李明"], patterns=[]) == f"{NAME_MARK} 13812345678"


# --- properties ---------------------------------------------------------------------------

filler = st.text(alphabet="我们学校宿舍热水问题，。！请尽快处理谢谢 ", max_size=20)
mobiles = st.builds(
    lambda a, b: f"1{a}{b:09d}", st.sampled_from("3456789"), st.integers(0, 10**9 - 1)
)
emails = st.builds(
    lambda u, d: f"{u}@{d}.edu.cn",
    st.text(alphabet="abcxyz019._", min_size=1, max_size=10).filter(lambda s: s[0] not in "._"),
    st.text(alphabet="abcdefgh", min_size=1, max_size=8),
)
id_cards = st.builds(
    lambda area, y, m, d, seq, chk: f"{area}{y}{m:02d}{d:02d}{seq:03d}{chk}",
    st.integers(110000, 659999).map(str),
    st.integers(1940, 2010).map(str),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 999),
    st.sampled_from("0123456789X"),
)
pii = st.one_of(mobiles, emails, id_cards)


separator = st.text(alphabet="，。 ：:（）我的电话邮箱", min_size=1, max_size=5)


@given(st.lists(st.tuples(separator, pii), min_size=1, max_size=4), filler)
@settings(max_examples=200, deadline=None)
def test_generated_personal_data_never_survives(parts: list[tuple[str, str]], tail: str) -> None:
    text = "".join(f"{f}{p}" for f, p in parts) + tail
    out = redact(text)
    for _, p in parts:
        assert p not in out


dates = st.dates().map(lambda d: d.isoformat())
tickets = st.integers(0, 999_999).map(lambda n: f"2026-{n:06d}")
times = st.times().map(lambda t: t.strftime("%H:%M:%S"))


@given(st.lists(st.tuples(filler, st.one_of(dates, tickets, times)), max_size=5))
@settings(max_examples=200, deadline=None)
def test_dates_times_and_ticket_numbers_always_survive(parts: list[tuple[str, str]]) -> None:
    text = "".join(f"{f} {x} " for f, x in parts)
    assert redact(text) == text


@given(st.lists(st.one_of(filler, pii, dates, tickets), max_size=6))
@settings(max_examples=200, deadline=None)
def test_redaction_is_idempotent(parts: list[str]) -> None:
    once = redact(" ".join(parts), names=["李明"])
    assert redact(once, names=["李明"]) == once


# --- configuration ------------------------------------------------------------------------


def test_config_file_adds_and_disables_patterns(tmp_path: Path) -> None:
    path = tmp_path / "redaction.toml"
    path.write_text(
        """
disable = ["dorm_room"]
student_number_min_digits = 10
[[pattern]]
name = "qq"
regex = '(QQ[:：\\s]*)\\d{5,11}'
replacement = "\\\\g<1>[QQ号已隐去]"
""",
        encoding="utf-8",
    )
    patterns = load_patterns(path)
    names = [p.name for p in patterns]
    assert "dorm_room" not in names
    assert names[-1] == "qq"
    assert redact("QQ：12345678 住12号楼305", patterns=patterns) == "QQ：[QQ号已隐去] 住12号楼305"
    assert redact("编号 20230123", patterns=patterns) == "编号 20230123"


def test_config_can_drop_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "redaction.toml"
    path.write_text('use_defaults = false\n[[pattern]]\nname = "x"\nregex = "秘密"\n', "utf-8")
    patterns = load_patterns(path)
    assert [p.name for p in patterns] == ["x"]
    assert redact("秘密 13812345678", patterns=patterns) == "[已隐去] 13812345678"


BAD_CONFIGS = [
    # (toml, key, reason fragment)
    ('[[pattern]]\nname = "x"\nregex = "(unclosed"\n', "pattern[0].regex", "invalid regular"),
    ('[[pattern]]\nname = "x"\nregex = "a*"\n', "pattern[0].regex", "empty string"),
    ('[[pattern]]\nname = "Bad Name"\nregex = "a"\n', "pattern[0].name", ""),
    ("colour = 1\n", "colour", "unknown key"),
    ("student_number_min_digits = 2\n", "student_number_min_digits", ""),
]


# Keys only the whole redactor reads (`xinxiang.replies.redactor`).
REDACTOR_BAD_CONFIGS = [
    ('keep = ["(unclosed"]\n', "keep", "invalid regular"),
    ('[names]\nsegmenter = "hanlp"\n', "names.segmenter", ""),
    ("allow = 3\n", "allow", ""),
    ('[confidential]\nphrases = ["(x"]\n', "confidential.phrases", "invalid regular"),
]


@pytest.mark.parametrize(
    ("toml", "key", "reason", "load"),
    [(*case, load_patterns) for case in BAD_CONFIGS]
    + [(*case, load_redactor) for case in BAD_CONFIGS + REDACTOR_BAD_CONFIGS],
)
def test_config_mistakes_name_file_key_and_reason(
    tmp_path: Path, toml: str, key: str, reason: str, load: Callable[[Path], object]
) -> None:
    path = tmp_path / "redaction.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(path)
    assert err.value.file == str(path)
    assert err.value.key == key
    assert reason in err.value.reason


def test_default_pattern_names_are_unique() -> None:
    names = [p.name for p in default_patterns()]
    assert len(names) == len(set(names))
