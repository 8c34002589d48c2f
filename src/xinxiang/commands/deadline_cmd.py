"""`xinxiang deadline` (compute a ticket's deadlines) and `xinxiang calendar check YEAR`."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from xinxiang.commands._common import ConfigOption
from xinxiang.commands._labels import track_label
from xinxiang.config import Config, default_config_dir, load_config
from xinxiang.dispatch.calendar import (
    ChineseWorkingCalendar,
    format_day,
    load_calendar_for,
    load_policy_for,
)
from xinxiang.domain.deadlines import Deadlines, compute_deadlines
from xinxiang.errors import XinxiangError

calendar_app = typer.Typer(help="工作日历：核对某年的节假日与调休。", no_args_is_help=True)

_URGENCY_NAMES = {"emergency": "紧急", "priority": "基本生活保障（优先）", "normal": "一般"}


class UrgencyChoice(StrEnum):
    """--urgency values."""

    emergency = "emergency"
    priority = "priority"
    normal = "normal"


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 with offset, to the minute when the seconds are zero: 2026-10-08T10:00+08:00."""
    if value is None:
        return None
    if value.second == 0 and value.microsecond == 0:
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def _human(value: datetime | None) -> str:
    """`2026-10-12（周一）24:00 前` — an end-of-day due reads as 24:00 of that day."""
    if value is None:
        return "—（本规则不设）"
    if value.time() == time(0, 0):
        return f"{format_day(value.date() - timedelta(days=1))} 24:00 前"
    return f"{format_day(value.date())} {value:%H:%M} 前"


def parse_accepted(text: str, cfg: Config) -> datetime:
    """An ISO time; a naive one is taken in the school's zone."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise XinxiangError(
            f"--accepted: not an ISO 8601 time: {text!r} (e.g. 2026-09-30T22:15+08:00)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=cfg.tz)
    return value.astimezone(cfg.tz)


def _load(config: Path | None) -> Config:
    return load_config(config if config is not None else default_config_dir())


def deadline_json(accepted: datetime, track: int | None, urgency: str, d: Deadlines) -> str:
    """The one-line JSON object of `xinxiang deadline --json`."""
    obj: dict[str, Any] = {
        "accepted_at": _iso(accepted),
        "track": track,
        "urgency": urgency,
        "first_day": d.first_day.isoformat(),
        "response_due": _iso(d.response_due),
        "preliminary_due": _iso(d.preliminary_due),
        "formal_due": _iso(d.formal_due),
        "calendar_verified": d.calendar_verified,
    }
    return json.dumps(obj, ensure_ascii=False)


def deadline(
    accepted: Annotated[
        str, typer.Option("--accepted", help="受理时间，ISO 8601；不带时区按学校时区。")
    ],
    track: Annotated[
        int | None, typer.Option("--track", min=1, max=3, help="办理类别 1、2 或 3。")
    ] = None,
    urgency: Annotated[
        UrgencyChoice,
        typer.Option(
            "--urgency", help="紧急程度：emergency（紧急）| priority（优先）| normal（一般）。"
        ),
    ] = UrgencyChoice.normal,
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象。")] = False,
) -> None:
    """Compute the deadlines of a ticket accepted at a given time (working calendar + policy)."""
    cfg = _load(config)
    when = parse_accepted(accepted, cfg)
    result = compute_deadlines(
        when, track, urgency.value, load_policy_for(cfg), load_calendar_for(cfg), cfg.tz
    )
    if as_json:
        typer.echo(deadline_json(when, track, urgency.value, result))
        return
    lines = [
        f"受理时间：{format_day(when.date())} {when:%H:%M}",
        f"办理类别：{track_label(track) if track else '未定'}",
        f"紧急程度：{_URGENCY_NAMES[urgency.value]}",
        f"第1个工作日：{format_day(result.first_day)}",
        f"响应时限：{_human(result.response_due)}",
        f"初步回复时限：{_human(result.preliminary_due)}",
    ]
    if result.formal_due is None and track in (2, 3) and urgency == UrgencyChoice.normal:
        lines.append("正式回复时限：按承办部门初步回复中确定的办理计划（每 7 天报告阶段性进展）")
    else:
        lines.append(f"正式回复时限：{_human(result.formal_due)}")
    if result.calendar_verified:
        lines.append("工作日历：已核实（国务院放假安排及本校调整）")
    else:
        lines.append(
            "工作日历：未核实——所涉年份尚无官方放假安排，暂按周六、周日休息推算；"
            "请在 calendar.toml 中录入该年安排"
        )
    typer.echo("\n".join(lines))


def _describe(cal: ChineseWorkingCalendar, d: date, suffix: str = "") -> str:
    name = cal.holiday_name(d)
    return f"{format_day(d)} {name}{suffix}" if name else format_day(d)


@calendar_app.command("check")
def check(
    year: Annotated[int, typer.Argument(min=2000, max=2100, help="要核对的年份。")],
    config: ConfigOption = None,
) -> None:
    """Say whether a year's working calendar is covered; list its holidays and make-up days."""
    cfg = _load(config)
    cal = load_calendar_for(cfg)
    covered = cal.covered(year)
    status = "已覆盖" if covered else "未覆盖"
    lines = [f"{year} 年工作日历：{status}", f"来源：{cal.source(year)}"]
    holidays = cal.holidays(year)
    makeups = cal.makeup_workdays(year)
    lines.append(f"节假日（{len(holidays)} 天）：")
    lines.extend(f"  {_describe(cal, d)}" for d in holidays)
    lines.append(f"调休上班日（{len(makeups)} 天）：")
    lines.extend(f"  {_describe(cal, d, '调休')}" for d in makeups)
    if not covered:
        lines.append(
            f"警告：{year} 年尚无官方放假安排，截止时间按周一至周五推算并标记为未核实；"
            f"国务院公布后请在 {cfg.directory / 'calendar.toml'} 中添加 [[year]] year = {year}、"
            "verified = true 及节假日与调休日。"
        )
    typer.echo("\n".join(lines))
    if not covered:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach `deadline` and the `calendar` group."""
    app.command("deadline")(deadline)
    app.add_typer(calendar_app, name="calendar")
