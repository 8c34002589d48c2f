"""Specification of the tuning round h-tune12 (issue #16): pool k's classes of error.

Each table is one class of error found on pool k (`heldout10/`, seen since its one measurement),
written here as made-up letters in other words than the pool's: a judge or an examiner who did
not recuse, a note of names handed to a panel and a teacher's "revision sheet" that was the exam
are 纪委's; 原单位 is no advertising; an error page now (502) is 网络信息中心's; vacating an office
is 资产管理处's; a foreign teacher's work permit is 人事处's; who lives where is 学生处's; a fire
detector that did not sound is 保卫处's; praise for the mailbox is the office's; a mobile
operator is another organisation; a plan with a day and the means is self-harm. Hard negatives
of the same words must keep their ordinary reading. The letters go through the shipped rules and
second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read

# (letter, department, disposition)
ROUTES = [
    # Recusal, notes to a panel, a leaked exam: misconduct reports (纪委).
    (
        "今年学院奖学金评审，评审组里一位老师的女儿也申请了，这位老师全程参与打分，并没有回避。",
        "jiwei",
        "dispatch",
    ),
    (
        "博士招聘面试前，有位领导递了个条子给面试组，说上面几个人要关照一下，结果全进了。",
        "jiwei",
        "dispatch",
    ),
    (
        "我们班的《线性代数》老师考前一天把考试题目发给了他带的一个班，别的班都不知道。",
        "jiwei",
        "dispatch",
    ),
    # 原单位 is a former employer, never knock-off goods.
    (
        "我退休多年，想办图书馆的借书证，工作人员说要原单位出证明，可原单位早撤销了，怎么办？",
        "tsg",
        "dispatch",
    ),
    # A system down now: an error page, nobody can log in.
    (
        "研究生管理系统打开就是502，全校都登不进去，明天就要交开题材料了，请赶紧恢复。",
        "wlzx",
        "dispatch",
    ),
    # Vacating an office: 公房 (资产管理处).
    ("学院让我们月底前腾退办公室，仪器和资料太多，学校有没有临时存放的地方？", "zcc", "dispatch"),
    # A foreign teacher's work permit: 人事处.
    (
        "I am a foreign teacher here and my work permit runs out next month. Who renews it?",
        "rsc",
        "dispatch",
    ),
    # Who lives where: dorm management (学生处).
    ("新生宿舍分配把我们专业拆到三个校区，上课很不方便，能不能重新分宿舍？", "xsc", "dispatch"),
    # Fire detectors that did not sound: fire equipment (保卫处).
    (
        "昨天食堂后厨冒烟，整层楼的烟感一个都没响，这些报警器是不是早就失灵了？请检查。",
        "bwc",
        "dispatch",
    ),
    # Praise for the mailbox itself: the office.
    ("给书记校长信箱点赞！反映的路灯问题一周就解决了，感谢！", "dzb", "praise"),
    # A mobile operator's package: another organisation.
    (
        "校门口中国移动营业厅给我开了一个我没选的套餐，每月多扣八十块，学校能帮我去说说吗？",
        "dzb",
        "out_of_scope",
    ),
    # Thanks with "please keep ...": praise.
    (
        "The Youth League volunteer trip to the mountains was the best experience I had this "
        "year. Thank you, and please keep inviting exchange students!",
        "tw",
        "praise",
    ),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), ROUTES)
def test_pool_ks_classes_route_letters(text: str, dept: str, disposition: str) -> None:
    assert read(text) == ("N", dept, disposition)


SELF_HARM_PLANS = [
    "室友在日记里写：不会有一年后了，绳子准备好了，就等周末宿舍没人。我很害怕，请学生处马上找她。",
    "师兄刚才在群里发了句“这些年谢谢你们”就退群了，电话打不通，他说过想从天台跳下去。",
]


@pytest.mark.parametrize("text", SELF_HARM_PLANS)
def test_a_plan_or_a_farewell_is_a_self_harm_emergency(text: str) -> None:
    assert read(text)[:2] == ("E", "xsc")


# (letter, department, disposition): the same words in their ordinary sense (None: any).
HARD_NEGATIVES = [
    # A leader who does not avoid problems is praise, not a failure to recuse.
    ("新来的处长开会从不回避问题，有事当场拍板，感谢学校选了个好干部。", None, None),
    # A smoke detector chirping for its battery: a repair.
    ("宿舍的烟感一直滴滴响，宿管说是电池没电了，能不能派人来换电池？", None, "dispatch"),
    # An exam's question types announced before the exam: ordinary teaching.
    ("老师考前发了复习提纲，说明了题型，大家都觉得很有帮助。", None, None),
    # Delivery bikes rushing about: a traffic matter, not an intruder.
    ("外卖电动车在宿舍区横冲直撞，昨天又差点撞到人，建议划定取餐点。", "bwc", "dispatch"),
    # A gas smell checked and the valve tightened: resolved.
    (
        "前天闻到的燃气味后勤已经查过了，说是阀门松了，已经拧紧了，现在确实没有味道了，谢谢。",
        None,
        None,
    ),
    # A Chinese student's request closed by 谢谢老师 stays a request.
    (
        "Dear teacher, could you please check when the make-up exam for Calculus is? 谢谢老师。",
        None,
        "dispatch",
    ),
    # A room 502 is no error page.
    ("502宿舍的空调不制冷了，报修好几天没人来。", "hqc", "dispatch"),
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
