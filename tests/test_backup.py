"""Backup → restore into an empty deployment → identical data (rows, data files, config)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select

from inbound_helpers import context, letter
from servers import postgres_url
from xinxiang.config import load_config
from xinxiang.errors import XinxiangError
from xinxiang.services.backup import backup_name, make_backup, prune, restore_backup
from xinxiang.services.poll import poll_source

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def deliver(maildir: Path, raw: bytes, n: int) -> None:
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    (maildir / "new" / f"{n}.eml").write_bytes(raw)


def rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        out: dict[str, list[tuple[object, ...]]] = {}
        with engine.connect() as conn:
            for name, table in meta.tables.items():
                out[name] = sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
        return out
    finally:
        engine.dispose()


def files(root: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(skip)
    }


@pytest.fixture
def second_db(db_url: str, tmp_path: Path) -> Iterator[str | None]:
    """Where the restore goes: None for SQLite (the restored config's own path), a fresh
    PostgreSQL database otherwise."""
    if db_url.startswith("sqlite"):
        yield None
        return
    with postgres_url() as url:
        yield url


def test_backup_restores_into_an_empty_directory_identically(
    tmp_config, db_url: str, second_db: str | None, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    maildir = tmp_path / "maildir"
    database = "sqlite:///{data_dir}/xinxiang.db" if db_url.startswith("sqlite") else db_url
    cfg_dir = tmp_config(
        maildir=maildir, database_url=database, overrides={"storage": {"data_dir": "../var"}}
    )
    (cfg_dir / "xinxiang.env").write_text("XINXIANG_TOKEN_KEY=secret\n", encoding="utf-8")
    ctx = context(cfg_dir)
    for i, subject in enumerate(["宿舍热水问题", "食堂饭菜太贵", "图书馆开放时间"]):
        deliver(maildir, letter(subject=subject), i)
    poll_source(ctx, "maildir", lambda: NOW)
    ctx.close()
    original = load_config(cfg_dir)
    assert (original.data_dir / "blobs").is_dir()

    archive = make_backup(original, tmp_path / "backups" / "one.tar.gz", NOW).path
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    target = tmp_path / "restored" / "config"
    restored = restore_backup(archive, target, database_url=second_db)
    assert restored.data_dir == (tmp_path / "restored" / "var").resolve()
    assert rows(restored.database_url) == rows(original.database_url)
    assert files(restored.data_dir, ("xinxiang.db", "queue.db")) == files(
        original.data_dir, ("xinxiang.db", "queue.db")
    )
    restored_config = files(target)
    original_config = files(cfg_dir)
    assert "xinxiang.env" not in restored_config  # secrets stay out of backups
    original_config.pop("xinxiang.env")
    if second_db is not None:  # the one line --database-url rewrote
        restored_config.pop("xinxiang.toml")
        original_config.pop("xinxiang.toml")
    assert restored_config == original_config
    assert all(stat.S_IMODE(os.stat(target / n).st_mode) == 0o600 for n in restored_config)

    with pytest.raises(XinxiangError, match="--force"):
        restore_backup(archive, target, database_url=second_db)
    restore_backup(archive, target, database_url=second_db, force=True)
    assert rows(restored.database_url) == rows(original.database_url)


def test_a_non_empty_database_is_refused(tmp_config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg_dir = tmp_config(overrides={"storage": {"data_dir": "../var"}})
    context(cfg_dir).close()
    archive = make_backup(load_config(cfg_dir), tmp_path / "b.tar.gz", NOW).path
    other = tmp_path / "other"
    db = tmp_path / "busy.db"
    db.parent.mkdir(exist_ok=True)
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    engine.dispose()
    with pytest.raises(XinxiangError, match="已有数据表"):
        restore_backup(archive, other / "config", database_url=f"sqlite:///{db}")


@pytest.mark.parametrize(
    ("existing", "keep", "left"),
    [(0, 3, 1), (2, 3, 3), (5, 3, 3), (5, 1, 1)],
)
def test_retention_keeps_the_newest(tmp_path: Path, existing: int, keep: int, left: int) -> None:
    for i in range(existing):
        (tmp_path / backup_name(NOW - timedelta(days=i + 1))).write_bytes(b"old")
    newest = tmp_path / backup_name(NOW)
    newest.write_bytes(b"new")
    prune(tmp_path, keep)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) == left and kept[-1] == newest.name


def test_the_commands_back_up_into_a_directory_and_restore(
    tmp_config, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    from xinxiang.cli import main

    cfg_dir = tmp_config(overrides={"storage": {"data_dir": "../var"}})
    context(cfg_dir).close()
    backups = tmp_path / "backups"
    backups.mkdir()
    for days in (3, 2, 1):
        (backups / backup_name(NOW - timedelta(days=days))).write_bytes(b"old")
    assert main(["backup", "-c", str(cfg_dir), "--out", str(backups), "--keep", "2"]) == 0
    out = capsys.readouterr().out
    assert "备份完成" in out and out.count("按保留份数删除旧备份") == 2
    kept = sorted(backups.iterdir())
    assert len(kept) == 2 and stat.S_IMODE(kept[-1].stat().st_mode) == 0o600
    target = tmp_path / "new" / "config"
    assert main(["restore", "-c", str(target), "--from", str(kept[-1])]) == 0
    assert "恢复完成" in capsys.readouterr().out
    assert main(["restore", "-c", str(target), "--from", str(kept[-1])]) == 1
    assert "--force" in capsys.readouterr().err
