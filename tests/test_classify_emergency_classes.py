"""Specification of the emergency reading by class of danger (issue #16), and its context.

Each class the issue and seed 001 name — self-harm stated or implied, violence and threats,
fire, gas and electricity, medical emergencies, missing persons, food poisoning among many,
structural danger, extreme weather on campus, campus security incidents — is read from letters
written for this test (`tests/data/emergency_classes.txt`), not from the evaluation letters.
Benign letters that carry the same danger words — negated, hypothetical, past and resolved,
drills, news, courses and theses — raise no alarm, neither 紧急 nor 疑似紧急.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinxiang.classify.engine import Classification, classify
from xinxiang.classify.rules import RuleSet, load_rules_for
from xinxiang.config import load_config

REPO = Path(__file__).resolve().parents[1]
RULES: RuleSet = load_rules_for(load_config(REPO / "config"))
READINGS = REPO / "tests" / "data" / "emergency_classes.txt"


def reading(text: str, subject: str = "") -> str:
    """E (紧急), S (疑似紧急) or N (neither)."""
    c: Classification = classify(subject, text, (), RULES)
    return {"emergency": "E", "suspected_emergency": "S"}.get(c.urgency, "N")


def _table(name: str, fields: int) -> list[list[str]]:
    """The readings of `tests/data/<name>`: one a line, `fields` space-separated fields."""
    text = (REPO / "tests" / "data" / name).read_text(encoding="utf-8")
    return [
        line.split(" ", fields - 1)
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]


ROWS = [(cls, expected, text) for cls, expected, text in _table(READINGS.name, 3)]


@pytest.mark.parametrize(
    ("cls", "expected", "text"), ROWS, ids=[f"{r[0]}-{i}" for i, r in enumerate(ROWS)]
)
def test_each_class_of_danger_is_read(cls: str, expected: str, text: str) -> None:
    got = reading(text)
    assert got in expected or (expected == "ES" and got in "ES"), f"{cls}: {text}"


def test_every_class_has_readings_that_must_be_emergencies() -> None:
    emergencies = Counter(cls for cls, expected, _ in ROWS if expected == "E")
    classes = (
        "self-harm",
        "violence",
        "threat",
        "fire",
        "gas",
        "electric",
        "medical",
        "missing",
        "food",
        "structure",
        "weather",
        "security",
    )
    assert {c: emergencies[c] for c in classes if emergencies[c] < 1} == {}
    assert sum(1 for _, expected, _ in ROWS if expected == "N") >= 15


# ── negation reaches across perception words (segmented by jieba), not across a clause ──


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("宿舍里没有烟味", "N"),  # the negation right before the term
        ("我没有看到什么浓烟，只是有点雾", "N"),  # 没有|看到|什么|浓烟
        ("保安巡查时没有发现任何明火", "N"),  # 没有|发现|任何|明火
        ("没有灭火器，楼道里的纸箱着火了", "E"),  # a comma ends the negation
        ("没想到宿舍楼突然着火了，楼道里全是浓烟", "E"),  # 没想到 is surprise, not negation
        ("没有人管，三楼走廊现在全是浓烟", "E"),
    ],
)
def test_negation_scope(text: str, expected: str) -> None:
    assert reading(text) == expected


# ── self-harm words that are not the writer's intent ──


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("比如学生说“活着没意思”时，老师不知道如何回应，建议组织培训", "N"),  # quoted, a suggestion
        ("去年我有过不想活的念头，现在已经好多了，谢谢心理中心的老师", "N"),  # long past, recovered
        ("我觉得活着没意思", "S"),  # the writer's own words: never ruled out
        ("比如我现在就觉得活着没意思", "S"),  # a cue alone does not rule out unquoted words
        ("他们说“你去死吧”，我现在真的不想活了", "E"),
    ],
)
def test_self_harm_is_held_unless_quoted_or_long_past(text: str, expected: str) -> None:
    got = reading(text)
    assert got == expected or (expected == "S" and got in "ES")


# ── adversarial: benign letters with danger words in negated or hypothetical contexts ──

DANGERS = [
    "着火",
    "浓烟",
    "燃气泄漏",
    "触电",
    "晕倒",
    "打架",
    "食物中毒",
    "坍塌",
    "冒火花",
    "电梯困人",
    "溺水",
    "爆炸",
    "漏电",
    "踩踏",
    "失联",
]
FRAMES = [
    "检查后没有发现任何{d}的情况",
    "万一{d}怎么办？建议学校加强培训",
    "上学期宿舍{d}过一次，已经处理好了",
    "消防演练时模拟了{d}的场景，希望以后提前通知",
    "新闻里说别的学校{d}，希望我们学校也重视",
    "建议在《{d}应急处置》课程里多讲实操",
    "如果发生{d}，宿舍楼的疏散通道够不够？",
    "去年这里{d}的事早就解决了，现在很安全",
    "为了防止{d}，希望学校定期检查线路",
    "我的毕业论文研究的是校园{d}的预防",
]
FILLERS = [
    "校长您好。",
    "我是计算机学院的学生。",
    "我们宿舍在西区。",
    "希望得到回复。",
    "谢谢！",
    "此致敬礼。",
    "这个问题想了很久才写信。",
    "Dear Principal,",
    "",
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(DANGERS),
    st.sampled_from(FRAMES),
    st.lists(st.sampled_from(FILLERS), max_size=3),
    st.lists(st.sampled_from(FILLERS), max_size=3),
    st.booleans(),
)
def test_benign_letters_with_danger_words_raise_no_alarm(
    danger: str, frame: str, before: list[str], after: list[str], in_subject: bool
) -> None:
    sentence = frame.format(d=danger)
    body = "\n".join([*before, sentence + "。", *after])
    assert reading(body, sentence if in_subject else "关于安全的一点想法") == "N", body


@pytest.mark.parametrize("frame", FRAMES)
def test_every_frame_alone_is_benign_for_every_danger(frame: str) -> None:
    alarms = [d for d in DANGERS if reading(frame.format(d=d)) != "N"]
    assert alarms == []


# ── dispositions by class (seed 004 第八条, seed 002 第九条) ──

DISPOSITIONS = _table("disposition_readings.txt", 2)


@pytest.mark.parametrize(("expected", "text"), DISPOSITIONS)
def test_each_kind_of_disposition_is_read(expected: str, text: str) -> None:
    c = classify("", text, (), RULES)
    got = "jiwei" if (c.department_code, c.disposition) == ("jiwei", "dispatch") else c.disposition
    assert got == expected
    if expected in ("illegal", "legal_channel", "out_of_scope"):
        assert c.department_code == "dzb"  # the office decides before any template answer


# ── departments by duty (config/departments.toml) ──

DEPARTMENTS = _table("department_readings.txt", 2)


@pytest.mark.parametrize(("code", "text"), DEPARTMENTS)
def test_each_department_gets_its_duties(code: str, text: str) -> None:
    c = classify("", text, (), RULES)
    assert (c.department_code, c.urgency in ("emergency", "suspected_emergency")) == (code, False)
