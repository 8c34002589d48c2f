"""Helpers shared by CLI commands: loading the deployment and checking the schema."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from xinxiang.config import default_config_dir, load_config
from xinxiang.errors import XinxiangError
from xinxiang.handlers.messages import Actor
from xinxiang.services.context import AppContext
from xinxiang.store.migrate import current_revision, head_revision

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="部署配置目录（默认 $XINXIANG_CONFIG，否则 ./config）。"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="输出 JSON 而非表格。")]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        "--actor",
        help="经办人姓名（记入办理记录和阅批处理单；默认 $XINXIANG_OPERATOR，否则“党政办公室”）。",
    ),
]


def office_actor(by: str | None) -> Actor:
    """The office acting from the command line, named (`--by`, else $XINXIANG_OPERATOR).

    The ticket's log and the 阅批处理单 record `cli:<name>`, shown as “<name>（命令行）”.
    """
    name = (by or os.environ.get("XINXIANG_OPERATOR") or "").strip() or "党政办公室"
    return Actor(role="office", name=f"cli:{name}", channel="cli")


def open_context(config_dir: Path | None, *, require_schema: bool = True) -> AppContext:
    """Load the configuration and (optionally) insist that the schema is current."""
    cfg = load_config(config_dir or default_config_dir())
    ctx = AppContext(cfg)
    # State changes made from the command line reach the OA like the worker's do.
    from xinxiang.services.oa_hooks import install_oa_hooks

    install_oa_hooks(cfg, ctx.db)
    if require_schema:
        try:
            current = current_revision(ctx.db)
        except Exception as exc:
            raise XinxiangError(f"cannot open the database {cfg.database_url}: {exc}") from exc
        if current != head_revision():
            raise XinxiangError(
                f"database schema is at {current or 'nothing'}, code expects {head_revision()}: "
                "run `xinxiang db upgrade`"
            )
    return ctx


def now_utc() -> datetime:
    """The current time (aware, UTC)."""
    return datetime.now(UTC)


def setup_logging(verbose: bool = False) -> None:
    """Plain log lines on stderr, third-party chatter at WARNING (`xinxiang.logs`)."""
    from xinxiang.logs import setup_logging as setup

    setup(verbose)
