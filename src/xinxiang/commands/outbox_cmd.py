"""`xinxiang outbox held|release|discard`: automatic mail held over an address's cap (暂存邮件).

Mail past `outgoing.outside_per_hour` to one outside address in an hour is kept, not sent, and
the office is told once; here the office looks at it and decides.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from xinxiang.commands._common import ConfigOption, now_utc, open_context
from xinxiang.commands._show import console, shown
from xinxiang.replies.render import format_cn_datetime
from xinxiang.services.held_mail import decide_held, held_mail

outbox_app = typer.Typer(help="发件队列中的暂存邮件。", no_args_is_help=True)
CLI_ACTOR = "cli:党政办公室"
Ids = Annotated[list[int] | None, typer.Argument(help="暂存邮件编号（可多个）")]
Address = Annotated[str | None, typer.Option("--address", help="处理发往该地址的全部暂存邮件")]


@outbox_app.command("held")
def outbox_held(
    address: Address = None,
    config: ConfigOption = None,
) -> None:
    """List held mails (to one address with --address), oldest first."""
    ctx = open_context(config)
    tz = ctx.cfg.settings.school.timezone
    with ctx.db.unit_of_work() as session:
        rows = held_mail(session, address)
    if not rows:
        typer.echo("没有暂存的邮件")
        return
    table = Table()
    for title in ("编号", "工单", "邮件类型", "收件人", "暂存时间"):
        table.add_column(title)
    for r in rows:
        table.add_row(
            str(r.id),
            r.ticket_number or "—",
            r.kind,
            shown(", ".join(r.recipients)),
            format_cn_datetime(r.created_at, tz),
        )
    console().print(table)


@outbox_app.command("release")
def outbox_release(ids: Ids = None, address: Address = None, config: ConfigOption = None) -> None:
    """Send held mails after all (the office's decision overrides the cap)."""
    ctx = open_context(config)
    done = decide_held(ctx, "release", ids or [], CLI_ACTOR, now_utc(), address=address)
    typer.echo(f"已放行 {len(done)} 封暂存邮件（编号 {', '.join(map(str, done))}），将按序发出")


@outbox_app.command("discard")
def outbox_discard(ids: Ids = None, address: Address = None, config: ConfigOption = None) -> None:
    """Never send held mails (they stay recorded)."""
    ctx = open_context(config)
    done = decide_held(ctx, "discard", ids or [], CLI_ACTOR, now_utc(), address=address)
    typer.echo(f"已放弃 {len(done)} 封暂存邮件（编号 {', '.join(map(str, done))}），不再发送")


def register(app: typer.Typer) -> None:
    """Attach `outbox`."""
    app.add_typer(outbox_app, name="outbox")
