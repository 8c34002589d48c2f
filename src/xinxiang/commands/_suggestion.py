"""One line showing the learned model's suggestion (分办建议) to the office, in Chinese."""

from __future__ import annotations

from typing import Any

from xinxiang.commands._labels import department_label
from xinxiang.commands._show import shown
from xinxiang.config import Config


def suggestion_line(cfg: Config, suggestion: dict[str, Any]) -> str:
    """`建议（仅供参考）：…` with the department, category, probability and evidence n-grams."""
    why = "规则把握不大" if suggestion.get("reason") == "weak" else "与规则判断不同"
    grams = "、".join(f"“{shown(e['ngram'])}”" for e in suggestion.get("evidence", [])[:5])
    category = suggestion.get("category")
    return (
        f"分办建议（模型 {shown(suggestion.get('model_version'))}，{why}，"
        "仅供参考，不会自动派单）："
        f"{department_label(cfg, suggestion.get('department'))}"
        f"（{float(suggestion.get('probability', 0.0)):.0%}）"
        + (f"，类别 {shown(category)}" if category else "")
        + (f"；依据：{grams}" if grams else "")
    )
