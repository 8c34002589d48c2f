"""Defaults that work: where the data lives, and what a fresh `xinxiang init` switches on."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinxiang.config import load_config, resolve_data_dir
from xinxiang.deployment import create_embedded_deployment
from xinxiang.errors import ConfigError
from xinxiang.services.oa_tasks import oa_enabled


@pytest.mark.parametrize(
    ("config_dir", "configured", "expected"),
    [
        ("/etc/xinxiang", "", "/var/lib/xinxiang"),
        ("/etc", "", "/var/lib/xinxiang"),
        ("/etc/xinxiang/prod", "", "/var/lib/xinxiang"),
        ("/etc/xinxiang", "/srv/xinxiang", "/srv/xinxiang"),
        ("/opt/xinxiang/config", "", "/opt/xinxiang/config/var"),
        ("/opt/xinxiang/config", "../var", "/opt/xinxiang/var"),
        ("/opt/xinxiang/config", "/data", "/data"),
        ("/etcetera/xinxiang", "", "/etcetera/xinxiang/var"),
    ],
)
def test_data_dir_rule(config_dir: str, configured: str, expected: str) -> None:
    assert resolve_data_dir(Path(config_dir), configured) == Path(expected)


def test_a_relative_data_dir_that_lands_in_etc_is_refused(tmp_path: Path) -> None:
    create_embedded_deployment(tmp_path / "cfg")
    toml = tmp_path / "cfg" / "xinxiang.toml"
    text = toml.read_text(encoding="utf-8").replace(
        '# data_dir = "/srv/xinxiang"', 'data_dir = "../../../../../../../../../../etc/xx"'
    )
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="inside /etc"):
        load_config(tmp_path / "cfg")


def test_init_leaves_the_oa_off_and_reads_the_reply_mailbox(tmp_path: Path) -> None:
    directory = create_embedded_deployment(tmp_path / "cfg")
    cfg = load_config(directory)
    assert not oa_enabled(cfg)
    assert (directory / "oa.toml.example").is_file()
    assert cfg.data_dir == (tmp_path / "cfg" / "var").resolve()
    names = [s.name for s in cfg.settings.sources]
    assert names == ["mailbox", "replies"]
    for box in ("maildir", "maildir-replies"):
        assert (cfg.data_dir / box).is_dir()


def test_the_demo_still_turns_the_oa_on(tmp_path: Path) -> None:
    directory = create_embedded_deployment(tmp_path / "cfg", oa=True)
    assert oa_enabled(load_config(directory))


def test_a_fresh_init_runs_ten_minutes_of_jobs_without_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The worker's every job, once a minute for ten minutes of an injected clock, on a fresh
    `xinxiang init` deployment with a letter waiting: no ERROR line (the OA stays off)."""
    import logging
    from datetime import UTC, datetime, timedelta

    from inbound_helpers import letter
    from xinxiang.replies.tokens import generate_token_key
    from xinxiang.services.context import AppContext
    from xinxiang.store.migrate import upgrade
    from xinxiang.tasks import Runtime, Tasks, make_huey

    monkeypatch.setenv("XINXIANG_TOKEN_KEY", generate_token_key())
    cfg = load_config(create_embedded_deployment(tmp_path / "cfg"))
    ctx = AppContext(cfg)
    upgrade(ctx.db)
    inbox = cfg.data_dir / "maildir"
    for sub in ("new", "cur", "tmp"):
        (inbox / sub).mkdir(exist_ok=True)
    (inbox / "new" / "1.eml").write_bytes(letter())
    start = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    clock = {"now": start}
    tasks = Tasks(make_huey(cfg, immediate=True), Runtime(ctx, clock=lambda: clock["now"]))
    caplog.set_level(logging.INFO)
    for minute in range(10):
        clock["now"] = start + timedelta(minutes=minute)
        for job in tasks.jobs.values():
            job()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert any("event=letter_recorded" in r.getMessage() for r in caplog.records)
