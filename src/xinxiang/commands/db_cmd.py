"""`xinxiang db upgrade|status`: schema migrations."""

from __future__ import annotations

import typer

from xinxiang.commands._common import ConfigOption, open_context
from xinxiang.store.migrate import current_revision, head_revision, upgrade

db_app = typer.Typer(help="数据库结构：升级、版本。", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_cmd(config: ConfigOption = None) -> None:
    """Create or migrate the database schema to the newest revision."""
    ctx = open_context(config, require_schema=False)
    ctx.cfg.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(ctx.db)
    typer.echo(f"数据库已升级到 {current_revision(ctx.db)}: {ctx.db.engine.url.render_as_string()}")


@db_app.command("status")
def status_cmd(config: ConfigOption = None) -> None:
    """Show the schema revision of the database and of the code."""
    ctx = open_context(config, require_schema=False)
    typer.echo(f"数据库版本: {current_revision(ctx.db) or '未初始化'}；代码版本: {head_revision()}")


def register(app: typer.Typer) -> None:
    """Attach the `db` group."""
    app.add_typer(db_app, name="db")
