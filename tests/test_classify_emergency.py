"""Specification of the emergency reading (紧急 / 疑似紧急): danger terms read in context.

Recall first (seeds 001 三级响应, 004 第六条(一)): a present danger is an emergency whatever else
the letter is; context — negation, resolution, the past, praise, suggestions — keeps old stories
and thank-you letters from waking a department; a threat or self-harm is never ruled out.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinxiang.classify.engine import Classification, classify
from xinxiang.classify.rules import URGENCY_RANK, RuleSet, compile_rules, load_rules_for
from xinxiang.config import DepartmentsFile, load_config, load_model
from xinxiang.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
RULES: RuleSet = load_rules_for(load_config(REPO / "config"))
DEPARTMENTS = load_model(REPO / "config" / "departments.toml", DepartmentsFile).departments

E, S, N = "emergency", "suspected_emergency", "normal-or-priority"


def decide(text: str, subject: str = "") -> Classification:
    return classify(subject, text, (), RULES)


def level(c: Classification) -> str:
    return c.urgency if c.urgency in (E, S) else N


# ── objects × signals: either alone is not enough, together they are ──────────────────────

PAIRS = {
    "gas": (["煤气", "燃气", "天然气", "臭鸡蛋"], ["味很重", "泄漏了", "闻着头晕"], "后勤管理处"),
    "electric": (["插座", "电线", "配电箱"], ["在冒火花", "泡在水里", "裸露在外面"], "后勤管理处"),
    "fire": (["烟感", "报警器"], ["响个不停", "一直叫"], "保卫处"),
    "lift": (["电梯"], ["卡在两层中间", "里面困了人"], "后勤管理处"),
    "lab": (["浓硫酸", "试剂"], ["洒了一地", "打翻了"], "保卫处"),
    "medical": (["好几个人", "全班同学"], ["上吐下泻", "一直呕吐"], "校医院"),
}


@pytest.mark.parametrize(
    ("obj", "signal", "department"),
    [
        (o, s, dept)
        for objects, signals, dept in PAIRS.values()
        for o, s in product(objects, signals)
    ],
)
def test_a_danger_object_with_a_signal_is_an_emergency(
    obj: str, signal: str, department: str
) -> None:
    c = decide(f"宿舍楼那边{obj}{signal}")
    assert (c.urgency, c.disposition, c.department, c.track) == (E, "dispatch", department, 1)
    assert any(
        h.rule.startswith("emergency-") and (h.keyword in obj or obj in h.keyword) for h in c.hits
    )


@pytest.mark.parametrize(
    "text",
    [
        *(o for objects, _, _ in PAIRS.values() for o in objects if o != "臭鸡蛋"),
        "味很重",
        "响个不停",
        "打翻了",
    ],
)
def test_an_object_or_a_signal_alone_is_no_emergency(text: str) -> None:
    assert level(decide(f"宿舍楼那边{text}")) == N


def test_object_and_signal_in_different_sentences_do_not_pair() -> None:
    assert level(decide("宿舍的插座坏了。卫生间地上都是积水。")) == N


# ── context cues around a strong term ───────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "expected", "cue"),
    [
        ("3号楼宿舍着火了", E, None),
        ("3号楼宿舍没有着火，是有人在做饭", N, "cue-negation"),
        ("上个月3号楼宿舍着火了，学校一直没有整改", S, "cue-past"),
        ("上个月3号楼宿舍着火了，感谢保安及时赶到", N, "cue-praise"),
        ("3号楼宿舍着火了，已经扑灭了", N, "cue-resolved"),
        ("建议每层楼配灭火器，防止宿舍着火", N, "cue-hypothetical"),
        ("北门消防通道被堵死，万一发生火灾后果不堪设想", N, "cue-hypothetical"),
        ("电动车在楼道充电，存在火灾隐患", N, "cue-hazard"),
        ("去年3号楼着火过，现在又着火了，快来人", E, "cue-now"),
        ("跑完800米感觉要晕倒了", N, "cue-near-miss"),
        ("The fire alarm went off at 3am for no reason again", N, "cue-false-alarm"),
        ("No one was injured, but the tree fell across the road", N, "cue-negation-en"),
    ],
)
def test_context_cues(text: str, expected: str, cue: str | None) -> None:
    c = decide(text)
    assert level(c) == expected
    if cue is not None:
        assert cue in {h.rule for h in c.hits} or expected == N


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("楼道里有烟味", S),  # one weak term: the office looks
        ("楼道里有烟味，还有焦糊味，越来越浓", E),  # two different weak terms: emergency
        ("楼道里有烟味，刚才更浓了", E),  # a weak term happening now
        ("有人在楼道里抽烟，烟味很大", N),  # the smell comes from cigarettes
        ("有人抽烟把被子点着了，着火了", E),  # cigarettes do not hide a fire
        ("宿舍有焦糊味", S),  # 焦糊味 contains 糊味: one smell, not two
    ],
)
def test_weak_terms(text: str, expected: str) -> None:
    assert level(decide(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "食堂的火锅太贵了",
        "火车票优惠卡什么时候能办",
        "作业多得要命",
        "Final exams are killing me",
        "食堂油烟很大，飘到了宿舍",
        "学院的告别晚会需要场地",
        "消防安全课和实验课冲突了",
        "The fire exit in building C is blocked by bicycles",
        "The company fired him last year",
    ],
)
def test_figurative_and_unrelated_uses_are_masked(text: str) -> None:
    assert level(decide(text)) == N


# ── threats and self-harm: never ruled out by context ───────────────────────────────────


@pytest.mark.parametrize(
    ("text", "expected", "department"),
    [
        ("我真的撑不下去了，活着没意思", E, "学生处"),
        ("校长，这是我最后一封信了，谢谢您，我想和这个世界告别了", E, "学生处"),
        ("My roommate says he wants to die and has not come back tonight", E, "学生处"),
        ("以前我想过自杀，现在已经好了，谢谢心理中心", S, None),  # floor: 疑似紧急
        ("你们这些傻逼，再不处理我就弄死你们", E, "保卫处"),  # abusive, still a threat
        ("再不给我答复，我就带刀去行政楼，跟你们同归于尽", E, "保卫处"),
    ],
)
def test_threats_and_self_harm_are_never_ruled_out(
    text: str, expected: str, department: str | None
) -> None:
    c = decide(text)
    assert level(c) == expected
    if expected == E:
        assert (c.disposition, c.department) == ("dispatch", department)


def test_an_anonymous_abusive_threat_is_an_emergency_not_an_illegal_template() -> None:
    c = decide("你们都是废物，明天我就炸学校", subject="匿名")
    assert (c.urgency, c.disposition, c.department_code) == (E, "dispatch", "bwc")


# ── the issue's named cases ─────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("宿舍楼火警报警器一直在响，还闻到一股烟味，楼道里有点呛", E),
        ("卫生间天花板漏水，水顺着墙流到插座上了，插座在滋滋响", E),
        ("楼道里有一股很浓的臭鸡蛋味，闻了头晕", E),  # gas without the word 燃气
        ("图书馆三楼有个同学突然倒在地上，叫他也没有反应", E),
        ("教学楼二楼的窗户松动了，随时可能掉下来砸到楼下路过的同学", E),
        ("感谢校医院，上周我同学晕倒时及时叫了救护车，现在他已经出院了，特此表扬！", N),
        ("我去年在体育馆摔伤骨折，学校不承担责任，我已经起诉学校，法院已立案", N),
        ("建议在每栋宿舍楼增加灭火器和烟雾报警器，以防发生火灾", N),
    ],
)
def test_the_cases_named_in_the_issue(text: str, expected: str) -> None:
    assert level(decide(text)) == expected


def test_a_suspected_emergency_changes_nothing_else_in_the_decision() -> None:
    c = decide("宿舍空调坏了，有一股焦糊味")
    assert (c.urgency, c.disposition, c.department_code) == (S, "dispatch", "hqc")
    assert any("疑似紧急" in line for line in c.explanation)


def test_an_emergency_explains_itself_with_the_seed_rule() -> None:
    c = decide("5号楼三楼着火了，走廊里全是烟")
    assert c.is_emergency and not c.is_suspected_emergency
    assert any("着火" in line for line in c.explanation)
    assert "004第六条(一)" in c.explanation[-1]
    assert {"emergency-fire"} <= {h.rule for h in c.hits}


# ── invariants ──────────────────────────────────────────────────────────────────────────

STRONG = ["着火了", "燃气泄漏", "有人触电", "同学晕倒了", "有人打架", "电梯困人", "食物中毒"]
LOWERING = ["上个月", "去年", "已经处理好了", "感谢", "建议", "存在隐患", "已经修好"]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    term=st.sampled_from(STRONG),
    cue=st.sampled_from(LOWERING),
    before=st.booleans(),
)
def test_a_lowering_cue_never_raises_the_urgency(term: str, cue: str, before: bool) -> None:
    plain = decide(f"宿舍{term}")
    cued = decide(f"{cue}宿舍{term}" if before else f"宿舍{term}，{cue}")
    assert URGENCY_RANK[cued.urgency] <= URGENCY_RANK[plain.urgency]
    assert plain.urgency == E


# ── the [emergency] section is validated ────────────────────────────────────────────────


def _compile(emergency: dict[str, object]) -> RuleSet:
    return compile_rules(
        "<t>",
        {
            "categories": ["其他"],
            "rule": [{"name": "a", "any": ["甲"], "department": "hqc"}],
            "emergency": emergency,
        },
        DEPARTMENTS,
        "emergency-config",
    )


@pytest.mark.parametrize(
    ("section", "key", "reason"),
    [
        (
            {"group": [{"name": "x", "department": "nope", "strong": ["火"]}]},
            "department",
            "unknown",
        ),
        ({"group": [{"name": "x", "department": "hqc", "objects": ["火"]}]}, "signals", "together"),
        ({"group": [{"name": "x", "department": "hqc"}]}, "strong", "needs"),
        (
            {"group": [{"name": "x", "department": "hqc", "strong": ["火"], "category": "无"}]},
            "category",
            "unknown",
        ),
        (
            {
                "group": [{"name": "x", "department": "hqc", "strong": ["火"]}],
                "cue": [{"name": "c", "effect": -1, "words": ["不"], "groups": ["y"]}],
            },
            "groups",
            "unknown group",
        ),
        (
            {
                "group": [{"name": "x", "department": "hqc", "strong": ["火"]}],
                "cue": [{"name": "c", "effect": 0, "words": ["不"]}],
            },
            "effect",
            "lower or raise",
        ),
    ],
)
def test_mistakes_in_the_emergency_section_are_named(
    section: dict[str, object], key: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as err:
        _compile(section)
    assert key in str(err.value) and reason in str(err.value)


def test_a_small_section_reads_as_documented() -> None:
    rules = _compile(
        {
            "group": [
                {
                    "name": "flood",
                    "department": "后勤管理处",
                    "strong": ["淹了"],
                    "weak": ["积水"],
                    "objects": ["水"],
                    "signals": ["漫进"],
                }
            ],
            "cue": [{"name": "fixed", "effect": -2, "words": ["修好"]}],
            "mask": ["水果"],
        }
    )
    assert classify("", "一楼淹了", (), rules).urgency == E
    assert classify("", "门口积水", (), rules).urgency == S
    assert classify("", "水漫进了宿舍", (), rules).urgency == E
    assert classify("", "水果漫进了宿舍", (), rules).urgency != E  # masked
    assert classify("", "一楼淹了，已经修好", (), rules).urgency not in (E, S)
    assert classify("", "一楼淹了", (), rules).department_code == "hqc"


# ── how a letter is read: sentences, titles, headlines, pairs ──────────────────────────


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        # a wrapped line is one sentence: the cue on the first line reaches the term
        ("", "上周我们宿舍的插座\n冒烟了，当天就有师傅来换了新的", N),
        # a blank line ends a sentence
        ("", "上周宿舍楼停过一次电\n\n插座冒烟了，快来人", E),
        # a danger named in a course, film or thesis title is a subject, not a present danger
        ("", "我们必修的《实验室安全与急救》课程题库答案有错", N),
        ("", "《烈火英雄》的放映时间能否改到周末", N),
        # the headline yields to the body where the body speaks of the same danger
        ("小火情之后学院要求晚上断电", "上个月实验室有个小火情，已经及时处理了", N),
        ("插座在冒烟", "宿舍插座一直在冒烟，还有焦味", E),
        # a body that does not lower the danger leaves the headline standing
        ("宿舍楼着火了", "三楼楼道里有烟味。", E),
        # a headline alone (the body speaks of no danger of its group) is read alone
        ("楼道里闻到煤气味", "从中午开始就有，麻烦派人来查一查", E),
        # a negated signal does not pair: 没有焦味 next to 插座
        ("", "宿舍插座没电了，也没有焦味，应该是线断了", N),
        # a negation does not reach across a comma
        ("", "没人管，楼道里着火了", E),
        # 烟雾 in 烟雾报警器 names the device
        ("", "宿舍的烟雾报警器太灵敏了，烧壶开水都会响", N),
        # a mask hides a cue inside it: 现在 in 现在很多同学 is "nowadays"
        ("", "现在很多同学遇到有人晕倒都不知道怎么办，建议开培训", N),
        # a threat with a date or a target is an emergency
        ("", "周五的毕业典礼我会去，到时候那些人一个也跑不掉", E),
        # the longest reading wins: 踩踏 inside a negated 拥挤踩踏 is not read again
        ("", "运动会没有发生一起拥挤踩踏事故", N),
        # a person at a roof edge is an emergency; a roof edge alone is a repair matter
        ("", "三教楼顶天台边缘坐着一个人，腿悬在外面", E),
        ("", "希望在天台上加装栏杆，楼顶边上太矮了", N),
        # lost reagents are a security matter, not a spill
        ("", "实验室的试剂丢了几瓶，要加强管理", N),
    ],
)
def test_how_the_letter_is_read(subject: str, text: str, expected: str) -> None:
    assert level(decide(text, subject)) == expected


def test_self_harm_decides_over_other_dangers_at_the_same_level() -> None:
    c = decide("我室友失联了，她刚才在群里说不想活了")
    assert (level(c), c.department) == (E, "学生处")


# ── a wider table of readings (tests/data/emergency_readings.txt) ─────────────────────

READINGS = [
    tuple(line.split(" ", 1))
    for line in (Path(__file__).parent / "data" / "emergency_readings.txt")
    .read_text("utf-8")
    .splitlines()
    if line.strip() and not line.startswith("#")
]
_ACCEPTED = {"E": {E}, "S": {S}, "N": {N}, "ES": {E, S}, "SN": {S, N}}


@pytest.mark.parametrize(("expected", "text"), READINGS)
def test_readings(expected: str, text: str) -> None:
    assert level(decide(text)) in _ACCEPTED[expected]
