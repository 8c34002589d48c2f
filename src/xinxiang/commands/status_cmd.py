"""`xinxiang status`: every component's state in Chinese (运行状态).

Each mailbox source, the SMTP server, the outbox, the shunt, the OA link and the queue, as last
observed by the worker: 正常 or 异常 since when, the last success, whether the office was alerted.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from xinxiang.commands._common import ConfigOption, open_context
from xinxiang.replies.render import format_cn_datetime
from xinxiang.services.health import component_label, states
from xinxiang.store.models_health import NotificationRow

NOTIFY_STATE_LABELS = {"pending": "待发", "sending": "发送中", "sent": "已发", "failed": "失败"}


def status(config: ConfigOption = None) -> None:
    """Show every component's health (mailboxes, SMTP, outbox, shunt, OA, queue)."""
    ctx = open_context(config)
    tz = ctx.cfg.settings.school.timezone
    table = Table()
    for title in ("部件", "状态", "异常起始", "最近正常", "最近检查", "已告警", "说明"):
        table.add_column(title, no_wrap=title != "说明")

    def when(value: object) -> str:
        return format_cn_datetime(value, tz) if value is not None else "—"  # type: ignore[arg-type]

    with ctx.db.session() as session:
        known = {s.component: s for s in states(session)}
        counts = dict(
            session.execute(
                select(NotificationRow.state, func.count()).group_by(NotificationRow.state)
            ).all()
        )
    expected = [f"source:{s.name}" for s in ctx.cfg.settings.sources]
    expected += ["smtp", "outbox", "shunt", "oa", "queue"]
    for name in expected + sorted(set(known) - set(expected)):
        state = known.get(name)
        if state is None:
            table.add_row(component_label(name), "尚无记录", "—", "—", "—", "—", "")
            continue
        table.add_row(
            component_label(name),
            "正常" if state.ok else "异常",
            when(state.failing_since),
            when(state.last_ok_at),
            when(state.observed_at),
            "是" if state.alerted_since is not None else "否",
            state.detail[:80],
        )
    console = Console(width=200)
    console.print(table)
    channels = "、".join(ctx.cfg.settings.notify.channels) or "未启用"
    queue = "，".join(f"{NOTIFY_STATE_LABELS.get(k, k)} {v}" for k, v in sorted(counts.items()))
    console.print(f"通知渠道：{channels}；通知队列：{queue or '空'}")


def register(app: typer.Typer) -> None:
    """Attach `status`."""
    app.command("status")(status)
