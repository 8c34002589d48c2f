"""The office's commands: overdue list, route/transfer, co-handlers, extensions, sweep, digest.

`xinxiang tickets overdue|route|cohandle|extend`, `xinxiang sweep`, `xinxiang digest`. Route,
co-handlers and extensions are commands to the command layer (`xinxiang.handlers`).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table

from xinxiang.commands._common import (
    ByOption,
    ConfigOption,
    JsonOption,
    now_utc,
    office_actor,
    open_context,
)
from xinxiang.commands._labels import department_label
from xinxiang.commands._show import console, json_text
from xinxiang.errors import XinxiangError
from xinxiang.handlers import AddCohandlers, DecideExtension, RouteTicket, handle
from xinxiang.replies.render import format_cn_deadline
from xinxiang.services.context import AppContext

NowOption = Annotated[
    str | None,
    typer.Option("--now", help="按此时间运行（ISO 8601；不带时区按学校时区）。"),
]


def _now(ctx: AppContext, value: str | None) -> datetime:
    if not value:
        return now_utc()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise XinxiangError(
            f"无法识别的时间 {value!r}（应为 ISO 8601，如 2026-12-01T09:30+08:00）"
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ctx.cfg.tz)
    return parsed


def _duration_cn(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{mins}分钟"
    return f"{mins}分钟"


def overdue(
    config: ConfigOption = None, as_json: JsonOption = False, now: NowOption = None
) -> None:
    """Open tickets past any deadline (逾期工单), most overdue first."""
    from xinxiang.services.office import deadline_label, list_overdue

    ctx = open_context(config)
    at = _now(ctx, now)
    items = list_overdue(ctx, at)
    tz = ctx.cfg.tz
    rows: list[dict[str, Any]] = [
        {
            "number": i.number,
            "department": i.department,
            "deadline": i.deadline,
            "deadline_name": deadline_label(i.deadline),
            "due": i.due.astimezone(tz).isoformat(),
            "overdue_seconds": int(i.overdue_by.total_seconds()),
            "overdue_by": _duration_cn(i.overdue_by),
        }
        for i in items
    ]
    if as_json:
        typer.echo(json_text(rows))
        return
    if not rows:
        typer.echo("没有逾期工单。")
        return
    table = Table("编号", "承办单位", "时限", "到期时间", "已逾期")
    for r, i in zip(rows, items, strict=True):
        table.add_row(
            r["number"],
            department_label(ctx.cfg, r["department"]),
            r["deadline_name"],
            format_cn_deadline(i.due, ctx.cfg.settings.school.timezone),
            r["overdue_by"],
        )
    console().print(table)


def route(
    number: Annotated[str, typer.Argument(help="工单号，如 2026-000123。")],
    department: Annotated[str, typer.Argument(help="承办单位代码或中文名称。")],
    reason: Annotated[str | None, typer.Option("--reason", help="理由（改派时必填）。")] = None,
    by: ByOption = None,
    config: ConfigOption = None,
    now: NowOption = None,
) -> None:
    """Dispatch a ticket from triage, or transfer it (改派): the clock restarts."""
    ctx = open_context(config)
    done = handle(RouteTicket(office_actor(by), number, department, reason), ctx, _now(ctx, now))
    tz = ctx.cfg.settings.school.timezone
    after = done.change.after
    verb = "已改派" if any(e.kind == "transferred" for e in done.change.events) else "已转办"
    typer.echo(f"{done.number} {verb}至 {department_label(ctx.cfg, after.department)}")
    for label, due in (
        ("响应时限", after.response_due),
        ("初步回复时限", after.preliminary_due),
        ("正式回复时限", after.formal_due),
    ):
        if due is not None:
            typer.echo(f"  {label}：{format_cn_deadline(due, tz)} 前")


def cohandle(
    number: Annotated[str, typer.Argument(help="工单号。")],
    departments: Annotated[list[str], typer.Argument(help="协办单位代码或中文名称。")],
    by: ByOption = None,
    config: ConfigOption = None,
    now: NowOption = None,
) -> None:
    """Add co-handling departments (协办); each reports within one working day."""
    ctx = open_context(config)
    command = AddCohandlers(office_actor(by), number, tuple(departments))
    done = handle(command, ctx, _now(ctx, now))
    tz = ctx.cfg.settings.school.timezone
    for a in done.change.cohandler_changes():
        typer.echo(
            f"{number} 协办单位：{department_label(ctx.cfg, a.department)}，"
            f"报告时限 {format_cn_deadline(a.due, tz)} 前"
        )


def extend(
    number: Annotated[str, typer.Argument(help="工单号。")],
    until: Annotated[str, typer.Option("--until", help="新的正式回复日期，YYYY-MM-DD。")],
    reason: Annotated[str, typer.Option("--reason", help="理由（发给承办单位）。")],
    refuse: Annotated[bool, typer.Option("--refuse", help="不同意延期。")] = False,
    by: ByOption = None,
    config: ConfigOption = None,
    now: NowOption = None,
) -> None:
    """Approve (or `--refuse`) an extension (延期) of the formal reply, at most 5 days.

    The decision also settles the department's pending 延期 request, if there is one.
    """
    try:
        day = date.fromisoformat(until)
    except ValueError as exc:
        raise XinxiangError(f"无法识别的日期 {until!r}（应为 YYYY-MM-DD）") from exc
    if not reason.strip():
        raise XinxiangError("延期审批须写明原因（--reason）")
    ctx = open_context(config)
    command = DecideExtension(office_actor(by), number, not refuse, reason, day)
    done = handle(command, ctx, _now(ctx, now))
    tz = ctx.cfg.settings.school.timezone
    formal_due = done.change.after.formal_due
    assert formal_due is not None
    shown_due = format_cn_deadline(formal_due, tz)
    if not refuse:
        typer.echo(f"{done.number} 已同意延期：正式回复时限 {shown_due} 前")
    else:
        typer.echo(f"{done.number} 未同意延期：正式回复时限仍为 {shown_due} 前")


def sweep(config: ConfigOption = None, now: NowOption = None, as_json: JsonOption = False) -> None:
    """Run one sweep now: send the reminders, overdue warnings and escalations due."""
    from xinxiang.services.sweep import describe
    from xinxiang.services.sweep import sweep as do_sweep

    ctx = open_context(config)
    result = do_sweep(ctx, _now(ctx, now))
    if as_json:
        typer.echo(
            json_text(
                [
                    {**dataclasses.asdict(s), "due": s.due.isoformat(), "to": list(s.to)}
                    for s in result.sent
                ]
            )
        )
        return
    lines = list(describe(result, ctx.cfg.settings.school.timezone))
    if not lines:
        typer.echo("没有需要发送的提醒。")
    for line in lines:
        typer.echo(line)


def digest(
    send: Annotated[bool, typer.Option("--send", help="加入发给党政办公室的发送队列。")] = False,
    config: ConfigOption = None,
    now: NowOption = None,
) -> None:
    """Print the weekly digest (周汇总); `--send` queues it to the office (once per week)."""
    from xinxiang.services.digest import queue_weekly_digest, render_digest, weekly_digest

    ctx = open_context(config)
    at = _now(ctx, now)
    if send:
        queued = queue_weekly_digest(ctx, at)
        typer.echo("周汇总已加入发送队列。" if queued else "本周的周汇总已经发送过。")
        return
    typer.echo(render_digest(ctx, weekly_digest(ctx, at)), nl=False)


_registered: set[int] = set()


def register(app: typer.Typer) -> None:
    """Attach the office commands (to the existing `tickets` group) and `sweep`, `digest`."""
    from xinxiang.commands.tickets_cmd import tickets_app

    if id(app) in _registered:
        return
    _registered.add(id(app))
    tickets_app.command("overdue")(overdue)
    tickets_app.command("route")(route)
    tickets_app.command("cohandle")(cohandle)
    tickets_app.command("extend")(extend)
    app.command("sweep")(sweep)
    app.command("digest")(digest)
