"""Specification of keyword suggestions for letters that ended in triage."""

from __future__ import annotations

from pathlib import Path

from xinxiang.classify.rules import load_rules_for
from xinxiang.classify.suggest import suggest_terms
from xinxiang.config import load_config

RULES = load_rules_for(load_config(Path(__file__).resolve().parents[1] / "config"))

TRIAGED = [
    "老师您好，学校的共享单车太少了，早上根本找不到车。",
    "共享单车乱停乱放，能不能规划一下停放点",
    "希望增加共享单车的投放数量",
    "宿舍热水的问题，还有共享单车太少",
    "Where can I find a shared bike on campus? The shared bike app does not work.",
    "shared bike is too few",
]


def test_frequent_uncovered_terms_come_first() -> None:
    terms = suggest_terms(TRIAGED, RULES, top=5)
    assert terms[0] == ("共享单车", 4)
    assert ("shared", 2) in terms


def test_terms_covered_by_rules_and_polite_words_are_not_suggested() -> None:
    words = {t for t, _ in suggest_terms(TRIAGED, RULES, top=100)}
    assert not words & {"热水", "宿舍", "老师", "希望", "问题"}
    assert "共享单" not in words  # contained in a longer term found as often


def test_top_limits_and_empty_input() -> None:
    assert len(suggest_terms(TRIAGED, RULES, top=1)) == 1
    assert suggest_terms([], RULES, top=10) == []
    assert suggest_terms(["只出现一次的词"], RULES, top=10) == []
