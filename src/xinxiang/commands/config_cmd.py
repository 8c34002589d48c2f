"""`xinxiang config check [DIR]`: validate a deployment's configuration, starting nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xinxiang.config import default_config_dir, load_config
from xinxiang.validation import check_all

config_app = typer.Typer(help="Configuration commands.", no_args_is_help=True)


@config_app.command("check")
def check(
    directory: Annotated[
        Path | None, typer.Argument(help="Config directory (default ./config).")
    ] = None,
    secrets: Annotated[
        bool, typer.Option(help="Also require the secrets' environment variables.")
    ] = True,
) -> None:
    """Validate every configuration file; print one line naming file, key and reason on error."""
    cfg = load_config(directory or default_config_dir())
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
