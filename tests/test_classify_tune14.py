"""Specification of the tuning round h-tune14 (issue #16): pool m's classes of error.

Each table is one class of error found on pool m (`heldout12/`, seen since its one measurement),
written here as made-up letters in other words than the pool's. First the missed emergency: a
last message relayed in English (love to the family, then nobody answers, "please check on
him") is self-harm now. Then the department and disposition classes: food or cables bitten by
rats are no bite; a dorm dispute the school is asked to settle and a letter to a school office by
name are no other organisation's matter; a teacher who sells the exam or a pass is 纪委's; the
writer's own money offered for a record deleted is illegal; the dorm curfew is 学生处's (h-tune11's
convention) over 门禁; an undergraduate's 毕业设计 is 教务处's; a bed too short is a repair; the
warden's care praised is 后勤's; thanks to the mailbox is the office's; English thanks for a
library room opened is the library's praise; a question how to apply closed by 谢谢老师 is a
request. Hard negatives of the same words keep their ordinary reading. The letters go through
the shipped rules and second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

# (letter, department): a last message relayed in English, the writer asking for a check now.
EMERGENCIES = [
    (
        "My roommate just sent our group chat a message: 'Please tell my dad I love him.' "
        "Since then his phone is off. He is in dorm 12, room 305. Please check on him now.",
        "xsc",
    ),
    (
        "A classmate messaged me at midnight: 'Tell my family that I love them, I am so tired.' "
        "She does not reply. Could someone go and check on her right away?",
        "xsc",
    ),
]


@pytest.mark.parametrize(("text", "dept"), EMERGENCIES)
def test_a_relayed_last_message_is_self_harm_now(text: str, dept: str) -> None:
    assert read(text)[:2] == ("E", dept)


# The same words in their ordinary sense: no alarm.
CALM = [
    "I am going home for the holidays next week and will tell my family I love the new campus.",
    "Could the dorm office please check on his visa letter? He asked me to write for him.",
    "宿舍里老鼠很多，晚上把我们的面包和衣服都咬坏了，请后勤来灭鼠。",
    "实验楼地下室的电线被咬了好几处，怀疑有老鼠，请安排检修。",
]


@pytest.mark.parametrize("text", CALM)
def test_the_same_words_raise_no_alarm(text: str) -> None:
    assert read(text)[0] == "N"


# A person bitten by a rat stays a bite (the clinic first).
def test_a_person_bitten_by_a_rat_is_still_a_bite() -> None:
    level, dept, _ = read("宿舍里有只老鼠，刚才我室友睡觉的时候手指被咬了，流了很多血，怎么办！")
    assert (level, dept) == ("E", "xyy")


# (letter, department, disposition)
ROUTES = [
    # A dorm dispute the school is asked to settle; a school office asked by name.
    (
        "我儿子在宿舍被几个舍友排挤，东西被扔出门外，希望学校出面协调，给他换个宿舍。",
        "xsc",
        "dispatch",
    ),
    (
        "家属区7号楼门口天天有人把电动车推进楼里充电，物业说管不了，请保卫处来查一查。",
        "bwc",
        "dispatch",
    ),
    # A teacher who sells the exam or a pass: a report (纪委).
    (
        "期末前老师说交两百块“复印费”就能拿到复习题，结果考试的题目跟复习题一样。"
        "我们没交钱的都吃亏了。",
        "jiwei",
        "dispatch",
    ),
    ("有老师暗示学生转一千块到他的支付宝，补考就能及格，好几个人都转了。", "jiwei", "dispatch"),
    # The writer's own money offered for a record changed: illegal.
    ("辅导员你好，我给您发两百块红包，您帮我把上个月的晚归记录消掉行吗？", "dzb", "illegal"),
    # The dorm curfew: 学生处 (h-tune11's convention), over 门禁.
    (
        "宿舍门禁时间是十点半，上完晚课再去实验室收个尾就进不了楼，还要登记，能不能推迟一点？",
        "xsc",
        "dispatch",
    ),
    # An undergraduate's graduation project and its absent supervisor: 教务处.
    (
        "我的毕设指导老师出国了，一学期只回过一封邮件，任务书没人签，下周就要答辩了。",
        "jwc",
        "dispatch",
    ),
    # A bed too short for a tall student: a repair (后勤).
    ("我一米八八，宿舍的床太短了，脚一直悬在外面，能不能换张长点的？", "hqc", "dispatch"),
    # The warden's care praised, the praise asked for at the end: 后勤.
    (
        "我感冒咳嗽那几天，松园3栋的宿管李阿姨天天给我送热水和药。请学校表扬一下她。",
        "hqc",
        "praise",
    ),
    # Thanks to the mailbox itself: the office.
    ("上次反映的路灯第二天就修了，谢谢我们的书记校长信箱，也谢谢办公室的老师。", "dzb", "praise"),
    # English thanks for a library room opened.
    (
        "Thank you for opening the library's study room on weekends. It really helped me "
        "finish my thesis.",
        "tsg",
        "praise",
    ),
    # A question how to apply, closed by 谢谢老师: a request.
    (
        "我是大二学生，家里今年遭了水灾，想问学校的临时困难补助怎么申请，需要哪些材料？谢谢老师。",
        "xsc",
        "dispatch",
    ),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), ROUTES)
def test_pool_ms_classes_route_letters(text: str, dept: str, disposition: str) -> None:
    assert read(text) == ("N", dept, disposition)


# (letter, department, disposition): the same words in their ordinary sense (None: any).
HARD_NEGATIVES = [
    # Another organisation's matter is still out of scope.
    (
        "我租的校外小区房子，房东不退押金，希望学校出面跟房东说一下。",
        "dzb",
        "out_of_scope",
    ),
    # A plain charge for materials, no exam sold.
    ("这学期实验课每人要交五十元资料费，有没有收费依据？", None, "dispatch"),
    # A door reader that rejects cards stays 保卫处's (门禁, h-tune9).
    ("宿舍楼的门禁刷卡机坏了，刷了好几次都不开门，请派人修一下。", "bwc", "dispatch"),
    # A graduate's 开题 stays 研究生处's.
    ("我是硕士二年级，导师出国了，开题报告没人签字，怎么办？", "yjsc", "dispatch"),
    # Plain thanks to the warden stays praise; a warden's curfew check is no praise.
    ("感谢宿管阿姨帮我收了快递！", None, "praise"),
    # A canteen that closes too early is no curfew.
    ("二食堂晚上七点就关门了，我们晚课下课根本吃不上饭，能不能晚点关门？", "hqc", "dispatch"),
    # A passing 毕设 in a letter about counselling stays the counselling centre's.
    (
        "想问一下心理咨询中心能不能预约周末的时间？最近毕设和找工作压力很大，想找老师聊聊。",
        "xsc",
        "dispatch",
    ),
    # A library room's rules asked about stay a request.
    ("Can the library's study room stay open after midnight during exam week?", "tsg", "dispatch"),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), HARD_NEGATIVES)
def test_the_new_words_keep_their_ordinary_reading(
    text: str, dept: str | None, disposition: str | None
) -> None:
    level, got_dept, got_disposition = read(text)
    assert level == "N"
    if disposition is not None:
        assert got_disposition == disposition
    if dept is not None:
        assert got_dept == dept
