"""Jinja2 rendering of mail templates (text and HTML) from `xinxiang/templates/`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_WEEKDAYS = "一二三四五六日"


def format_cn_datetime(value: datetime, tz: str = "Asia/Shanghai") -> str:
    """`2026年12月2日（星期三）14:05` in the school's zone."""
    return _cn_wall(value.astimezone(ZoneInfo(tz)), "")


def format_cn_deadline(value: datetime, tz: str = "Asia/Shanghai") -> str:
    """A deadline (时限) without its 前: `2026年12月2日（星期三）17:30`.

    A due at 00:00 is the end of the day before and reads `…（星期二）24:00` — never "00:00",
    which would read as the start of that day (seed 004's "当天", the end of a date).
    """
    local = value.astimezone(ZoneInfo(tz))
    if local.time() == time(0, 0):
        return _cn_wall(local - timedelta(days=1), "24:00")
    return _cn_wall(local, "")


def _cn_wall(local: datetime, clock: str) -> str:
    """A wall-clock time as the Chinese pages write it; `clock` replaces its HH:MM if given.
    Plain attribute formatting: the console writes a hundred of these per list page."""
    return (
        f"{local.year}年{local.month}月{local.day}日（星期{_WEEKDAYS[local.weekday()]}）"
        f"{clock or f'{local.hour:02d}:{local.minute:02d}'}"
    )


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared template environment (HTML autoescaped, undefined variables are errors)."""
    env = Environment(
        loader=PackageLoader("xinxiang", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cn_datetime"] = format_cn_datetime
    env.filters["cn_deadline"] = format_cn_deadline
    return env


def render(name: str, **context: Any) -> str:
    """Render one template by file name."""
    return environment().get_template(name).render(**context)


def quote_excerpt(text: str, limit: int) -> str:
    """A short single-paragraph quote of a letter for receipts and answers."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@lru_cache(maxsize=256)
def template_exists(name: str) -> bool:
    """Whether a template file of that name ships with the package."""
    return name in environment().list_templates()
