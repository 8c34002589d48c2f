"""The eleven letter categories (问题分类) of the 接诉即办 policy, in the office's order."""

from __future__ import annotations

from typing import Literal, get_args

Category = Literal[
    "教育教学",
    "后勤保障",
    "安全管理",
    "学籍管理",
    "就业创业",
    "学团建设",
    "奖惩管理",
    "财务管理",
    "特殊关爱",
    "疫情防控",
    "其他",
]

CATEGORIES: tuple[str, ...] = get_args(Category)
