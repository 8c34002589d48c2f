"""Round 15 of redaction (issue #13): the thirteenth writer's set (`heldout12`, seen since its one
measurement) as classes.

Its two false alterations, both of the rules: a two-word cue read as the start of a transliterated
name (宿管|阿姨人很好 — a word for a person is no one's name) and the label of a code tagged a name
(索书号是D922.5). Then its structural misses: an e-mail's at sign swapped for # or spoken in
Chinese with the dot spoken too (…艾特126点com), a foreign number after 00 instead of the plus,
a village's group before the house number without a county (…镇…村三队47号), a number with two
groups of letters (ST-A1022), a card's 卡号 after the card's name (校园卡（卡号…）). Then a name
after a representative (学生代表于洋也…). Every table holds made-up sentences of the shape, not
the set's own letters; look-alikes that must stay are beside them.
"""

from __future__ import annotations

import pytest

from xinxiang.replies.redactor import Redactor

# (sentence, what must not be left): the written forms, each with other values than the set's.
FOUND = [
    # E-mail: # for @ (told so in brackets), the at sign and the dot spoken in Chinese.
    ("我的邮箱是lihua_88#163.com（#换成@）。", "lihua_88"),
    ("有事发邮件到chenmo#qq.com，把#改成@。", "chenmo"),
    ("回复发到wangfang艾特qq点com就行。", "wangfang"),
    ("邮箱 liu.yang 艾特 163 点 com", "liu.yang"),
    # A foreign number after 00 instead of the plus.
    ("我的联系方式00853-6612 3408，谢谢。", "6612"),
    ("家里电话 0044 7911 123456。", "7911"),
    # A village's group before the house number, without a county.
    ("我家住保定市清苑镇西庄村二组15号。", "西庄村"),
    ("我住在定州市李亲顾镇北辛村3队8号。", "北辛村"),
    # Numbers: two groups of letters before the digits, a card's 卡号 after the card's name.
    ("保安工号BA-C2207，态度很差。", "2207"),
    ("我的饭卡（卡号D2025006）丢了。", "2025006"),
    ("校园卡，卡号X30117520，被多扣了钱。", "30117520"),
]


@pytest.mark.parametrize(("text", "part"), FOUND)
def test_the_written_form_is_hidden(shipped: Redactor, text: str, part: str) -> None:
    assert part not in shipped.redact_all([text])[0]
    assert part not in shipped.with_crf(None).redact_all([text])[0]


# Look-alikes: hashtags, prices, serial numbers, bank-card labels, course codes, villages alone.
KEPT_STRUCTURAL = [
    "这次活动的话题是#校园开放日#，欢迎参加。",
    "这门课用C#编程，作业#3下周交。",
    "流水号0012345678901不对。",
    "比分是00比3。",
    "这本书的索书号是D922.5/127，在三楼社科书库。",
    "图书的登记号是A2291，请按号取书。",
    "课程号CS2031的作业推迟了。",
    "东庄村三队今年丰收了。",
    "学校地址：北京市海淀区学院路37号，邮编100083。",
    "上网点com结尾的网站。",
]


@pytest.mark.parametrize("text", KEPT_STRUCTURAL)
def test_look_alikes_stay(shipped: Redactor, text: str) -> None:
    assert shipped.redact_all([text])[0] == text
    assert shipped.with_crf(None).redact_all([text])[0] == text


# The false alterations, as classes, kept by both settings: a word for a person after a word for
# a person, the label of a code.
KEPT = [
    "宿管阿姨人很好，就是嗓门有点大。",
    "门卫大爷人挺热心的。",
    "食堂师傅人都不错。",
    "这本书的索书号是TP311.1，在二楼。",
    "他代表学校参加比赛。",
    "我代表全班同学感谢老师。",
    # A weak cue (请) is no part of a two-word cue: 班主任请于下周一前交表。
    "各位班主任请于下周一前交表。",
]


@pytest.mark.parametrize("text", KEPT)
def test_both_settings_keep_the_class(shipped: Redactor, text: str) -> None:
    assert shipped.redact_all([text])[0] == text
    assert shipped.with_crf(None).redact_all([text])[0] == text


# Names: after a representative or a member (a surname that is mostly a word, 于), and a
# transliterated name after a two-word cue without the cue's second word.
NAMES_FOUND = [
    ("评审组的另一个学生代表于波也是她的室友。", "于波"),
    ("课代表林溪已经收齐了作业。", "林溪"),
    ("留学生阿卜杜拉说宿舍太冷。", "阿卜杜拉"),
    # A title and a nickname in quotes stay one name (not cut by the rule for 阿姨人).
    ("骗子的网名叫“学长小杰”。", "小杰"),
]


@pytest.mark.parametrize(("text", "part"), NAMES_FOUND)
def test_the_name_is_found(shipped: Redactor, text: str, part: str) -> None:
    assert part not in shipped.redact_all([text])[0]
    assert part not in shipped.with_crf(None).redact_all([text])[0]


def test_the_cue_word_is_not_hidden(shipped: Redactor) -> None:
    """学生代表于波: only the name goes, not 代表 with it."""
    out = shipped.with_crf(None).redact_all(["班里的学生代表于波也同意了。"])[0]
    assert "学生代表" in out and "于波" not in out
