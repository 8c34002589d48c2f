"""Round 17 of redaction (issue #13): the fifteenth writer's set (`heldout14`, seen since its one
measurement) as classes.

Its dorm misses, by written form: a letter and dash before the room after a building
(西区6栋B-415) or after a residence written in Chinese (留学生楼B-216), an English room straight
after a Chinese residence (留学生公寓Room 227, 外专楼Room 304, 1号楼Room 1012), a flat's unit
(博士后公寓2单元301), building-unit-room with dashes (2-6-615), a room one says one is of
(我是312室的) and 宿舍是312室 with its 室. Every table holds made-up sentences of the shape, not the
set's own letters; look-alikes that must stay are beside them.
"""

from __future__ import annotations

import pytest

from xinxiang.replies.redactor import Redactor

# (sentence, what must not be left): each with other values than the set's.
FOUND = [
    ("我女儿住在东区9栋C-318，最近总停电。", "318"),
    ("我住北区3号楼A-207。", "207"),
    ("我住研究生楼D-509，网络很差。", "509"),
    ("I live in 留学生公寓Room 331 and the heater is broken.", "331"),
    ("我的房间专家楼Room 415 没有热水。", "415"),
    ("我住留学生公寓3号楼Room 1108。", "1108"),
    ("我住在青年教师公寓3单元402，楼道灯坏了。", "402"),
    ("晚归登记写着“3-5-412 凌晨2点回”。", "412"),
    ("您好，我是417室的，楼里的热水停了。", "417"),
    ("孩子住在男生7号楼，宿舍是205室。", "205"),
    ("我住在C-512，空调漏水。", "512"),
]


@pytest.mark.parametrize(("text", "part"), FOUND)
def test_the_dorm_room_is_hidden(shipped: Redactor, text: str, part: str) -> None:
    assert part not in shipped.redact_all([text])[0]
    assert part not in shipped.with_crf(None).redact_all([text])[0]


# Hard negatives: teaching and office buildings, classrooms, course codes, dates, amounts,
# scores, a count of rooms.
KEPT = [
    "期末考试在教学楼B-305进行。",
    "补考在教三楼Room 201。",
    "办公楼A-402是教务处。",
    "实验楼B-210的仪器坏了。",
    "The seminar is in 综合楼Room 108.",
    "课程编号是CS-101，在周三上课。",
    "第3-5-201页的表格有错。",
    "会议在312室召开。",
    "我是2024级的学生。",
    "我是300元买的。",
    "这次考试我是120分。",
    "学校公寓一共有2单元。",
    "日期是2026-12-07。",
    "快递柜的取件码是4-3-2207，明天过期。",
    "驿站取件码：5-1-3302。",
]


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_stay(shipped: Redactor, text: str) -> None:
    assert shipped.redact_all([text])[0] == text
    assert shipped.with_crf(None).redact_all([text])[0] == text


# Phones: full-width brackets round the first three, slashes between groups, a dash before a
# line break. Dates and fractions with slashes stay.
PHONES = [
    ("联系我们：（139）4471-2085。", "2085"),
    ("我的新号码158/2319/4406。", "4406"),
    ("联系我：186-4420-\n3197（号码太长，换行了）。", "3197"),
    ("联系我们：（135）\n2207-6614。", "6614"),
]


@pytest.mark.parametrize(("text", "part"), PHONES)
def test_the_phone_is_hidden(shipped: Redactor, text: str, part: str) -> None:
    assert part not in shipped.redact_all([text])[0]
    assert part not in shipped.with_crf(None).redact_all([text])[0]


KEPT_NUMBERS = [
    "通知发布于2026/12/07。",
    "及格率是150/1200。",
    "第（152）号文件已经下发。",
    "见附件（152）\n2026年的通知。",
]


@pytest.mark.parametrize("text", KEPT_NUMBERS)
def test_numbers_stay(shipped: Redactor, text: str) -> None:
    assert shipped.redact_all([text])[0] == text
    assert shipped.with_crf(None).redact_all([text])[0] == text


# Roman full names after a coach, an alumnus or a company's people; English words after them stay.
ROMAN = [
    ("我是学校外聘的篮球教练Luca Romano，西班牙人。", "Romano"),
    ("那家公司的HR Emily Chen又把简历转给了别人。", "Emily"),
    ("我是2019届校友Daniel Weber，现在在德国。", "Weber"),
]


@pytest.mark.parametrize(("text", "part"), ROMAN)
def test_the_roman_name_is_hidden(shipped: Redactor, text: str, part: str) -> None:
    assert part not in shipped.redact_all([text])[0]
    assert part not in shipped.with_crf(None).redact_all([text])[0]


KEPT_ROMAN = [
    "公司的HR Department没有回复。",
    "健身房的教练Team安排不合理。",
]


@pytest.mark.parametrize("text", KEPT_ROMAN)
def test_roman_words_stay(shipped: Redactor, text: str) -> None:
    assert shipped.redact_all([text])[0] == text
    assert shipped.with_crf(None).redact_all([text])[0] == text
