"""`xinxiang oa sync` and `xinxiang oa status` against a running simulator."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from xinxiang.cli import main
from xinxiang.config import load_config
from xinxiang.oa_bridge.simulator import OaSimulator
from xinxiang.services.context import AppContext
from xinxiang.services.oa_store import oa_status
from xinxiang.store.migrate import upgrade

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[OaSimulator]:
    """A simulator with 120 petitions."""
    s = OaSimulator(tmp_path / "oa.db").start()
    assert s.store is not None
    s.store.seed(120)
    yield s
    s.stop()


@pytest.fixture
def config_dir(tmp_path: Path, sim: OaSimulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A deployment whose oa.toml points at the simulator and whose data dir is private."""
    d = tmp_path / "config"
    d.mkdir()
    for name in ("departments.toml", "rules.toml", "calendar.toml"):
        shutil.copy(REPO / "config" / name, d)
    main_toml = (REPO / "config" / "xinxiang.toml").read_text("utf-8")
    (d / "xinxiang.toml").write_text(
        main_toml.replace('data_dir = "../var"', f'data_dir = "{tmp_path / "var"}"'), "utf-8"
    )
    oa = (REPO / "config" / "oa.toml").read_text("utf-8")
    (d / "oa.toml").write_text(oa.replace("http://127.0.0.1:8711", sim.url), "utf-8")
    monkeypatch.setenv("XINXIANG_OA_SECRET", "simulator-secret")
    monkeypatch.setenv(
        "XINXIANG_TOKEN_KEY", "99c2628388697d22bc2f6ee028dda0a2acbf7d505cd7c8d2bb2cf48ac3ce3c49"
    )
    (tmp_path / "var").mkdir()
    ctx = AppContext(load_config(d))
    upgrade(ctx.db)
    ctx.close()
    yield d


def test_sync_then_status(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A first sync creates every petition; status shows the cursor and an empty backlog."""
    assert main(["oa", "sync", "--config", str(config_dir)]) == 0
    out = capsys.readouterr().out
    assert "新建 120" in out
    assert "推送: 成功 " in out
    ctx = AppContext(load_config(config_dir))
    assert oa_status(ctx.db)["petitions"] == 120
    ctx.close()
    assert main(["oa", "sync", "--config", str(config_dir)]) == 0
    assert "新建 0" in capsys.readouterr().out
    assert main(["oa", "status", "--config", str(config_dir)]) == 0
    out = capsys.readouterr().out
    assert "XF00000120" in out
    assert "已同步信访件: 120" in out
    assert "最近错误: 无" in out


def test_sync_while_oa_is_down_fails_in_one_line(
    config_dir: Path, sim: OaSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unreachable OA is reported and recorded; status lists the error."""
    oa = (config_dir / "oa.toml").read_text("utf-8")
    oa = oa.replace("max_attempts = 8", "max_attempts = 1")
    (config_dir / "oa.toml").write_text(oa, "utf-8")
    sim.stop()
    assert main(["oa", "sync", "--config", str(config_dir)]) == 1
    assert "拉取中断" in capsys.readouterr().err
    assert main(["oa", "status", "--config", str(config_dir)]) == 0
    out = capsys.readouterr().out
    assert "尚未同步" in out
    assert "OA 不可用" in out


def test_missing_secret_names_the_key(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the secret the command stops with file, key and reason."""
    monkeypatch.delenv("XINXIANG_OA_SECRET")
    assert main(["oa", "sync", "--config", str(config_dir)]) == 1
    err = capsys.readouterr().err
    assert "oa.toml: oa.secret_env: environment variable XINXIANG_OA_SECRET is not set" in err
