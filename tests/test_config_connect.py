"""`xinxiang config check --connect`: every server is logged in to with the configured
credentials, and a failure names the server and the environment variable involved."""

from __future__ import annotations

from pathlib import Path

import pytest

from servers import ImapAccount, SmtpSink, free_port
from xinxiang.cli import main


def without_oa(cfg_dir: Path) -> Path:
    """The test deployment copies the sample oa.toml; these tests are about mail only."""
    (cfg_dir / "oa.toml").unlink()
    return cfg_dir


def test_all_servers_answer(
    tmp_config, imap_account: ImapAccount, smtp_sink: SmtpSink, capsys
) -> None:  # type: ignore[no-untyped-def]
    cfg_dir = without_oa(tmp_config(imap=imap_account, smtp=smtp_sink))
    assert main(["config", "check", "-c", str(cfg_dir), "--connect"]) == 0
    out = capsys.readouterr().out
    assert "连接成功: 信箱 shuji" in out
    assert f"连接成功: 发信服务器（SMTP {smtp_sink.host}:{smtp_sink.port}）" in out


def test_a_wrong_password_and_a_dead_smtp_port_are_named(
    tmp_config, dovecot, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    good, bad = dovecot.new_account(), dovecot.new_account()
    dead = free_port()
    cfg_dir = without_oa(
        tmp_config(imap=[good, bad], smtp=smtp_sink, overrides={"smtp": {"port": dead}})
    )
    monkeypatch.setenv("XINXIANG_TEST_IMAP_PASSWORD_1", bad.password + "-wrong")
    assert main(["config", "check", "-c", str(cfg_dir), "--connect"]) == 1
    captured = capsys.readouterr()
    assert "连接成功: 信箱 shuji" in captured.out
    failures = captured.err.splitlines()
    assert len(failures) == 2
    assert failures[0].startswith(f"连接失败: 信箱 xiaozhang（IMAP {bad.user}@")
    assert "用户名或密码错误" in failures[0]
    assert "XINXIANG_TEST_IMAP_PASSWORD_1" in failures[0]
    assert failures[1].startswith(f"连接失败: 发信服务器（SMTP {smtp_sink.host}:{dead}）: 无法连接")


def test_an_unset_password_variable_is_named(
    tmp_config, imap_account: ImapAccount, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    cfg_dir = without_oa(tmp_config(imap=imap_account))
    monkeypatch.delenv("XINXIANG_TEST_IMAP_PASSWORD_0")
    # The plain check already refuses; with --no-secrets the login probe says it in Chinese.
    assert main(["config", "check", "-c", str(cfg_dir), "--connect"]) == 1
    assert "XINXIANG_TEST_IMAP_PASSWORD_0 is not set" in capsys.readouterr().err
    assert main(["config", "check", "-c", str(cfg_dir), "--no-secrets", "--connect"]) == 1
    err = capsys.readouterr().err
    assert "环境变量 XINXIANG_TEST_IMAP_PASSWORD_0 未设置" in err


def test_the_oa_is_logged_in_to_when_enabled(
    tmp_config, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from xinxiang.oa_bridge.simulator import OaSimulator

    repo = Path(__file__).resolve().parents[1]
    sim = OaSimulator(tmp_path / "oa.db", secret="simulator-secret").start()
    try:
        cfg_dir = tmp_config()
        oa = (repo / "config" / "oa.toml").read_text("utf-8")
        (cfg_dir / "oa.toml").write_text(oa.replace("http://127.0.0.1:8711", sim.url), "utf-8")
        monkeypatch.setenv("XINXIANG_OA_SECRET", "simulator-secret")
        assert main(["config", "check", "-c", str(cfg_dir), "--connect"]) == 0
        assert f"连接成功: OA 信访模块（{sim.url}）" in capsys.readouterr().out
        monkeypatch.setenv("XINXIANG_OA_SECRET", "wrong")
        assert main(["config", "check", "-c", str(cfg_dir), "--connect"]) == 1
        err = capsys.readouterr().err
        assert "连接失败: OA 信访模块" in err and "XINXIANG_OA_SECRET" in err
    finally:
        sim.stop()
