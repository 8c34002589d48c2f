"""Specification of the tuning round h-tune10 (issue #16): pool i's classes of error.

Each table is one class of error found on pool i (`heldout8/`, seen since its one measurement),
written here as made-up letters in other words than the pool's: a stranger trying the doors of a
corridor (in English too), a blow to the chest told by its signs (breathing hurts, very pale), and
fresh cuts on a wrist seen by someone else with "the last time"; then the department classes
and the conventions of `tests/data/eval/README.md` decided in this round. Hard negatives of the
same classes must not alarm. The letters go through the shipped rules and second reader, as a
real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

INTRUDERS = [
    "A man nobody knows is walking down our corridor trying the door handles one by one. "
    "He got into room 512, which was open. I'm hiding in my room. Building 9, 5th floor.",
    "Someone is trying doors in the women's dorm, block C, 2nd floor, right now. "
    "I locked myself in the bathroom.",
    "有个不认识的男的在我们楼道里挨个推门，推开没锁的门进去又出来，我把门反锁了，在8号楼三层。",
    "研究生公寓四楼，一个陌生男子一间一间推门，隔壁没锁被他进去了，室友都不在，我躲在屋里不敢出声。",
]


@pytest.mark.parametrize("text", INTRUDERS)
def test_a_stranger_trying_the_doors_is_security_emergency(text: str) -> None:
    assert read(text)[:2] == ("E", "bwc")


CHEST_BLOWS = [
    "In the fitness room a student had the barbell on his chest and couldn't push it up. "
    "We got it off, but now it hurts to breathe and he looks grey. Please send someone.",
    "Rugby practice: my teammate took a knee to the ribs, he says it hurts when he breathes "
    "and he is very pale and sweating. We are at the south field.",
    "健身房里一个同学卧推的时候杠铃砸到胸口上了，我们抬开以后他一呼吸就疼，脸色煞白，在体育馆二楼。",
    "我室友篮球赛被人撞了胸口，现在说吸气就疼，嘴唇发白，坐着都直不起腰，我们在东区球场。",
]


@pytest.mark.parametrize("text", CHEST_BLOWS)
def test_a_blow_to_the_chest_told_by_its_signs_is_the_clinics_emergency(text: str) -> None:
    assert read(text)[:2] == ("E", "xyy")


CUTS_SEEN = [
    "树洞账号的后台收到一条投稿，附了一张手腕上全是口子的照片，写着“这是最后一次了”，请学校尽快找到这个人。",
    "同学群里有人匿名发了一张胳膊上划了很多新的口子的图，说今晚是最后一次，群里没人知道是谁。",
    "A post in our class forum shows fresh cuts on a wrist and says 'tonight is the last time'. "
    "It was posted from a student email account. Please find out who it is.",
]


@pytest.mark.parametrize("text", CUTS_SEEN)
def test_fresh_cuts_seen_by_someone_else_are_self_harm(text: str) -> None:
    assert read(text)[:2] == ("E", "xsc")


NOT_ALARMS = [
    # Doors checked by the dorm staff, announced.
    "宿管阿姨每周三晚上挨个敲门查寝，能不能改到九点以前？十一点太晚了，影响休息。",
    "Our RA goes door to door every Sunday to collect the laundry"
    " forms. Could it be in the afternoon?",
    # A barbell and the gym, nobody hurt.
    "健身房的杠铃片乱放，杠铃杆也不归位，希望管理员加强管理。",
    "The bench press in the gym has no safety bars. Someone could drop the barbell on his chest; "
    "please install spotter arms.",
    # "The last time" in a complaint.
    "这是最后一次了，如果下周热水器还不修，我就去找学院领导反映。",
    # A cut at work, old, treated.
    "上个月我在食堂帮厨时手臂上划了一道小口子，已经好了，想问问能不能报销当时的药费。",
    # Pale from studying.
    "考试周天天熬夜，室友脸色煞白，希望图书馆能延长开放时间，大家不用在宿舍熬。",
]


@pytest.mark.parametrize("text", NOT_ALARMS)
def test_the_new_words_raise_no_alarm_in_ordinary_letters(text: str) -> None:
    assert read(text)[0] == "N"


# (letter, department) of the emergencies whose department pool i found wrong.
EMERGENCY_DEPARTMENTS = [
    # A goodbye that hands over a password, told of someone else: self-harm, not a missing person.
    (
        "My roommate messaged me saying goodbye and that his phone password is 1204, please give "
        "his laptop to his brother. He is not answering. Building 5, room 220.",
        "xsc",
    ),
    # A fall without blood, the leg turned out, cannot get up: the clinic, not the gate's guards.
    ("宿舍楼门口宿管大爷摔了一跤起不来，没出血，可是腿往外撇着，一碰就疼得叫。", "xyy"),
    # A chemical on a person, the spill over: the injured first.
    ("实验室里有个同学加热时烧瓶裂了，浓硫酸溅到她脸上，已经用水冲了，脸上起泡，一直喊疼。", "xyy"),
    # A rampage breaking windows, people cut by glass: violence, not a falling window.
    ("教学楼一楼大厅有人拿椅子砸窗户，玻璃碎了一地，还冲着大家喊都别动，有两个同学被划伤。", "bwc"),
]


@pytest.mark.parametrize(("text", "dept"), EMERGENCY_DEPARTMENTS)
def test_pool_is_emergency_classes_go_to_the_right_department(text: str, dept: str) -> None:
    assert read(text)[:2] == ("E", dept)


# (letter, department, disposition) of pool i's department classes and this round's conventions.
DEPARTMENTS = [
    # A contractor's gifts to managers: a misconduct report, 纪委, not the canteen.
    (
        "听说每年中秋宿舍保洁公司都给后勤的两个科长送购物卡和烟酒，所以保洁差也没人管，请纪委查一查。",
        "jiwei",
        "dispatch",
    ),
    # A failed mark turned into a pass, a failed course deleted: an illegal request.
    ("我高数差一分挂了，能不能请领导跟老师说说改成及格？家里可以表示感谢。", "dzb", "illegal"),
    ("能不能帮我把大一的挂科记录删掉？我马上要出国申请，成绩单不好看。", "dzb", "illegal"),
    # A credit course that teaches fire safety is a course (教务处).
    (
        "大一必修的消防安全课全是看视频，建议改成线下演练，让大家真的摸一摸灭火器。",
        "jwc",
        "dispatch",
    ),
    # The exam timetable, with a joking "想死的心都有了".
    ("期末周七天考八门，复习到想死的心都有了，能不能把考试周排得松一点？", "jwc", "dispatch"),
    # Graduates moving out of the dorms: dorm management (学生处).
    ("今年要求毕业生6月15日前搬离宿舍，可我们答辩在6月20日，能否延期离校？", "xsc", "dispatch"),
    # A cold study room at night: the heating (后勤).
    (
        "通宵自习室半夜暖气就停了，屋里只有十度左右，大家裹着被子学习，能不能整夜供暖？",
        "hqc",
        "dispatch",
    ),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), DEPARTMENTS)
def test_pool_is_department_classes_route_letters(text: str, dept: str, disposition: str) -> None:
    level, got_dept, got_disposition = read(text)
    assert (level, got_dept, got_disposition) == ("N", dept, disposition)


HYPOTHETICAL_FIRES = [
    "我一直在想，如果真着火了，我们这栋楼只有一个楼梯，四楼的人怎么逃？请保卫处评估一下。",
]


@pytest.mark.parametrize("text", HYPOTHETICAL_FIRES)
def test_a_fire_imagined_is_no_alarm(text: str) -> None:
    assert read(text)[0] == "N"
