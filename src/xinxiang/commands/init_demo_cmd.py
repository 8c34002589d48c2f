"""`xinxiang init DIR` (new embedded deployment) and `xinxiang demo` (whole job, no servers)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from xinxiang.deployment import create_embedded_deployment
from xinxiang.domain.states import STATUS_LABELS, TicketStatus
from xinxiang.replies.tokens import generate_token_key
from xinxiang.store.models import LetterRow, OutboxRow, QuarantineRow, TicketRow


def init(
    directory: Annotated[Path, typer.Argument(help="Directory for the new deployment.")],
    school: Annotated[str, typer.Option(help="The school's name.")] = "示例大学",
    force: Annotated[bool, typer.Option(help="Overwrite an existing xinxiang.toml.")] = False,
) -> None:
    """Create a deployment on embedded defaults (SQLite, SqliteHuey, Maildir, .eml outbox)."""
    create_embedded_deployment(directory, school=school, force=force)
    typer.echo(f"已创建部署目录 {directory}")
    # The key is printed, never written into the directory: secrets live in the environment
    # (or the service manager's secret store), not next to the config that gets copied around.
    typer.echo("已生成回复令牌密钥（32 字节随机数，请妥善保存，勿写入配置文件或提交到版本库）:")
    typer.echo(f"  export XINXIANG_TOKEN_KEY={generate_token_key()}")
    typer.echo(f"下一步: xinxiang db upgrade -c {directory}; xinxiang worker -c {directory}")


def demo(
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to put the demo deployment.")
    ] = None,
) -> None:
    """Run the main job end to end on sample letters, with no server at all."""
    from xinxiang.demo import run_demo

    directory = (out or Path(tempfile.mkdtemp(prefix="xinxiang-demo-"))).resolve()
    os.environ.setdefault("XINXIANG_TOKEN_KEY", generate_token_key())
    console = Console()
    console.print(f"演示部署: {directory}（SQLite + SqliteHuey + Maildir，外发邮件写入 .eml 文件）")
    with console.status("正在处理示例来信、部门答复、审核与公开…"):
        result = run_demo(directory)
    ctx = result.ctx
    console.print(f"信箱中放入了 {result.letters} 封示例来信。")
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
            dept = ctx.cfg.department(t.department_code or "")
            table.add_row(
                t.number,
                STATUS_LABELS[TicketStatus(t.status)],
                t.petitioner_name or t.petitioner_addr,
                t.subject[:24],
                dept.name if dept else "—",
                {"emergency": "紧急", "priority": "优先", "normal": "一般"}.get(
                    t.urgency, t.urgency
                ),
            )
        console.print(table)
        for kind, subject in noise:
            console.print(f"已记录但不答复（{kind}）: {subject}")
        for q in quarantined:
            console.print(f"已隔离: {q.location} — {q.reason}")
        by_kind: dict[str, int] = {}
        for m in mails:
            by_kind[m.kind] = by_kind.get(m.kind, 0) + 1
        sent = sum(1 for m in mails if m.state == "sent")
        mails = [m for m in mails if m.state != "skipped"]
    console.print(
        f"外发邮件 {sent}/{len(mails)} 封（"
        + "，".join(f"{k} {n}" for k, n in sorted(by_kind.items()))
        + f"）: {ctx.outgoing_dir}"
    )
    for path in result.records:
        console.print(f"处理单 PDF: {path}")
    if result.board is not None:
        console.print(f"公开答复网站: {result.board / 'index.html'}")
    for note in result.notes:
        console.print(note)
    console.print(f"原始邮件与附件: {ctx.cfg.data_dir / 'blobs'}；数据库: {ctx.cfg.database_url}")
    console.print(f"查看工单: xinxiang tickets list -c {directory}")
    ctx.close()


def register(app: typer.Typer) -> None:
    """Attach `init` and `demo`."""
    app.command("init")(init)
    app.command("demo")(demo)
