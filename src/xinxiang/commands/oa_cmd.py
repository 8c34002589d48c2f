"""`xinxiang oa simulate | sync | status`: the reference OA, a sync run, the backlog."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from xinxiang.commands._common import ConfigOption, now_utc, open_context
from xinxiang.commands._show import shown
from xinxiang.config import Config, default_config_dir, load_config
from xinxiang.errors import XinxiangError
from xinxiang.oa_bridge.config import OaSettings, load_oa_for, oa_secret
from xinxiang.oa_bridge.sim_faults import Faults, parse_faults
from xinxiang.oa_bridge.simulator import OaSimulator
from xinxiang.services.oa_store import oa_status
from xinxiang.services.oa_tasks import oa_pull, oa_push

oa_app = typer.Typer(help="OA 信访模块对接：模拟器、同步、状态。", no_args_is_help=True)


class OaCommandError(XinxiangError):
    """A failure of an `oa` command worth one line."""


def _load(config: Path | None) -> tuple[Config, OaSettings]:
    cfg = load_config(config or default_config_dir())
    if not (cfg.directory / "oa.toml").exists():
        raise OaCommandError(f"{cfg.directory / 'oa.toml'}: 未配置 OA 对接（文件不存在）")
    return cfg, load_oa_for(cfg)


@oa_app.command("simulate")
def simulate(
    port: Annotated[int, typer.Option(help="监听端口。")] = 8711,
    host: Annotated[str, typer.Option(help="监听地址。")] = "127.0.0.1",
    db: Annotated[
        Path | None,
        typer.Option(
            help="模拟器 SQLite 数据库文件（默认 var/oa-simulator.db，或 -c 部署的数据目录）。"
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="确保库中至少有这么多条信访件。")] = 0,
    faults: Annotated[str, typer.Option(help="故障注入，如 error_rate=0.1,expire_every=50。")] = "",
    app_id: Annotated[str, typer.Option(help="接受的 app_id。")] = "xinxiang",
    secret: Annotated[
        str, typer.Option(envvar="XINXIANG_OA_SECRET", help="接受的 secret。")
    ] = "simulator-secret",
    config: ConfigOption = None,
) -> None:
    """Run the reference OA server until interrupted."""
    if db is None:
        data_dir = load_config(config).data_dir if config is not None else Path("var")
        db = data_dir / "oa-simulator.db"
    try:
        fault_cfg = parse_faults(faults, Faults())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--faults") from exc
    sim = OaSimulator(db, host=host, port=port, app_id=app_id, secret=secret, faults=fault_cfg)
    sim.start()
    assert sim.store is not None
    added = sim.store.seed(seed) if seed else 0
    typer.echo(
        f"OA 模拟器已启动: {sim.url}  数据库 {db}  信访件 {sim.store.count()} 条（新增 {added}）"
    )
    typer.echo("按 Ctrl-C 停止。")
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
        typer.echo("OA 模拟器已停止。")


@oa_app.command("sync")
def sync(
    full: Annotated[bool, typer.Option("--full", help="忽略游标，从头拉取全部信访件。")] = False,
    push: Annotated[bool, typer.Option(help="拉取后推送待发的办理状态。")] = True,
    config: ConfigOption = None,
) -> None:
    """Pull petitions from the OA, then push pending status updates."""
    cfg, settings = _load(config)
    oa_secret(cfg, settings)  # a missing secret is reported before anything else happens
    ctx = open_context(cfg.directory)
    try:
        with Progress(
            TextColumn("从 OA 拉取信访件"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        ) as bar:
            task = bar.add_task("pull", total=None)

            def progress(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            result = oa_pull(ctx, now_utc(), full=full, progress=progress, settings=settings)
        typer.echo(
            f"拉取: 新建 {result.created}，更新 {result.updated}，无变化 {result.unchanged}，"
            f"重复 {result.duplicates}，搁置 {result.parked}，共 {result.pages} 页"
        )
        if result.error:
            typer.echo(
                f"拉取中断（已完成部分已保存，下次从游标继续）: {shown(result.error)}", err=True
            )
        if push:
            pushed = oa_push(ctx, now_utc(), settings=settings)
            typer.echo(
                f"推送: 成功 {pushed.sent}，待重试 {pushed.failed}，搁置 {pushed.parked}，"
                f"顺延 {pushed.blocked}" + ("（OA 不可用，已停止）" if pushed.stopped else "")
            )
        if result.error:
            raise typer.Exit(1)
    finally:
        ctx.close()


@oa_app.command("status")
def status(
    config: ConfigOption = None,
) -> None:
    """Show the pull cursor, the push backlog and the latest errors."""
    cfg, _settings = _load(config)
    ctx = open_context(cfg.directory)
    try:
        st = oa_status(ctx.db)
    finally:
        ctx.close()
    cur = st["cursor"]
    typer.echo(f"游标: {cur['updated_at']} / {cur['petition_id']}" if cur else "游标: （尚未同步）")
    typer.echo(f"已同步信访件: {st['petitions']}  搁置（无法解析）: {st['parked_petitions']}")
    typer.echo(
        f"推送队列: 待发 {st['outbox_pending']}（其中重试中 {st['outbox_retrying']}），"
        f"搁置 {st['outbox_parked']}，已确认 {st['outbox_sent']}"
    )
    if st["last_errors"]:
        typer.echo("最近错误:")
        for e in st["last_errors"]:
            typer.echo(f"  {e['at']} [{e['source']}] {shown(e['message'])}")
    else:
        typer.echo("最近错误: 无")


def register(app: typer.Typer) -> None:
    """Attach the `oa` group."""
    app.add_typer(oa_app, name="oa")
