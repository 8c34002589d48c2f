"""`xinxiang revisit list|due|rate|settle|instruct|skip|run`: the office's side of 回访.

`due` is the office's phone list (电话回访): the rounds of petitioners who left a phone number
and no e-mail. A rating taken by phone (seed 002 第十条: 通过预留的联系方式) is entered with
who took it and when (`--at`);
`settle` is 销账 by the office's decision with its reason; `instruct` records the supervising
leader's 批示 on a ticket under 督办 and sends it to the department; `run` does now what the
worker's `revisit` job does every minute.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select

from xinxiang.commands._common import ConfigOption, JsonOption, open_context
from xinxiang.commands._show import json_text, shown
from xinxiang.commands.office_cmd import NowOption, _now
from xinxiang.domain.workflow.revisit import CHANNEL_LABELS, RATING_LABELS, SKIP_LABELS
from xinxiang.handlers import handle
from xinxiang.handlers.messages import (
    Actor,
    RateTicket,
    RecordInstruction,
    SettleTicket,
    SkipRevisit,
)
from xinxiang.replies.render import format_cn_datetime
from xinxiang.services.revisit import phone_list, revisit_pass
from xinxiang.store.models import TicketRow
from xinxiang.store.models_revisit import RevisitRow

revisit_app = typer.Typer(help="回访：评价、发回重办、督办批示、销账。", no_args_is_help=True)

ByOption = Annotated[str, typer.Option("--by", help="经办人姓名（记入办理记录）。")]
_STATE_LABELS = {
    "sent": "待评价",
    "reminded": "已提醒",
    "rated": "已评价",
    "unrated": "未评价",
    "skipped": "不予回访",
}


def _office(name: str) -> Actor:
    return Actor(role="office", name=name, channel="cli")


@revisit_app.command("list")
def list_rounds(
    state: Annotated[
        str | None,
        typer.Option("--state", help="只列此状态：sent reminded rated unrated skipped。"),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="最多列出多少条。")] = 50,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """The newest revisit rounds with their state and rating."""
    ctx = open_context(config)
    tz = ctx.cfg.settings.school.timezone
    with ctx.db.session() as session:
        q = (
            select(RevisitRow, TicketRow.number, TicketRow.status)
            .join(TicketRow, TicketRow.id == RevisitRow.ticket_id)
            .order_by(RevisitRow.id.desc())
            .limit(limit)
        )
        if state:
            q = q.where(RevisitRow.state == state)
        rows: list[dict[str, Any]] = [
            {
                "number": number,
                "round": r.round,
                "state": r.state,
                "skip_reason": r.skip_reason,
                "rating": r.rating,
                "channel": r.channel,
                "comment": r.comment,
                "department": r.department_code,
                "ticket_status": status,
                "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                "due_at": r.due_at.isoformat() if r.due_at else None,
                "rated_at": r.rated_at.isoformat() if r.rated_at else None,
                "rated_by": r.rated_by,
            }
            for r, number, status in session.execute(q).all()
        ]
    if as_json:
        typer.echo(json_text(rows))
        return
    if not rows:
        typer.echo("没有回访记录。")
    for row in rows:
        parts = [
            f"{row['number']} 第{row['round']}轮 {_STATE_LABELS.get(row['state'], row['state'])}"
        ]
        if row["rating"] is not None:
            parts.append(
                f"{RATING_LABELS[row['rating']]}（{CHANNEL_LABELS.get(row['channel'], '')}）"
            )
        if row["skip_reason"]:
            parts.append(SKIP_LABELS.get(row["skip_reason"], row["skip_reason"]))
        if row["due_at"] and row["state"] in ("sent", "reminded"):
            parts.append(f"评价期限 {format_cn_datetime(_parse(row['due_at']), tz)}")
        typer.echo("  ".join(parts))


def _parse(value: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value)


@revisit_app.command("due")
def due(config: ConfigOption = None, as_json: JsonOption = False, now: NowOption = None) -> None:
    """The office's phone list (电话回访): rounds waiting for a rating taken by phone."""
    ctx = open_context(config)
    at = _now(ctx, now)
    tz = ctx.cfg.settings.school.timezone
    with ctx.db.session() as session:
        calls = phone_list(ctx, session, at)
    if as_json:
        typer.echo(
            json_text(
                [
                    {
                        "number": c.number,
                        "round": c.round,
                        "state": c.state,
                        "due_at": c.due_at.isoformat() if c.due_at else None,
                        "overdue": c.overdue,
                        "phone": c.phone,
                        "name": c.name,
                        "subject": c.subject,
                        "department": c.department,
                    }
                    for c in calls
                ]
            )
        )
        return
    if not calls:
        typer.echo("没有待电话回访的工单。")
    for c in calls:
        parts = [f"{c.number} 第{c.round}轮", f"电话 {c.phone or '（未找到号码，请查看来信）'}"]
        if c.name:
            parts.append(shown(c.name))
        if c.due_at is not None:
            late = "已逾期，" if c.overdue else ""
            parts.append(f"{late}期限 {format_cn_datetime(c.due_at, tz)}")
        parts.append(shown(c.subject, limit=40))
        typer.echo("  ".join(parts))


@revisit_app.command("rate")
def rate(
    number: Annotated[str, typer.Argument(help="工单号，如 2026-000123。")],
    level: Annotated[
        int, typer.Argument(help="评价：5 非常满意 4 满意 3 基本满意 2 不满意 1 非常不满意。")
    ],
    by: ByOption,
    comment: Annotated[str | None, typer.Option("--comment", help="来信人的意见。")] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="通话时间（ISO 8601；不带时区按学校时区；默认当前时间）。"),
    ] = None,
    config: ConfigOption = None,
    now: NowOption = None,
) -> None:
    """Enter a rating taken by phone (电话回访), with who took it and when."""
    ctx = open_context(config)
    taken = _now(ctx, at) if at else None
    command = RateTicket(_office(by), number, level, "phone", comment, taken_at=taken)
    done = handle(command, ctx, _now(ctx, now))
    typer.echo(done.summary)


@revisit_app.command("settle")
def settle(
    number: Annotated[str, typer.Argument(help="工单号。")],
    reason: Annotated[str, typer.Option("--reason", help="销账原因（记入办理记录）。")],
    by: ByOption = "office-cli",
    config: ConfigOption = None,
    now: NowOption = None,
) -> None:
    """销账 by the office's decision, with its reason."""
    ctx = open_context(config)
    done = handle(SettleTicket(_office(by), number, reason), ctx, _now(ctx, now))
    typer.echo(done.summary)


@revisit_app.command("instruct")
def instruct(
    number: Annotated[str, typer.Argument(help="工单号。")],
    text: Annotated[str, typer.Option("--text", help="分管校领导的批示内容。")],
    by: ByOption,
    config: ConfigOption = None,
    now: NowOption = None,
) -> None:
    """Record the supervising leader's 批示 and send it to the department."""
    ctx = open_context(config)
    done = handle(RecordInstruction(_office(by), number, text), ctx, _now(ctx, now))
    typer.echo(done.summary)


@revisit_app.command("skip")
def skip(
    number: Annotated[str, typer.Argument(help="工单号。")],
    reason: Annotated[
        str, typer.Option("--reason", help="no_contact refused illegal not_handled office。")
    ],
    note: Annotated[str, typer.Option("--note", help="说明。")] = "",
    by: ByOption = "office-cli",
    config: ConfigOption = None,
    now: NowOption = None,
) -> None:
    """不予回访 (seed 004 第十条) with the reason; the account is settled."""
    ctx = open_context(config)
    done = handle(SkipRevisit(_office(by), number, reason, note), ctx, _now(ctx, now))
    typer.echo(done.summary)


@revisit_app.command("run")
def run(config: ConfigOption = None, now: NowOption = None) -> None:
    """Do the revisit job once now: send, skip, remind, mark unrated."""
    ctx = open_context(config)
    result = revisit_pass(ctx, _now(ctx, now))
    for number in result.sent:
        if number in result.by_phone:
            typer.echo(f"{number} 来信人未留电子邮箱，已列入电话回访清单")
        else:
            typer.echo(f"{number} 已发出回访")
    for number, why in result.skipped:
        typer.echo(f"{number} 不予回访：{SKIP_LABELS.get(why, why)}")
    for number in result.reminded:
        typer.echo(f"{number} 已提醒评价")
    for number in result.unrated:
        typer.echo(f"{number} 未评价，已销账")
    for number, why in result.failed:
        typer.echo(f"{number} 未处理：{why}")
    if not (result.sent or result.skipped or result.reminded or result.unrated or result.failed):
        typer.echo("没有到期的回访。")


def register(app: typer.Typer) -> None:
    """Attach `revisit`."""
    app.add_typer(revisit_app, name="revisit")
