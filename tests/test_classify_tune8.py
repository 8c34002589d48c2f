"""Specification of the tuning round h-tune8 (issue #16): pool g's emergency classes.

Each table is one class of emergency error found on pool g (`heldout6/`, seen since its one
measurement), written here as made-up letters in other words than the pool's: an English
farewell note to the family before someone leaves (self-harm, never missed), a smell that
turned out to be a drain and is gone, a first-aid demonstration where someone pretends to
faint, and a fire asked about months later. Real, present dangers stay emergencies. The
letters go through the shipped rules and second reader, as a real letter does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xinxiang.classify.engine import classify
from xinxiang.classify.rules import RuleSet, load_rules_for
from xinxiang.config import load_config

REPO = Path(__file__).resolve().parents[1]
RULES: RuleSet = load_rules_for(load_config(REPO / "config"))


def level(text: str, subject: str = "") -> tuple[str, str | None]:
    """(E/S/N, department code) of a letter."""
    c = classify(subject, text, (), RULES)
    return {"emergency": "E", "suspected_emergency": "S"}.get(c.urgency, "N"), c.department_code


FAREWELLS = [
    "My classmate left a note in our dorm saying sorry to her family and that she cannot "
    "continue. She took her bag and went out after midnight and her phone is switched off.",
    "I found a note on my roommate's bed: he says sorry to his family, he can't continue like "
    "this. He has been gone since this morning.",
]


@pytest.mark.parametrize("text", FAREWELLS)
def test_an_english_farewell_note_to_the_family_is_self_harm(text: str) -> None:
    assert level(text) == ("E", "xsc")


NOT_EMERGENCIES = [
    # What they thought it was, now resolved.
    "宿舍走廊有股怪味，我们以为是燃气泄漏，报修后师傅查了说是下水道的味道，已经疏通了，"
    "现在没味了。想问以后能不能定期清理。",
    # A demonstration: someone pretends to faint.
    "社团在广场做心肺复苏演示，有个同学假装晕倒在地上，路过的人吓了一跳。以后做这种演示要不要先报备？",
    # An event months back, asked about afterwards.
    "九月份食堂后门的垃圾桶起火，还好发现得早。后来怎么样了？现在过去两个月了，那里还是堆着纸箱。",
]


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_past_demonstrated_or_mistaken_dangers_are_no_alarm(text: str) -> None:
    assert level(text)[0] == "N"


PRESENT = [
    "三楼走廊的插座在冒烟，还有火星，现在还在烧，快派人来！",
    "宿舍里一股很浓的燃气味，好几个人头晕，现在还在漏！",
    # Thinking it harmless (以为是下水道) is no resolution when people feel ill now.
    "实验楼二层一股臭鸡蛋的味道，本来以为是下水道，可是现在好几个人都头晕恶心，请快来看看。",
]


@pytest.mark.parametrize("text", PRESENT)
def test_present_dangers_stay_emergencies(text: str) -> None:
    assert level(text)[0] == "E"


# Department classes: a named common contagion (红眼病, 腮腺炎) is 校医院's, and an advert for
# online-course "brushing" is illegal advertising for the office.
def test_a_named_contagion_goes_to_the_clinic() -> None:
    assert level(
        "我们楼最近好多人得了红眼病，眼睛又红又肿，公共洗衣房大家都在用，传得特别快。"
    ) == (
        "N",
        "xyy",
    )


def test_an_online_course_brushing_advert_is_illegal_advertising() -> None:
    c = classify(
        "课程代刷",
        "各平台网课代刷，期末代考，已服务贵校几百位同学，好评如潮，加Q群详聊。",
        (),
        RULES,
    )
    assert (c.department_code, c.disposition) == ("dzb", "illegal")
