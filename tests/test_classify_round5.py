"""Specification of the fifth tuning round's classes (h-tune6, issue #16).

Each table is one class of error found on the seen evaluation pools, written here as made-up
letters in other words than the pools': what must be an emergency (and whose), what must not
raise an alarm, and which office a matter belongs to (config/departments.toml, seeds 001/004).
The letters go through the shipped rules and second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read  # type: ignore[import-not-found]
from xinxiang.classify.normalize import normalize

# ── emergencies: farewells, threats to take others along, relapses, 著, fraud in progress ──

EMERGENCIES = [
    # A farewell in English, even without the word "suicide", is self-harm: 学生处's.
    (
        "My classmate texted me an hour ago: \"I'm sorry for everything. Tell my mom I love "
        'her." She does not pick up and her door is shut. Please send someone.',
        "xsc",
    ),
    (
        "I am writing to say I won't be a burden anymore. Please tell my parents I love them.",
        "xsc",
    ),
    # The thanks inside a farewell note do not make the letter praise.
    (
        "我是辅导员。一名学生在周记里写：“谢谢老师一直以来的关心，以后不会再麻烦您了，"
        "遗书我放在抽屉里。”现在联系不上他，请学生处马上处理。",
        "xsc",
    ),
    # Handing over one's affairs with a goodbye.
    (
        "室友凌晨给我留言：“我的书和电脑麻烦你以后交给我弟弟，我先走了。”之后再打电话就没人接，"
        "我们正在找他。",
        "xsc",
    ),
    # Cutting deeper is self-harm, not an injury for the clinic.
    (
        "一个同学刚在朋友圈发了手臂上的伤口，写着“下次要割得更深”，现在不回消息，他住9栋。",
        "xsc",
    ),
    # A threat to take a building along, with a deadline, said to be meant: 保卫处's.
    (
        "如果月底之前还不恢复我的学籍，我就让整栋行政楼给我陪葬，说到做到。",
        "bwc",
    ),
    # A repair someone claimed is not a resolution when the smoke is back. An appliance that
    # smokes is the electrics' (后勤 cuts the power): h-tune18's convention, was bwc.
    (
        "宿舍热水器上午师傅说是修好了，刚才一打开又冒烟，还有焦糊味，我们已经断了电。",
        "hqc",
    ),
    # The aspect particle 著 of Taiwan and Hong Kong writers reads as 着.
    ("宿舍走廊堆的紙箱冒著黑煙，已經燒著了，請快派人。", "bwc"),
    ("實驗樓的電梯門開著，裡面看不到轎廂，旁邊也沒有人看著。", "hqc"),
    # Swindlers still going door to door while students pay.
    (
        "现在有几个人在9栋挨个宿舍敲门收“考证报名费”，已经有同学扫码转账了，他们还在楼里。",
        "bwc",
    ),
]


# English letters the model reads poorly: intent, farewells, and an intruder present now.
EMERGENCIES += [
    (
        "My flatmate has been in his room all weekend. He told me he wants to disappear and "
        "that nobody will miss him. Please send someone to building 6.",
        "xsc",
    ),
    (
        "My friend handed me her bank card and keys and said she will not need them anymore. "
        "She is not picking up now.",
        "xsc",
    ),
    ("Right now a man is exposing himself to students outside the gym. Please come.", "bwc"),
    ("A stranger kicked the door of our room and keeps shouting outside. We are scared.", "bwc"),
    # Settling one's debts and giving one's things away, with a reason that they are not needed.
    (
        "我室友这两天把耳机和平板都送人了，欠大家的钱也还了，说是以后用不到了，现在人不在宿舍。",
        "xsc",
    ),
]


@pytest.mark.parametrize(("text", "dept"), EMERGENCIES)
def test_each_kind_of_emergency_is_classified_and_goes_to_its_department(
    text: str, dept: str
) -> None:
    level, code, disposition = read(text)
    assert (level, code, disposition) == ("E", dept, "dispatch")


CALM = [
    # A supply that is not there (没通燃气) or a danger that has stopped (已经不冒烟了).
    "我们楼根本没通燃气，卫生间那股味是下水道返上来的，麻烦来换个防臭地漏。",
    "上个月宿舍插座冒过火花，现在已经不冒烟了，只是一直没人来换新的，充电很不方便。",
    # A blocked toilet overflowing is basic living (24 h), not a flood.
    "宿舍厕所的马桶堵了，水漫到了门口，臭得没法待，请尽快来疏通。",
]


@pytest.mark.parametrize("text", CALM)
def test_negated_stopped_and_blocked_drain_letters_raise_no_alarm(text: str) -> None:
    assert read(text)[0] == "N"


def test_a_named_common_contagion_is_not_an_emergency() -> None:
    # 水痘 spreading in a dorm is priority (24 h): the office may still be asked to look.
    level, code, _ = read("我们宿舍楼这周有好几个人出了水痘，还有几个同学发烧，希望校医院来看看。")
    assert (level in "NS", code) == (True, "xyy")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("電梯門開著", "电梯门开着"),
        ("冒著煙", "冒着烟"),
        ("著名的教授", "著名的教授"),  # 著 meaning "notable" stays
        ("顯著的變化", "显著的变化"),
        ("這本名著", "这本名著"),
    ],
)
def test_the_aspect_particle_zhu_reads_as_zhe(text: str, expected: str) -> None:
    assert normalize(text) == expected
    assert len(normalize(text)) == len(text)


# ── whose matter it is (config/departments.toml; seed 001: reports of staff go to 纪委) ──

DEPARTMENTS = [
    # Staff who borrow from students, or guards who take money, are a report for 纪委.
    ("jiwei", "我们班主任这学期找好几个同学借钱买房，说下个月还，到现在一分没还，大家都不敢要。"),
    ("jiwei", "值班的门卫收了家长的钱才帮忙把行李送上楼，不给钱就不管，请纪委查一查。"),
    # 违规电器 is a dorm rule about appliances, not misconduct of the 宿管.
    (
        "hqc",
        "宿管说吹风机是违规电器要没收，可是宿舍插座功率到底限制多少从来没公布，能不能贴个标准？",
    ),
    # A family asking before the gaokao application: admissions.
    (
        "zsjy",
        "孩子明年参加高考，想报考贵校的师范专业，请问招生章程什么时候公布，有没有单科成绩要求？",
    ),
    # Mental-health lectures are 学生处's for graduate students too.
    ("xsc", "研究生的心理讲座能不能多办几场？我们课题组压力都很大，想听听怎么做情绪管理。"),
    # English names of the offices.
    (
        "cwc",
        "My research assistant payment for three months has not arrived. The college said it is "
        "the finance office's job to pay it. Could someone check?",
    ),
    # A certificate the school issues for another body's procedure is the school's matter.
    (
        "jwc",
        "Dear Academic Affairs Office, the immigration office asks me for a certificate of "
        "enrolment in English for my visa extension. Where can I get an official certificate?",
    ),
]


# Praise of the dorm staff who looked after a sick student is 后勤's (the 宿管 are its staff),
# and a leaked exam or a teacher forcing his own book on the class is a report for 纪委.
DEPARTMENTS += [
    (
        "jiwei",
        "期末考试前一天，专业课的题目就在年级群里传开了，和试卷一模一样，怀疑有老师泄题，请查一查。",
    ),
    ("jiwei", "有位老师要求我们全班必须买他写的习题册，一本九十块，不买就扣平时分。"),
]


@pytest.mark.parametrize(("dept", "text"), DEPARTMENTS)
def test_each_matter_goes_to_its_office(dept: str, text: str) -> None:
    level, code, disposition = read(text)
    assert (code, disposition, level) == (dept, "dispatch", "N")


def test_praise_of_the_dorm_staff_who_nursed_a_student_goes_to_logistics() -> None:
    text = "想表扬5号楼的楼管阿姨，我半夜肚子疼，她给我倒热水、找药，还陪我到天亮，特别暖心。"
    assert read(text) == ("N", "hqc", "praise")
