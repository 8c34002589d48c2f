"""Shared by the classification round tests: the shipped rules and a letter's reading in short."""

from __future__ import annotations

from pathlib import Path

from xinxiang.classify.engine import classify
from xinxiang.classify.rules import RuleSet, load_rules_for
from xinxiang.config import load_config

REPO = Path(__file__).resolve().parents[1]
RULES: RuleSet = load_rules_for(load_config(REPO / "config"))


def read(text: str, subject: str = "") -> tuple[str, str | None, str]:
    """(E/S/N, department code, disposition) of a letter."""
    c = classify(subject, text, (), RULES)
    level = {"emergency": "E", "suspected_emergency": "S"}.get(c.urgency, "N")
    return level, c.department_code, c.disposition
