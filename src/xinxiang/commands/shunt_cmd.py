"""`xinxiang shunt list|show|retry|discard`: the items a stage set aside (搁置区).

An item whose handling raised (routing a ticket, handling a reply, archiving a 处理单, a sweep
notice, an OA petition or update) waits here with its error; after the cause is fixed, `retry`
puts it back and the next pass of its stage takes it again.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinxiang.commands._common import ConfigOption, now_utc, open_context
from xinxiang.errors import XinxiangError
from xinxiang.replies.render import format_cn_datetime
from xinxiang.services.shunt import (
    ITEM_LABELS,
    STAGE_LABELS,
    STATE_LABELS,
    discard_shunt,
    retry_shunt,
)
from xinxiang.store.shunts import get_shunt, list_shunts

shunt_app = typer.Typer(help="搁置区 (items a stage could not handle).", no_args_is_help=True)
CLI_ACTOR = "cli:党政办公室"
ShuntId = Annotated[int, typer.Argument(help="搁置编号")]


@shunt_app.command("list")
def shunt_list(
    all_: Annotated[
        bool, typer.Option("--all", help="也列出已完成和已放弃的（默认只列未处理的）")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """List shunted items (open and put back; --all: every state)."""
    ctx = open_context(config)
    tz = ctx.cfg.settings.school.timezone
    table = Table()
    for title in ("编号", "环节", "对象", "错误", "次数", "最近出错", "状态"):
        table.add_column(title, no_wrap=title != "错误")
    with ctx.db.unit_of_work() as session:
        for row in list_shunts(session, None if all_ else ("open", "retried")):
            table.add_row(
                str(row.id),
                STAGE_LABELS.get(row.stage, row.stage),
                f"{ITEM_LABELS.get(row.item_kind, row.item_kind)} {row.label}",
                f"{row.exc_type.rsplit('.', 1)[-1]}: {row.message}"[:60],
                str(row.attempts),
                format_cn_datetime(row.last_failed_at, tz),
                STATE_LABELS.get(row.state, row.state),
            )
    Console(width=240).print(table)


@shunt_app.command("show")
def shunt_show(shunt_id: ShuntId, config: ConfigOption = None) -> None:
    """Show one shunted item with its full traceback."""
    ctx = open_context(config)
    tz = ctx.cfg.settings.school.timezone
    with ctx.db.unit_of_work() as session:
        row = get_shunt(session, shunt_id)
        if row is None:
            raise XinxiangError(f"没有编号为 {shunt_id} 的搁置项")
        lines = [
            f"搁置编号：{row.id}",
            f"环节：{STAGE_LABELS.get(row.stage, row.stage)}（{row.stage}）",
            f"对象：{ITEM_LABELS.get(row.item_kind, row.item_kind)} {row.label}"
            f"（{row.item_kind} {row.item_key}）",
            f"状态：{STATE_LABELS.get(row.state, row.state)}",
            f"出错次数：{row.attempts}",
            f"首次出错：{format_cn_datetime(row.first_failed_at, tz)}",
            f"最近出错：{format_cn_datetime(row.last_failed_at, tz)}",
        ]
        if row.decided_at is not None:
            lines.append(f"处理：{row.decided_by or ''} {format_cn_datetime(row.decided_at, tz)}")
        lines += [f"错误：{row.exc_type}: {row.message}", "", "调用栈：", row.traceback.rstrip()]
    typer.echo("\n".join(lines))


@shunt_app.command("retry")
def shunt_retry(shunt_id: ShuntId, config: ConfigOption = None) -> None:
    """Put an item back: the next pass of its stage takes it again (after the cause is fixed)."""
    ctx = open_context(config)
    row = retry_shunt(ctx, shunt_id, CLI_ACTOR, now_utc())
    stage = STAGE_LABELS.get(row.stage, row.stage)
    typer.echo(f"已将搁置项 {row.id}（{row.label}）放回“{stage}”环节，下一轮处理时重试")


@shunt_app.command("discard")
def shunt_discard(shunt_id: ShuntId, config: ConfigOption = None) -> None:
    """Give up on an item: its stage leaves it out for good."""
    ctx = open_context(config)
    row = discard_shunt(ctx, shunt_id, CLI_ACTOR, now_utc())
    typer.echo(f"已放弃搁置项 {row.id}（{row.label}），不再处理")


def register(app: typer.Typer) -> None:
    """Attach `shunt`."""
    app.add_typer(shunt_app, name="shunt")
