"""Specification of the learned second reader (模型辅助阅读) next to the rules (issue #16).

The model reads every letter the rules see no danger in: when it is confident the letter
describes an emergency, the office is alerted (疑似紧急) and the explanation names the model's
confidence and evidence. Raising alone, it never lowers the rules' reading, never makes an
emergency by itself, and leaves letters quiet where the rules read danger words in context
(negated, resolved, past). Two further settings (third tuning round) let it read context the
rules cannot: `reader_calm` — a danger word the model finds very unlikely to be an emergency
(a course title, a drill, a joke) raises no alert, but self-harm, threats and ledges never drop
below 疑似紧急; `reader_confirm` — a 疑似紧急 the model is sure of becomes an emergency. Each
says so in the explanation. Whose letter it is (fourth round): an emergency the model read goes
to the department a model learnt from emergencies names, and a letter the model is sure is the
office's own (seed 004 第八条) stays at the office with the clause named. It is trained once per
process from text shipped with the package, and the same text always gives the same model.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from xinxiang.classify import reader as rd
from xinxiang.classify.engine import Classification, classify
from xinxiang.classify.rules import URGENCY_RANK, RuleSet, load_rules_for
from xinxiang.config import load_config

REPO = Path(__file__).resolve().parents[1]
RULES: RuleSet = load_rules_for(load_config(REPO / "config"))
RULES_ALONE = dataclasses.replace(
    RULES,
    settings=RULES.settings.model_copy(
        update={
            "reader_danger": 0.0,
            "reader_calm": 0.0,
            "reader_calm_emergency": 0.0,
            "reader_confirm": 0.0,
        }
    ),
)
# The model as a raising reader only (calm and confirm off), as the first tests specify.
RAISING = dataclasses.replace(
    RULES,
    settings=RULES.settings.model_copy(
        update={"reader_calm": 0.0, "reader_calm_emergency": 0.0, "reader_confirm": 0.0}
    ),
)


def both(text: str) -> tuple[Classification, Classification]:
    """The rules' decision alone and with the second reader."""
    return classify("", text, (), RULES_ALONE), classify("", text, (), RAISING)


# Written for this test (not in the shipped training letters): dangers in words the rules do
# not know, and ordinary letters and hard negatives.
DANGER = [
    "五号楼走廊全是灰蒙蒙的东西，呛得大家直咳嗽，好像哪个房间在烧",
    "我同学刚在群里说对不起大家，以后再也不会麻烦任何人了，现在打电话不接",
    "实验室里有个师姐晕过去了，叫她也没反应，脸色发白",
]
QUIET = [
    "食堂的饭菜越来越贵了，希望能多一些平价窗口",
    "图书馆的座位预约系统总是崩溃，希望尽快修复",
    "宿舍楼上周着火的事已经处理好了，感谢保卫处",
    "《消防安全与应急救援》这门课的考试时间能不能调整一下",
    "宿舍没有烟味，也没有着火，只是有人在楼道里做饭",
    "there is a power outage in dorm 5",
    # Short notes and English are the rules' alone (too few n-grams for the model).
    "操场跑道破损，东操场塑胶跑道有几处破损",
    "!nothing_pending !nothing_pending",
    "Saturday: end of Monday official",
]
EVERY = [*DANGER, *QUIET, "楼道里着火了，烟很大", "我不想活了，今晚就从楼顶跳下去"]


@pytest.mark.parametrize("text", EVERY)
def test_the_model_never_lowers_and_never_makes_an_emergency(text: str) -> None:
    alone, with_model = both(text)
    assert URGENCY_RANK[with_model.urgency] >= URGENCY_RANK[alone.urgency]
    assert with_model.is_emergency == alone.is_emergency
    assert (with_model.department_code, with_model.disposition) == (
        alone.department_code,
        alone.disposition,
    )


@pytest.mark.parametrize("text", DANGER)
def test_a_confident_danger_reading_alerts_the_office(text: str) -> None:
    c = classify("", text, (), RULES)
    assert c.urgency in ("emergency", "suspected_emergency")
    alone = classify("", text, (), RULES_ALONE)
    if alone.urgency not in ("emergency", "suspected_emergency"):
        assert any(e.startswith("模型判断疑似紧急（置信度 0.") for e in c.explanation)


@pytest.mark.parametrize("text", QUIET)
def test_ordinary_letters_and_hard_negatives_stay_quiet(text: str) -> None:
    assert classify("", text, (), RULES).urgency in ("normal", "priority")


def test_the_reader_is_deterministic_and_trained_from_shipped_text() -> None:
    samples = rd.shipped_samples()
    assert len(samples) > 1000
    assert sum(1 for s in samples if s.danger) > 400
    small = samples[::7]
    one, two = rd.train(small), rd.train(small)
    for text in DANGER + QUIET:
        t = rd.model_text("", text)
        assert one.read_danger(t) == two.read_danger(t)
        assert one.read_department(t) == two.read_department(t)


def test_department_fallback_routes_only_what_the_rules_could_not() -> None:
    on = dataclasses.replace(
        RULES, settings=RULES.settings.model_copy(update={"reader_department": 0.3})
    )
    text = "老师好，我想问一下，这件事情到底应该找谁？"
    alone, with_model = classify("", text, (), RULES_ALONE), classify("", text, (), on)
    assert alone.disposition == "triage"
    if with_model.department_code != alone.department_code:
        assert with_model.disposition == "dispatch"
        assert any("模型判断承办单位为" in e for e in with_model.explanation)
    routed = "宿舍的热水器坏了一个星期了，一直没人来修"
    assert classify("", routed, (), on) == classify("", routed, (), RULES)


def test_over_context_the_model_may_only_raise_to_suspected() -> None:
    on = dataclasses.replace(
        RAISING, settings=RAISING.settings.model_copy(update={"reader_danger_over_context": 0.3})
    )
    for text in EVERY:
        alone, with_model = classify("", text, (), RULES_ALONE), classify("", text, (), on)
        assert URGENCY_RANK[with_model.urgency] >= URGENCY_RANK[alone.urgency]
        assert with_model.is_emergency == alone.is_emergency
        if with_model.urgency != classify("", text, (), RAISING).urgency:
            assert any("与规则的语境判断不同" in e for e in with_model.explanation)


# Danger words in questions, product names and course work: the rules alone alert.
FIGURATIVE = [
    (
        "宿舍能不能用电热毯",
        "冬天太冷了，想问宿舍能不能用电热毯，听说有学校因为电热毯起火禁止使用，我们这边有规定吗",
    ),
    ("新品名字", "食堂推出的“爆炸”口味薯条名字挺吓人的，味道一般，价格也偏贵，建议改进一下"),
    (
        "课程大作业",
        "老师布置的大作业是设计一次校园火灾应急预案，想问图书馆能不能借到相关的参考书",
    ),
]


@pytest.mark.parametrize(("subject", "body"), FIGURATIVE)
def test_a_danger_word_the_model_finds_unlikely_raises_no_alert(subject: str, body: str) -> None:
    alone, with_model = classify(subject, body, (), RULES_ALONE), classify(subject, body, (), RULES)
    assert alone.urgency in ("emergency", "suspected_emergency")
    assert with_model.urgency in ("normal", "priority")
    assert any(e.startswith("模型判断不像紧急情况（紧急的概率 0.") for e in with_model.explanation)


def test_self_harm_never_drops_below_suspected_whatever_the_model_reads() -> None:
    calm_all = dataclasses.replace(
        RULES,
        settings=RULES.settings.model_copy(
            update={"reader_calm": 1.0, "reader_calm_emergency": 1.0}
        ),
    )
    for text in ["我不想活了，今晚就从楼顶跳下去", "他说要给我们好看，明天带刀来宿舍找我们算账"]:
        alone = classify("", text, (), RULES_ALONE)
        assert alone.urgency in ("emergency", "suspected_emergency")
        assert classify("", text, (), calm_all).urgency in ("emergency", "suspected_emergency")


def test_a_suspected_emergency_the_model_is_sure_of_becomes_an_emergency() -> None:
    sure = dataclasses.replace(
        RULES, settings=RULES.settings.model_copy(update={"reader_confirm": 0.5})
    )
    for text in DANGER:
        raised = classify("", text, (), RAISING)
        confirmed = classify("", text, (), sure)
        if raised.urgency == "suspected_emergency":
            assert confirmed.urgency == "emergency"
            assert any(e.startswith("模型判断紧急（置信度 0.") for e in confirmed.explanation)
            assert confirmed.department_code is not None


def test_an_emergency_the_model_reads_goes_by_the_danger_not_the_place_named() -> None:
    # Written for this test: no danger group of the rules reads it; the model confirms the
    # emergency, and the model learnt from emergencies names whose it is (not 图书馆's).
    c = classify(
        "图书馆",
        "图书馆二楼东边的书架整排歪了，压住了一个同学的腿，他喊疼起不来，我们几个人抬不动，快来人",
        (),
        RULES,
    )
    assert c.urgency == "emergency"
    assert c.department_code in ("bwc", "hqc", "xyy") and c.department_code != "tsg"
    assert "模型判断紧急情况的承办单位为" in c.explanation[-1]
    assert "001三级响应" in c.explanation[-1]


def test_a_letter_the_model_is_sure_is_the_offices_own_stays_at_the_office() -> None:
    # Written for this test: a former employer's unpaid wages name 就业 and 工资 (人事处 by the
    # rules), but it is another organisation's matter (seed 004 第八条(四)).
    text = (
        "我毕业后去的那家公司拖欠了我三个月工资，老板说没钱，我已经离职了，"
        "学校的就业部门能不能帮我去催一下"
    )
    without = dataclasses.replace(
        RULES, settings=RULES.settings.model_copy(update={"reader_office": 0.0})
    )
    assert classify("", text, (), without).department_code != "dzb"
    c = classify("", text, (), RULES)
    assert (c.department_code, c.disposition, c.urgency) == ("dzb", "out_of_scope", "normal")
    assert "004第八条(四)" in c.explanation[-1] and "模型判断由党政办公室处理" in c.explanation[-1]
