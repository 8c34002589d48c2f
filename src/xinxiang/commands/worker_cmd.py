"""`xinxiang worker` and `xinxiang poll`: the long-running processor and a one-off pass."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import (
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from xinxiang.commands._common import ConfigOption, JsonOption, now_utc, open_context, setup_logging
from xinxiang.commands._show import console, json_text, shown
from xinxiang.errors import XinxiangError
from xinxiang.mailbox.imap import SourceUnavailable
from xinxiang.replies.transport import transport_for
from xinxiang.services.outbox import send_due
from xinxiang.services.poll import poll_source
from xinxiang.services.replies import process_pending_replies


def worker(
    config: ConfigOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the queue consumer: poll sources (IDLE + interval), send the outbox, periodic sweeps."""
    from xinxiang.worker import run_worker

    setup_logging(verbose)
    ctx = open_context(config)
    ctx.token_key  # noqa: B018 - fail now, with the variable's name, not on the first letter
    ctx.close()
    run_worker(ctx.cfg)


def poll(
    config: ConfigOption = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="只收取这个信箱。")
    ] = None,
    send: Annotated[bool, typer.Option(help="收取后发送待发邮件。")] = True,
    as_json: JsonOption = False,
) -> None:
    """One pass over the mail sources now, then send what the outbox holds."""
    import dataclasses

    ctx = open_context(config)
    ctx.token_key  # noqa: B018 - fail now, with the variable's name, not on the first letter
    names = source or [s.name for s in ctx.cfg.settings.sources]
    rows = []
    errors = []
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console(stderr=True), transient=True) as bar:
        for name in names:
            task = bar.add_task(f"收取 {name}", total=None)

            def advance(n: int, task: TaskID = task) -> None:
                bar.advance(task, n)

            try:
                result = poll_source(ctx, name, now_utc, advance)
            except KeyError:
                raise XinxiangError(f"no source named {name!r} in the configuration") from None
            except SourceUnavailable as exc:
                errors.append(str(exc))
                continue
            rows.append(result)
        handled = process_pending_replies(ctx, now_utc())
        sent = send_due(ctx, transport_for(ctx.cfg), now_utc()) if send else None
    if as_json:
        typer.echo(
            json_text(
                {
                    "sources": [dataclasses.asdict(r) for r in rows],
                    "replies": len(handled),
                    "sent": sent.sent if sent else 0,
                    "errors": errors,
                },
                indent=None,
            )
        )
    else:
        table = Table("信箱", "新建工单", "记录(非来信)", "重复", "隔离")
        for r in rows:
            table.add_row(
                r.source, str(r.created), str(r.recorded), str(r.duplicates), str(r.quarantined)
            )
        console().print(table)
        if sent:
            typer.echo(f"发出邮件 {sent.sent} 封，待重试 {sent.retried}，失败 {sent.failed}")
    for err in errors:
        typer.echo(f"xinxiang: warning: {shown(err)}", err=True)
    if errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach `worker` and `poll`."""
    app.command("worker")(worker)
    app.command("poll")(poll)
