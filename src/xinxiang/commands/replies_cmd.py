"""`xinxiang holding|approve|reject|pending|record|publish`: the office's side of the reply loop."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from xinxiang.commands._common import ByOption, ConfigOption, now_utc, office_actor, open_context
from xinxiang.commands._labels import department_label
from xinxiang.commands._show import console, shown
from xinxiang.handlers import ApproveReply, RejectReply, handle
from xinxiang.handlers.documents import regenerate_record
from xinxiang.outgoing.answers import REPLY_TITLES
from xinxiang.replies import publishing
from xinxiang.replies.render import format_cn_datetime
from xinxiang.services import approval, holding

holding_app = typer.Typer(help="待甄别区：不能直接作用于工单的邮件。", no_args_is_help=True)
CLI_ACTOR = "cli:党政办公室"


@holding_app.command("list")
def holding_list(config: ConfigOption = None) -> None:
    """List the open entries of the holding pen."""
    ctx = open_context(config)
    tz = ctx.cfg.settings.school.timezone
    table = Table("编号", "时间", "发件人", "主题", "原因")
    with ctx.db.unit_of_work() as session:
        for hold, letter in holding.list_holding(session):
            table.add_row(
                str(hold.id),
                format_cn_datetime(hold.created_at, tz),
                shown(letter.from_addr),
                shown(letter.subject, limit=30),
                shown(hold.reason, limit=60),
            )
    console().print(table)


@holding_app.command("assign")
def holding_assign(
    hold_id: Annotated[int, typer.Argument(help="待甄别记录编号")],
    ticket: Annotated[str, typer.Argument(help="工单号，如 2026-000123")],
    config: ConfigOption = None,
) -> None:
    """Attach a held mail to a ticket as a note (it does not act on the ticket)."""
    ctx = open_context(config)
    number = holding.assign_held(ctx, hold_id, ticket, CLI_ACTOR, now_utc())
    typer.echo(f"已将待甄别邮件 {hold_id} 归入工单 {number}")


@holding_app.command("discard")
def holding_discard(
    hold_id: Annotated[int, typer.Argument(help="待甄别记录编号")], config: ConfigOption = None
) -> None:
    """Close a held mail without acting on it."""
    ctx = open_context(config)
    holding.discard_held(ctx, hold_id, CLI_ACTOR, now_utc())
    typer.echo(f"已丢弃待甄别邮件 {hold_id}")


def approve(
    ticket: Annotated[str, typer.Argument(help="工单号")],
    edit: Annotated[
        Path | None, typer.Option("--edit", help="修改后的答复文本文件（UTF-8）")
    ] = None,
    by: ByOption = None,
    config: ConfigOption = None,
) -> None:
    """同意 the pending reply of a ticket (with --edit: approve as edited)."""
    ctx = open_context(config)
    text = edit.read_text(encoding="utf-8").strip() if edit else None
    done = handle(ApproveReply(office_actor(by), ticket, text or None), ctx, now_utc())
    typer.echo(f"工单 {done.number} 已审核通过" + ("（按修改稿）" if text else ""))


def reject(
    ticket: Annotated[str, typer.Argument(help="工单号")],
    reason: Annotated[str, typer.Option("--reason", help="驳回理由")],
    by: ByOption = None,
    config: ConfigOption = None,
) -> None:
    """驳回 the pending reply of a ticket back to its department."""
    ctx = open_context(config)
    done = handle(RejectReply(office_actor(by), ticket, reason), ctx, now_utc())
    typer.echo(f"工单 {done.number} 的答复已驳回承办部门")


def pending(config: ConfigOption = None) -> None:
    """List the replies waiting for the office."""
    ctx = open_context(config)
    tz = ctx.cfg.settings.school.timezone
    table = Table("工单号", "类型", "承办单位", "主题", "提交时间")
    with ctx.db.unit_of_work() as session:
        items = approval.list_pending(session)
    for item in items:
        table.add_row(
            item.number,
            REPLY_TITLES.get(item.kind, item.kind),
            department_label(ctx.cfg, item.department),
            shown(item.subject, limit=30),
            format_cn_datetime(item.submitted_at, tz),
        )
    console().print(table)
    if not items:
        typer.echo("没有待审核的答复")


def record(
    ticket: Annotated[str, typer.Argument(help="工单号")],
    out: Annotated[Path, typer.Option("--out", help="PDF 输出文件")],
    config: ConfigOption = None,
) -> None:
    """Write the 处理单 of a ticket as PDF (also archived with the ticket)."""
    ctx = open_context(config)
    with ctx.db.unit_of_work() as session:
        row = approval.find_ticket(session, ticket)
        pdf, sha = regenerate_record(ctx, session, row, now_utc())
    out.write_bytes(pdf)
    typer.echo(f"已生成处理单 {out}（sha256 {sha}）")


def publish(
    out: Annotated[
        Path | None, typer.Option("--out", help="输出目录（默认 数据目录/public）")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write the public board (公开答复) as a static site."""
    ctx = open_context(config)
    target = out or publishing.default_board_dir(ctx)
    result = publishing.publish(ctx, target, now_utc())
    typer.echo(f"已发布 {result.letters} 封公开来信到 {result.out_dir}")


def register(app: typer.Typer) -> None:
    """Attach `holding`, `approve`, `reject`, `pending`, `record`, `publish`."""
    app.add_typer(holding_app, name="holding")
    app.command("approve")(approve)
    app.command("reject")(reject)
    app.command("pending")(pending)
    app.command("record")(record)
    app.command("publish")(publish)
