"""`xinxiang config check [DIR]`: validate a deployment's configuration, starting nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xinxiang.commands._common import ConfigOption
from xinxiang.commands._show import shown
from xinxiang.config import Config, default_config_dir, load_config
from xinxiang.errors import XinxiangError
from xinxiang.validation import check_all

config_app = typer.Typer(help="配置：检查。", no_args_is_help=True)


@config_app.command("check")
def check(
    directory: Annotated[
        Path | None, typer.Argument(help="配置目录（默认 ./config），也可用 -c DIR。")
    ] = None,
    secrets: Annotated[bool, typer.Option(help="同时要求密钥所在的环境变量已设置。")] = True,
    connect: Annotated[
        bool, typer.Option("--connect", help="用配置的账号登录每个信箱和发信服务器。")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Validate every configuration file; print one line naming file, key and reason on error."""
    if directory is not None and config is not None and directory != config:
        raise XinxiangError(f"两个配置目录：{directory} 和 -c {config}，请只给一个")
    cfg = load_config(directory or config or default_config_dir())
    checked = check_all(cfg, secrets=secrets)
    typer.echo(f"配置有效: {cfg.directory} ({', '.join(checked)})")
    if secrets:
        previous = cfg.token_key().previous
        if previous:
            # Said at every check so a finished rotation's old keys are not forgotten.
            env = cfg.settings.security.previous_keys_env
            typer.echo(
                f"回复令牌密钥轮换中: {env} 中的 {len(previous)} 个旧密钥仍可验证已发出的令牌；"
                "过渡期结束后请删除。"
            )
    if connect:
        _connect(cfg)


def _connect(cfg: Config) -> None:
    """Log in to every server; one line each, exit 1 when any failed."""
    from xinxiang.services.connectivity import check_connections

    failed = 0
    for probe in check_connections(cfg):
        if probe.ok:
            typer.echo(f"连接成功: {probe.what}")
        else:
            failed += 1
            typer.echo(f"连接失败: {probe.what}: {shown(probe.detail)}", err=True)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach the `config` group."""
    app.add_typer(config_app, name="config")
