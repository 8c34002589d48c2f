"""Round 20 of redaction (issue #13): the eighteenth writer's set (`heldout17`, seen since its
one measurement) as classes.

First the clean sentences that lost words: a shop named after its owner (“李先生牛肉面”, 老王烧烤)
keeps the name, while 李先生 elsewhere is hidden; a building named after its donor (逸夫楼) keeps
the donor's name in the sentence; a "name" cut across two dictionary words (问题|众说纷纭) is no
name. Then phones: a mobile broken by a line break, a landline with its extension after 转 or
ext. Then names: 时, 秋 and 宰 before a title (时老师 where a name may open; 秋经理), the
surname 裘, the display name as the writer says they are. Every table holds made-up sentences
of the shape, not the set's own; look-alikes that must stay are beside them, and real names of
the same shape that must go.
"""

from __future__ import annotations

import pytest

from xinxiang.replies.name_display import display_name_terms
from xinxiang.replies.redactor import Redactor

# Clean sentences: nothing may be hidden, by the rules or by the tagger.
KEPT = [
    # A shop named after its owner, in quotes or with a title or 老 before the dish.
    "南门的“刘先生拉面”晚上人很多。",
    "“老赵烤串”搬到了美食街。",
    "西门口的“陈浩米线”味道一般。",
    "我家楼下的王先生饺子馆关门了。",
    "老孙烩面十块钱一碗。",
    # A building named after its donor, and the donor in the same sentence.
    "逸夫图书馆是邵逸夫先生捐建的。",
    "曾宪梓教学楼今年翻新了。",
    # A two-character cut across two words.
    "这个问题众说纷纭，没有定论。",
    # 时 after a word of time, 秋 as the season: no surname before the title.
    "到时老师会通知大家。",
    "每次开会时主任都迟到。",
    "有时老师会拖堂。",
    "秋天老师带我们去郊游。",
    # 裘 and 宰 in their words.
    "她买了一件裘皮大衣。",
    "命运由自己主宰。",
    # A province or a city alone, an address without a number, a distance without a landmark.
    "我们去河南省参加了比赛。",
    "学校地址在新乡市华兰大道东段。",
    "这个地址是错的。",
    "我们在红绿灯往北走了一会儿。",
]


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_stay(shipped: Redactor, text: str) -> None:
    assert shipped.redact_all([text])[0] == text
    assert shipped.with_crf(None).redact_all([text])[0] == text


# Names of the same shape that are people and must go.
FOUND = [
    ("李先生，您的快递到了，请到门口取。", "李"),
    ("我的室友王建国楼下住着张伟。", "王建国"),
    ("这个问题李明说了算。", "李明"),
    ("老王说烧烤摊明天不开了。", "老王"),
    ("院长龙腾出差了，签不了字。", "龙腾"),
    # 时 and 秋 before a title where a name opens; 秋 after 的.
    ("我和时老师说过这件事。", "时"),
    ("时老师人很好。", "时"),
    ("物业的秋经理一直不回电话。", "秋"),
    # 裘 a surname; 宰 before a title.
    ("同宿舍的裘思远把门锁了。", "裘思远"),
    ("食堂的宰会计不给报销。", "宰"),
    # A mobile broken by a line break under a signature; a landline and its extension.
    ("请回复。\n王小川\n137\n2210 6648", "2210"),
    ("请回复。\n刘一鸣\n186 3321\n7790", "7790"),
    ("办公室电话：(0371) 6655-1203 转 36", "36"),
    ("Call me at 0371-6655 1203 ext. 215.", "215"),
    # A province, its prefecture and county; what follows 地址 up to a number; a landmark and a
    # distance from it.
    ("我老家是河北省邢台市威县贺营镇，离这里很远。", "威县"),
    ("我来自西藏自治区日喀则市定日县。", "定日县"),
    ("我的店地址：卫辉市太公路幸福小区门面房8号。", "门面房8号"),
    ("我的车棚就在南门外天桥往东30米处。", "30米"),
]


@pytest.mark.parametrize(("text", "part"), FOUND)
def test_it_is_hidden(shipped: Redactor, text: str, part: str) -> None:
    assert part not in shipped.redact_all([text])[0]
    assert part not in shipped.with_crf(None).redact_all([text])[0]


# The display name as the writer says they are: signed with it and called by its end (一只小熊 …
# 我是小熊), with 的 inside it (我是天上的云), a nickname and 哥 after it (小牛哥 … 我是小牛).
DISPLAY = [
    ("一只小熊", "我是小熊，想反映宿舍的事。\n一只小熊", "小熊"),
    ("天上的云", "老师好，我是天上的云，想问奖学金的事。", "天上的云"),
    ("小牛哥", "您好，我是小牛，机械学院的。", "小牛"),
]


@pytest.mark.parametrize(("display", "body", "part"), DISPLAY)
def test_the_display_name_said_is_hidden(
    shipped: Redactor, display: str, body: str, part: str
) -> None:
    known = display_name_terms(display, body)
    assert part in known
    assert part not in shipped.redact_all([body], known)[0]


def test_a_role_said_is_no_display_name() -> None:
    """我是班长 names a role: the display name 班长 hides nothing."""
    assert display_name_terms("班长", "我是班长，想反映一下。") == ()


@pytest.mark.parametrize(
    ("display", "body"),
    [
        ("一名青年教师", "我是去年入职的青年教师，想反映公寓的事。\n一名青年教师"),
        ("豆豆妈妈", "您好，我是豆豆的妈妈，想问问幼儿园的事。\n豆豆妈妈"),
    ],
)
def test_a_role_or_kin_said_with_a_signed_display_name_stays(display: str, body: str) -> None:
    """Signed with the display name and saying one is 青年教师 or 妈妈: only the display goes."""
    assert display_name_terms(display, body) == (display,)


def test_a_lone_surname_under_a_role_signs_when_named_before_a_title(shipped: Redactor) -> None:
    """保安 李 on the last line goes when the letter named the writer 李师傅; alone it stays."""
    named = "我是东门的保安李师傅，夜里路灯不亮。\n保安 李"
    assert not shipped.redact_all([named])[0].endswith("李")
    alone = "夜里路灯不亮，请修一修。\n保安 李"
    assert shipped.redact_all([alone])[0].endswith("李")
