"""Specification of the tuning round h-tune13 (issue #16): pool l's classes of error.

Each table is one class of error found on pool l (`heldout11/`, seen since its one measurement),
written here as made-up letters in other words than the pool's: thanks followed by a request or a
suggestion still needs handling; thanks to the whole school or to the mailbox are the office's; a
leaver's card balance, a student loan's receipt and fee or allowance standards are 财务处's; banned
appliances in a dorm are 保卫处's; a teacher's paid tutoring while on the panel is 纪委's, not an
advertisement; a supervisor's unpaid private or firm work is 研究生处's (money handed back stays
纪委's); a classroom's windows are a repair; dogs chasing or surrounding people, a cold-store door
shut on someone and a bottle at a door are emergencies now; a named infection over days is
priority. And h-tune9's convention between self-harm and someone seen in danger, in the engine's
tie-break: a bystander who sees someone outside a railing or in the water → 保卫处; the person's
own farewell or plan → 学生处. Hard negatives of the same words keep their ordinary reading. The
letters go through the shipped rules and second reader, as a real letter does.
"""

from __future__ import annotations

import pytest

from classify_helpers import read
from xinxiang.classify.lexicon import EmergencyModel, compile_emergency
from xinxiang.errors import ConfigError

# (letter, department, disposition)
ROUTES = [
    # Thanks followed by a request or a suggestion: still to be handled.
    (
        "谢谢后勤上次把澡堂的热水修好了，不过淋浴间的地漏还是没修好，能不能再派人来看看？",
        "hqc",
        "dispatch",
    ),
    ("感谢保卫处上周及时处理了车棚的事，同时建议在车棚多装几个监控。", "bwc", "dispatch"),
    # Thanks to the whole school or to the mailbox: the office.
    (
        "I am graduating next week and I want to thank the university for four wonderful "
        "years. The mailbox always replied to my questions.",
        "dzb",
        "praise",
    ),
    (
        "父亲住院那段时间，学院和学校各部门配合得非常好，我们全家都很感激，特此致谢。",
        "dzb",
        "praise",
    ),
    # A leaver's card balance, a loan's receipt, fee and allowance standards: 财务处.
    ("下个月就离校了，饭卡里还剩两百多块，要去哪里退？", "cwc", "dispatch"),
    ("我的助学贷款回执早就交上去了，系统还显示欠费，能帮忙查一下吗？", "cwc", "dispatch"),
    ("重修费按学分收，一门课好几百，这个收费依据在哪里能看到？", "cwc", "dispatch"),
    ("出差的住宿和伙食补贴标准十几年没变了，建议按现在的物价调整。", "cwc", "dispatch"),
    # Banned appliances in a dorm: a fire hazard (保卫处).
    ("我们楼有人天天在宿舍用热得快烧水，楼里已经跳闸好几回了，请来查一查。", "bwc", "dispatch"),
    # A teacher's paid tutoring while on the panel: a report (纪委), not an advertisement.
    (
        "听说学院有位老师私下有偿辅导报考本院的考生，还保证能过，而他自己就是面试组成员。",
        "jiwei",
        "dispatch",
    ),
    # A supervisor's unpaid firm work: 研究生处; labour fees handed back: 纪委.
    (
        "导师让我们几个硕士生去他朋友的装修公司画图纸，一分钱没有，跟论文也没关系，能不能管管？",
        "yjsc",
        "dispatch",
    ),
    (
        "我是博士生，导师要求我们把每月的劳务费取出来再转给他，说是组里统一用，已经一年了。",
        "jiwei",
        "dispatch",
    ),
    # A classroom's windows and narrow dorm stairs: repairs (后勤).
    ("三教的窗户合不上，冬天上课冷得写不了字。", "hqc", "dispatch"),
    ("宿舍楼道太窄，下课时挤得走不动，改造宿舍的时候能不能拓宽一些？", "hqc", "dispatch"),
]


@pytest.mark.parametrize(("text", "dept", "disposition"), ROUTES)
def test_pool_ls_classes_route_letters(text: str, dept: str, disposition: str) -> None:
    assert read(text) == ("N", dept, disposition)


# (letter, department): emergencies now.
EMERGENCIES = [
    ("冷库门被人从外面关上了，一个师傅在里面敲门出不来，管钥匙的人联系不上。", "hqc"),
    ("图书馆前面几条流浪狗围着一个小孩狂叫，孩子吓哭了，还没咬到，快来人！", "bwc"),
    ("一个喝醉的男人正拿着酒瓶砸宿舍楼的玻璃门，宿管不敢出去。", "bwc"),
    # Someone already bitten: the clinic, even while the dog is about (h-tune9's convention).
    ("图书馆门口一条大狗刚刚咬了一个同学的手，流了不少血，狗还在门口转。", "xyy"),
    ("Help, a student was attacked by a stray dog at the sports ground and was bitten.", "xyy"),
]


@pytest.mark.parametrize(("text", "dept"), EMERGENCIES)
def test_pool_ls_emergencies_are_read_now(text: str, dept: str) -> None:
    assert read(text)[:2] == ("E", dept)


# h-tune9's convention in the engine's tie-break (pool k's k-049 and k-298): someone seen in
# the water or outside a railing by someone else → 保卫处 (a rescue), even with the words of the
# act (跳下去, 跳楼); the person's own farewell or plan → 学生处.
SIGHTINGS = [
    ("操场边的水塘里有个小孩掉进水里了，正在挣扎，旁边有个大哥已经跳下去了，快来人！", "bwc"),
    ("天桥上有个女生翻过护栏站在外面，手里拿着手机在哭，路过的人在劝她。", "bwc"),
    ("有个男生坐在实验楼楼顶边缘，嘴里喊着要跳楼，下面围了好多人。", "bwc"),
    ("我现在坐在宿舍楼顶边上，想跳下去，爸妈对不起。", "xsc"),
    ("室友半小时前在群里说这些年谢谢你们，现在有同学看到她一个人站在天台边缘。", "xsc"),
]


@pytest.mark.parametrize(("text", "dept"), SIGHTINGS)
def test_a_sighting_is_a_rescue_and_a_farewell_is_self_harm(text: str, dept: str) -> None:
    assert read(text)[:2] == ("E", dept)


# (letter, department, disposition): the same words in their ordinary sense (None: any).
HARD_NEGATIVES = [
    # A student's own sanction for a banned appliance: 学生处, not a report.
    ("上学期我在宿舍用电热杯被处分了，想问处分什么时候可以撤销。", "xsc", "dispatch"),
    # The canteen's cookers: 后勤.
    ("食堂小炒窗口的电磁炉太少，中午排队很久，建议多加几个。", "hqc", "dispatch"),
    # Plain thanks stay praise.
    ("感谢宿管阿姨帮我找回了丢在洗衣房的钱包！", None, "praise"),
    # A supervisor praised for a company visit: no complaint.
    ("想表扬一下我的导师，带我们去合作的公司参观实习，收获很大，非常感谢！", None, "praise"),
    # A phone fallen into the water: no person in danger.
    ("我的手机掉进水里了，开不了机，学校附近哪里能修？", None, None),
    # An infection poster is no cluster.
    ("校医院贴的诺如病毒宣传海报上有错别字，建议改一下。", "xyy", "dispatch"),
    # Smoking in a stairwell is 保卫处's, not a repair of the stairs.
    ("宿舍楼梯间天天有人抽烟，烟味飘进寝室，希望管一管。", "bwc", "dispatch"),
    # Every department named in a suggestion is no thanks to the whole school.
    ("学校各部门的办事电话网上查不到，建议做一个办事指南。", "dzb", None),
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


def test_acts_must_be_terms_of_their_group() -> None:
    def section(acts: list[str], sighting: bool = False) -> EmergencyModel:
        group = {"name": "harm", "department": "xsc", "strong": ["跳湖"], "acts": acts}
        return EmergencyModel.model_validate(
            {"group": [group | {"sighting": sighting}]} if sighting else {"group": [group]}
        )

    lex = compile_emergency("rules.toml", section(["跳湖"]), {"xsc": "xsc"}, [])
    assert lex.groups[0].acts == frozenset({"跳湖"})
    with pytest.raises(ConfigError, match="not a term of the group"):
        compile_emergency("rules.toml", section(["跳河"]), {"xsc": "xsc"}, [])
    with pytest.raises(ConfigError, match="a sighting group has no acts"):
        compile_emergency("rules.toml", section(["跳湖"], sighting=True), {"xsc": "xsc"}, [])
