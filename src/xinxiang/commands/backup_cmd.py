"""`xinxiang backup` and `xinxiang restore`: a deployment's database, data files and config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xinxiang.commands._common import ConfigOption, now_utc
from xinxiang.config import default_config_dir, load_config
from xinxiang.services.backup import make_backup, restore_backup


def backup(
    out: Annotated[Path, typer.Option("--out", "-o", help="备份文件，或存放备份的目录。")],
    keep: Annotated[
        int | None,
        typer.Option(help="目录中只保留最新的几份（默认 [backup] keep）。", min=1),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write a consistent backup (database, data files, configuration), mode 0600."""
    cfg = load_config(config or default_config_dir())
    result = make_backup(cfg, out, now_utc(), keep=keep or cfg.settings.backup.keep)
    typer.echo(f"备份完成: {result.path}（{result.files} 个文件）")
    for path in result.removed:
        typer.echo(f"按保留份数删除旧备份: {path}")


def restore(
    source: Annotated[Path, typer.Option("--from", help="要恢复的备份文件。")],
    force: Annotated[bool, typer.Option("--force", help="目标不是空的也覆盖。")] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="恢复到另一个数据库（改写配置）。")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Restore a backup into an empty deployment (config directory, data directory, database)."""
    cfg = restore_backup(
        source, config or default_config_dir(), force=force, database_url=database_url
    )
    typer.echo(f"恢复完成: 配置 {cfg.directory}，数据 {cfg.data_dir}")


def register(app: typer.Typer) -> None:
    """Attach `backup` and `restore`."""
    app.command("backup")(backup)
    app.command("restore")(restore)
