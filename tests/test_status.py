"""`xinxiang status` in Chinese, and the worker's `/healthz` and `/metrics` on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from inbound_helpers import context, letter
from xinxiang.cli import app
from xinxiang.config import load_config
from xinxiang.errors import ConfigError
from xinxiang.services.health import observe
from xinxiang.services.health_http import start_server
from xinxiang.services.ingest import MessageOrigin, ingest_raw

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_status_shows_every_component_in_chinese(tmp_config: Callable[..., Path]) -> None:
    cfg_dir = tmp_config(maildir=Path("/nonexistent"))
    ctx = context(cfg_dir)
    observe(ctx.db, "smtp", False, T0, "Connection refused")
    result = CliRunner().invoke(app, ["status", "-c", str(cfg_dir)])
    assert result.exit_code == 0, result.output
    out = result.output
    for label in ("邮箱 maildir", "发信服务器", "发件队列", "搁置区", "OA 接口", "任务队列"):
        assert label in out
    assert "异常" in out and "尚无记录" in out and "通知渠道：未启用" in out


def test_healthz_and_metrics(tmp_config: Callable[..., Path]) -> None:
    ctx = context(tmp_config())
    ingest_raw(ctx, letter(), MessageOrigin("m", "书记信箱", "t"), T0)
    observe(ctx.db, "source:shuji", True, T0)
    observe(ctx.db, "smtp", False, T0, "down")
    server = start_server(ctx, "127.0.0.1:0", lambda: T0 + timedelta(days=30))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        health = httpx.get(f"{url}/healthz")
        assert health.status_code == 200
        body = json.loads(health.text)
        assert body["components"]["smtp"]["ok"] is False
        assert body["components"]["source:shuji"]["ok"] is True
        metrics = httpx.get(f"{url}/metrics").text
        assert "xinxiang_letters 1.0" in metrics
        assert 'xinxiang_component_up{component="smtp"} 0.0' in metrics
        assert 'xinxiang_component_last_success_seconds{component="source:shuji"}' in metrics
        assert "xinxiang_tickets{" in metrics and "xinxiang_overdue" in metrics
        assert "xinxiang_outbox{" in metrics and "xinxiang_shunt 0.0" in metrics
        assert httpx.get(f"{url}/other").status_code == 404
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("listen", ["0.0.0.0:9464", "10.0.0.5:9464", "127.0.0.1"])
def test_health_endpoint_is_loopback_only(tmp_config: Callable[..., Path], listen: str) -> None:
    cfg_dir = tmp_config(overrides={"health": {"listen": listen}})
    with pytest.raises(ConfigError) as err:
        load_config(cfg_dir)
    assert "health.listen" in str(err.value)


def test_an_enabled_channel_needs_its_section(tmp_config: Callable[..., Path]) -> None:
    cfg_dir = tmp_config(overrides={"notify": {"channels": ["wecom"]}})
    with pytest.raises(ConfigError) as err:
        load_config(cfg_dir)
    assert "notify.wecom" in str(err.value) and "xinxiang.toml" in str(err.value)
