"""Specification of the tuning round h-tune11 (issue #16): pool j's classes of error.

Each table is one class of error found on pool j (`heldout9/`, seen since its one measurement),
written here as made-up letters in other words than the pool's: staff who pocket money (labour
fees handed back, a supplier owned by a relative, a pass bought with a red envelope) are 纪委's;
graduate programmes (硕转博, 专业学位) are 研究生处's; the tripartite agreement and civil-service
exams are 招生就业处's; a false certificate asked for is an illegal request; a community clinic
is another organisation; thanks addressed to an office by name are praise. Hard negatives of the
same words must keep their ordinary reading. The letters go through the shipped rules and second
reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

FOLLOWED = [
    "A stranger has followed my roommate from the bus stop to our building and is now waiting "
    "outside the laundry room. She is hiding inside. Please send someone.",
    "一个男的从食堂一路尾随她到图书馆，现在在女厕所门口等着，她躲在厕所里不敢出来，快派保安来。",
]


@pytest.mark.parametrize("text", FOLLOWED)
def test_someone_followed_now_is_security_emergency(text: str) -> None:
    assert read(text)[:2] == ("E", "bwc")


# (letter, department, disposition)
ROUTES = [
    # Staff pocketing money: a misconduct report (纪委), whichever office the money passes.
    (
        "我们课题组的助研劳务费每个月先发到学生卡上，然后老师让我们取现金交给他，说是统一管理。",
        "jiwei",
        "dispatch",
    ),
    (
        "后勤这两年的桌椅都从一家公司买，那家公司的老板是采购科长的亲戚，价格比网上贵一半，请查一查。",
        "jiwei",
        "dispatch",
    ),
    (
        "听说班上有人给实验课老师塞了红包才给过的，我们认真做实验的反而被挂了，这公平吗？",
        "jiwei",
        "dispatch",
    ),
    # Graduate programmes.
    ("请问今年硕转博的考核什么时候报名？需要导师先推荐吗？", "yjsc", "dispatch"),
    # Employment: the tripartite agreement, civil-service exams.
    ("签了三方以后单位迟迟不给盖章，我还能不能去参加别的招聘？", "zsjy", "dispatch"),
    ("能不能请校友给毕业班讲讲国考和省考怎么准备？外面的培训班太贵了。", "zsjy", "dispatch"),
    # A false certificate asked for: an illegal request (the office).
    ("我要申请国外的学校，能不能帮我开一张假的成绩单，把挂科的那几门去掉？", "dzb", "illegal"),
    # A community clinic is another organisation's matter.
    (
        "家属区的老人去社区卫生服务中心打疫苗要排很久，能不能请学校跟他们协商一下？",
        "dzb",
        "out_of_scope",
    ),
    # Thanks addressed to an office by name.
    ("谢谢图书馆延长了考试周的开放时间！复习方便多了，希望以后一直这样。", "tsg", "praise"),
    ("感谢研究生处组织的论文写作讲座，讲得很实用，希望下学期多办几场。", "yjsc", "praise"),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), ROUTES)
def test_pool_js_classes_route_letters(text: str, dept: str, disposition: str) -> None:
    assert read(text) == ("N", dept, disposition)


# (letter, department, disposition): the same words in their ordinary sense (None: any).
HARD_NEGATIVES = [
    # Labour fees paid late to an outside expert: 财务处, nobody pockets anything.
    (
        "请校外专家讲座的劳务费报上去一个多月了还没发到专家卡上，请财务处尽快处理。",
        "cwc",
        "dispatch",
    ),
    # Followed once, long ago, now a suggestion.
    (
        "Last year a man followed her home from the night market; the police dealt with it. "
        "Could the school put more lights on that road?",
        None,
        None,
    ),
    # A sick note is no false certificate.
    ("我生病请假的证明要去哪里开？辅导员说要校医院盖章。", None, "dispatch"),
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
