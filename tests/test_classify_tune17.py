"""Specification of the tuning round h-tune17 (issue #16): pool p's department classes.

Each table is one class of error found on pool p (`heldout15/`, seen since its one measurement),
written here as made-up letters in other words than the pool's. Pool p's misrouted letters:
thanks to the whole school, to every teacher or everyone in it at once (a parent, an exchange
student, a graduate, in English too) is 党政办公室's praise, not the canteen's or the warden's;
a matter that offices pass on to each other while the writer asks who handles it is the office's
to triage; a scald from boiling water with the skin blistering is the clinic's emergency; pills
made ready, in a note a teacher relays, is 学生处's. Hard negatives: a scald long healed with a
sign asked for, thanks to one office by name, a complaint that ends in thanks, offices passing a
fee on while the writer asks for its standard, one office that names another and the writer asks
that one. The letters go through the shipped rules and second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

# (letter, department): emergencies now.
EMERGENCIES = [
    (
        "食堂打汤的窗口，一个同学端汤的时候被后面的人挤了一下，被开水烫到了脖子和手背，已经红了起泡，"
        "疼得直哭，请校医院马上来人！",
        "xyy",
    ),
    # Pills made ready, written in homework and relayed by a teacher who cannot reach anyone.
    (
        "我是任课老师，今天收上来的实验报告里，一个男生在最后一页写着：我把药都准备好了，考完最后一门就不用再撑了。"
        "他的辅导员电话打不通，请学生处马上找到他。",
        "xsc",
    ),
]


@pytest.mark.parametrize(("text", "dept"), EMERGENCIES)
def test_pool_ps_emergencies_are_read(text: str, dept: str) -> None:
    level, got_dept, _ = read(text)
    assert (level, got_dept) == ("E", dept)


# (letter, department, disposition): routes pool p got wrong.
ROUTES = [
    # A parent thanks every teacher of the school at once.
    (
        "孩子上大学半年了，我们做父母的一直放心不下。这学期班主任、宿管和食堂的师傅都照顾得很细心，"
        "谢谢学校全体老师！",
        "dzb",
        "praise",
    ),
    # A graduate in English thanks everyone at the university.
    (
        "I finish my master's degree next week. Thank you to everyone at this university, the "
        "professors, the cleaners and the guards at the gate. I will miss this place.",
        "dzb",
        "praise",
    ),
    # An exchange student thanks the whole university.
    (
        "Dear Secretary, I came from Brazil for one year. The canteen, the library and the "
        "international office were all so helpful. Thank you to the whole university!",
        "dzb",
        "praise",
    ),
    # A foreign student in simple Chinese: thanks to the school, "I love it here".
    (
        "我是从泰国来的学生，汉语说得不好。这里的老师和同学对我都很好，常常帮我。谢谢学校，我很喜欢这里！",
        "dzb",
        "praise",
    ),
    # Offices pass the matter on, each naming another.
    (
        "体育馆门口的旧桌椅已经堆了一个多月。问了体育部说是资产处的，资产处说是后勤的，后勤又说不归他们。"
        "这些东西到底谁来搬走？",
        None,
        "triage",
    ),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), ROUTES)
def test_pool_ps_classes_route_letters(text: str, dept: str | None, disposition: str) -> None:
    level, got_dept, got_disposition = read(text)
    assert (level, got_disposition) == ("N", disposition)
    if dept is not None:
        assert got_dept == dept


# (letter, department, disposition): the same words in their ordinary sense (None: any).
HARD_NEGATIVES = [
    # A scald long healed; a warning sign asked for.
    (
        "去年我在宿舍楼的热水器那里被开水烫伤过手，早就好了。那个出水口没有任何提示，建议贴个防烫标识。",
        None,
        None,
    ),
    # Thanks to one office by name.
    (
        "上周我的饭卡丢了，后勤饮食中心的老师帮我当天就补办好了，卡里的钱一分没少，谢谢后勤的老师们！",
        "hqc",
        "praise",
    ),
    # A complaint about the canteen that ends in thanks to the school.
    (
        "三食堂的米饭这两周总是夹生的，跟窗口说了好几次也没改，能不能让后勤管一管？谢谢学校。",
        "hqc",
        "dispatch",
    ),
    # Offices pass a fee on to each other, the writer asks what the standard is.
    (
        "这学期的实验耗材费比去年多收了一倍。问学院，学院说是财务处定的；问财务处，财务处说是设备处报的数。"
        "收费依据是什么，能不能公示一下？",
        None,
        "dispatch",
    ),
    # One office says the matter is another's; the writer asks that one.
    (
        "宿舍楼下的路灯坏了一个月，宿管说是后勤的事，请后勤处尽快派人来修一下路灯。",
        "hqc",
        "dispatch",
    ),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), HARD_NEGATIVES)
def test_the_same_words_keep_their_ordinary_reading(
    text: str, dept: str | None, disposition: str | None
) -> None:
    level, got_dept, got_disposition = read(text)
    assert level == "N"
    if disposition is not None:
        assert got_disposition == disposition
    if dept is not None:
        assert got_dept == dept
