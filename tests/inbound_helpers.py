"""Small builders shared by the inbound end-to-end tests (raw letters, contexts)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from xinxiang.config import load_config
from xinxiang.services.context import AppContext
from xinxiang.store.migrate import upgrade


def letter(
    subject: str = "宿舍热水问题",
    body: str = "老师您好，12号楼的热水已经三天没有了，请尽快处理。",
    sender: str = "zhangsan@stu.example.edu.cn",
    name: str = "张三",
    *,
    message_id: str | None = None,
    charset: str = "utf-8",
) -> bytes:
    """A realistic plain-text letter."""
    m = EmailMessage()
    m["From"] = f"{name} <{sender}>"
    m["To"] = "xinxiang@example.edu.cn"
    m["Subject"] = subject
    m["Date"] = format_datetime(datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    m["Message-ID"] = message_id or make_msgid(domain="stu.example.edu.cn")
    m.set_content(body, charset=charset)
    return bytes(m)


def context(cfg_dir: Path) -> AppContext:
    """A migrated application context for a test deployment."""
    ctx = AppContext(load_config(cfg_dir))
    ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    return ctx
