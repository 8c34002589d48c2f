"""`xinxiang redact show|lift|add|takedown|restore`: the office decides what the board shows.

`show` prints the public text of a ticket with every redaction numbered; `lift` keeps marks
visible (保留), `add` hides more (隐去), `takedown` removes a published letter from the board
(撤下), `restore` puts it back (恢复公开). The same commands as the office's mail (保留 3 /
隐去：…), through `handlers.redaction`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from xinxiang.commands._common import ByOption, ConfigOption, now_utc, office_actor, open_context
from xinxiang.commands._show import shown
from xinxiang.handlers.redaction import (
    AddRedaction,
    LiftRedaction,
    RestoreToBoard,
    TakeDown,
    handle_public,
    public_text,
)
from xinxiang.replies.public_review import office_view

redact_app = typer.Typer(
    help="公开文本：隐去标记的保留、增加，撤下和恢复公开。", no_args_is_help=True
)

NumberArg = Annotated[str, typer.Argument(help="工单号，如 2026-000123")]


@redact_app.command("show")
def show(ticket: NumberArg, config: ConfigOption = None) -> None:
    """The public text of a ticket with every redaction numbered."""
    ctx = open_context(config)
    with ctx.db.unit_of_work() as session:
        text = public_text(ctx, session, ticket)
        row = text.row
        view = office_view(text.review)
        state = (
            "已撤下"
            if row is not None and row.taken_down_at is not None
            else "已按审核文本发布"
            if row is not None and row.answer is not None
            else "待审核通过后发布"
        )
        marks = len(text.review.marks)
    typer.echo(f"工单 {text.ticket.number} · {state} · 隐去标记 {marks} 处")
    typer.echo(shown(view, multiline=True))


@redact_app.command("lift")
def lift(
    ticket: NumberArg,
    marks: Annotated[list[int], typer.Argument(help="要保留（公开时不隐去）的标记编号")],
    by: ByOption = None,
    config: ConfigOption = None,
) -> None:
    """保留: the numbered marks stay visible on the board."""
    ctx = open_context(config)
    typer.echo(handle_public(LiftRedaction(office_actor(by), ticket, tuple(marks)), ctx, now_utc()))


@redact_app.command("add")
def add(
    ticket: NumberArg,
    terms: Annotated[list[str], typer.Argument(help="公开时要另行隐去的文字")],
    by: ByOption = None,
    config: ConfigOption = None,
) -> None:
    """隐去: every occurrence of the words is hidden on the board."""
    ctx = open_context(config)
    typer.echo(handle_public(AddRedaction(office_actor(by), ticket, tuple(terms)), ctx, now_utc()))


@redact_app.command("takedown")
def takedown(
    ticket: NumberArg,
    reason: Annotated[str, typer.Option("--reason", help="撤下原因（记入办理记录）")],
    by: ByOption = None,
    config: ConfigOption = None,
) -> None:
    """撤下: the published letter leaves the board and the feed."""
    ctx = open_context(config)
    typer.echo(handle_public(TakeDown(office_actor(by), ticket, reason), ctx, now_utc()))


@redact_app.command("restore")
def restore(
    ticket: NumberArg,
    reason: Annotated[str, typer.Option("--reason", help="恢复原因（可选，记入办理记录）")] = "",
    by: ByOption = None,
    config: ConfigOption = None,
) -> None:
    """恢复公开: a letter taken down goes back on the board and the feed, as approved."""
    ctx = open_context(config)
    typer.echo(handle_public(RestoreToBoard(office_actor(by), ticket, reason), ctx, now_utc()))


def register(app: typer.Typer) -> None:
    """Attach `redact`."""
    app.add_typer(redact_app, name="redact")
