"""`xinxiang init DIR` (new embedded deployment) and `xinxiang demo` (whole job, no servers)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from xinxiang.commands._labels import (
    LETTER_KIND_LABELS,
    department_label,
    label,
    status_label,
    urgency_label,
)
from xinxiang.commands._show import console, shown
from xinxiang.deployment import create_embedded_deployment
from xinxiang.errors import XinxiangError
from xinxiang.replies.tokens import generate_token_key
from xinxiang.store.models import LetterRow, OutboxRow, QuarantineRow, TicketRow


def init(
    directory: Annotated[
        Path | None, typer.Argument(help="新部署的目录（也可用 -c DIR）。")
    ] = None,
    school: Annotated[str, typer.Option(help="学校名称。")] = "示例大学",
    force: Annotated[bool, typer.Option(help="覆盖已有的 xinxiang.toml。")] = False,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="新部署的目录。"),
    ] = None,
) -> None:
    """Create a deployment on embedded defaults (SQLite, SqliteHuey, Maildir, .eml outbox)."""
    if directory is not None and config is not None and directory != config:
        raise XinxiangError(f"两个部署目录：{directory} 和 -c {config}，请只给一个")
    directory = directory or config
    if directory is None:
        raise XinxiangError("请给出新部署的目录：xinxiang init DIR（或 -c DIR）")
    create_embedded_deployment(directory, school=school, force=force)
    typer.echo(f"已创建部署目录 {directory}")
    # The key is printed, never written into the directory: secrets live in the environment
    # (or the service manager's secret store), not next to the config that gets copied around.
    typer.echo("已生成回复令牌密钥（32 字节随机数，请妥善保存，勿写入配置文件或提交到版本库）:")
    typer.echo(f"  export XINXIANG_TOKEN_KEY={generate_token_key()}")
    typer.echo(
        "OA 信访模块对接未启用：填好 oa.toml.example（地址、app_id、密钥变量）"
        "后改名为 oa.toml 即启用。"
    )
    typer.echo(f"下一步: xinxiang db upgrade -c {directory}; xinxiang worker -c {directory}")


def demo(
    out: Annotated[
        Path | None,
        typer.Option("--config", "-c", "--out", help="演示部署放在哪个目录（默认临时目录）。"),
    ] = None,
) -> None:
    """Run the main job end to end on sample letters, with no server at all."""
    from xinxiang.demo import run_demo

    directory = (out or Path(tempfile.mkdtemp(prefix="xinxiang-demo-"))).resolve()
    os.environ.setdefault("XINXIANG_TOKEN_KEY", generate_token_key())
    term = console()
    term.print(f"演示部署: {directory}（SQLite + SqliteHuey + Maildir，外发邮件写入 .eml 文件）")
    with term.status("正在处理示例来信、部门答复、审核与公开…"):
        result = run_demo(directory)
    ctx = result.ctx
    term.print(f"信箱中放入了 {result.letters} 封示例来信。")
    with ctx.db.unit_of_work() as session:
        tickets = session.execute(select(TicketRow).order_by(TicketRow.id)).scalars().all()
        noise = session.execute(
            select(LetterRow.kind, LetterRow.subject).where(
                LetterRow.ticket_id.is_(None), LetterRow.kind != "reply"
            )
        ).all()
        quarantined = session.execute(select(QuarantineRow)).scalars().all()
        mails = session.execute(select(OutboxRow)).scalars().all()
        table = Table("工单编号", "状态", "来信人", "主题", "承办单位", "紧急")
        for t in tickets:
            table.add_row(
                t.number,
                status_label(t.status),
                shown(t.petitioner_name or t.petitioner_addr),
                shown(t.subject, limit=24),
                department_label(ctx.cfg, t.department_code),
                urgency_label(t.urgency),
            )
        term.print(table)
        for kind, subject in noise:
            term.print(f"已记录但不答复（{label(LETTER_KIND_LABELS, kind)}）: {shown(subject)}")
        for q in quarantined:
            term.print(f"已隔离: {shown(q.location)} — {shown(q.reason)}")
        by_kind: dict[str, int] = {}
        for m in mails:
            by_kind[m.kind] = by_kind.get(m.kind, 0) + 1
        sent = sum(1 for m in mails if m.state == "sent")
        mails = [m for m in mails if m.state != "skipped"]
    term.print(
        f"外发邮件 {sent}/{len(mails)} 封（"
        + "，".join(f"{k} {n}" for k, n in sorted(by_kind.items()))
        + f"）: {ctx.outgoing_dir}"
    )
    for path in result.records:
        term.print(f"阅批处理单 PDF: {path}")
    if result.board is not None:
        term.print(f"公开答复网站: {result.board / 'index.html'}")
    for path in result.reports:
        term.print(f"月报: {path}")
    for note in result.notes:
        term.print(note)
    term.print(f"原始邮件与附件: {ctx.cfg.data_dir / 'blobs'}；数据库: {ctx.cfg.database_url}")
    term.print(f"查看工单: xinxiang tickets list -c {directory}")
    if result.console_account is not None:
        name, password = result.console_account
        term.print(
            f"网上工作台: xinxiang web -c {directory} ，然后打开 http://127.0.0.1:8000/login ，"
            f"党政办公室演示账号 {name}，密码 {password}",
            soft_wrap=True,  # one line, whatever the terminal's width: it is copied from
        )
    ctx.close()


def register(app: typer.Typer) -> None:
    """Attach `init` and `demo`."""
    app.command("init")(init)
    app.command("demo")(demo)
