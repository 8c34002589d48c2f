"""`xinxiang config check [DIR]`: validate a deployment's configuration, starting nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xinxiang.commands._common import ConfigOption
from xinxiang.config import default_config_dir, load_config
from xinxiang.errors import XinxiangError
from xinxiang.validation import check_all

config_app = typer.Typer(help="配置：检查。", no_args_is_help=True)


@config_app.command("check")
def check(
    directory: Annotated[
        Path | None, typer.Argument(help="配置目录（默认 ./config），也可用 -c DIR。")
    ] = None,
    secrets: Annotated[bool, typer.Option(help="同时要求密钥所在的环境变量已设置。")] = True,
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


def register(app: typer.Typer) -> None:
    """Attach the `config` group."""
    app.add_typer(config_app, name="config")
