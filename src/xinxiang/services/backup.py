"""Backup and restore of a deployment (备份与恢复): database, data files and configuration.

A backup is one gzip'd tar file, written 0600: `manifest.json`, the database (a consistent copy
made with SQLite's online backup API, or a `pg_dump` custom-format dump taken in one snapshot),
every file of the data directory except the live database and queue files (raw mail, blobs,
records), and the configuration files (not the secrets in `*.env`). Restore goes into an empty
deployment only, unless forced.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import URL, make_url

from xinxiang.config import Config, load_config
from xinxiang.errors import XinxiangError

FORMAT = 1
PREFIX = "xinxiang-backup-"
SUFFIX = ".tar.gz"
DB_SQLITE = "database.sqlite"
DB_PGDUMP = "database.pgdump"


@dataclass(frozen=True)
class BackupResult:
    """What `make_backup` wrote and which older backups the retention setting removed."""

    path: Path
    files: int
    removed: tuple[Path, ...]


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    return Path(parsed.database or "")


def _pg_args(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (which goes into PGPASSWORD, not the process list)."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise XinxiangError(
            f"{name} 未安装（PostgreSQL 的备份与恢复需要它：apt-get install postgresql-client）"
        )
    return found


def _live_files(cfg: Config) -> set[Path]:
    """The database and queue files, copied consistently or not at all, never as bytes."""
    out: set[Path] = set()
    for url in (cfg.database_url, cfg.queue_url):
        if url.startswith("sqlite"):
            path = _sqlite_path(url)
            if path is not None:
                out |= {
                    path.resolve().with_name(path.name + s)
                    for s in ("", "-wal", "-shm", "-journal")
                }
    return out


def _data_files(cfg: Config) -> Iterator[tuple[Path, str]]:
    skip = _live_files(cfg)
    root = cfg.data_dir
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.resolve() not in skip:
            yield path, "data/" + path.relative_to(root).as_posix()


def _config_files(cfg: Config) -> Iterator[tuple[Path, str]]:
    # Secrets files (the units' EnvironmentFile, *.env) stay out: a backup travels off the
    # machine, and the keys are restored by hand from where they are kept.
    for path in sorted(cfg.directory.rglob("*")):
        if path.is_file() and path.suffix != ".env":
            yield path, "config/" + path.relative_to(cfg.directory).as_posix()


def _sqlite_copy(source_uri: str, target: Path) -> None:
    """Copy a SQLite database page by page with its online backup API: a consistent snapshot
    even while the worker writes (a plain file copy could catch a half-written WAL)."""
    src = sqlite3.connect(source_uri, uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def _dump_database(cfg: Config, work: Path) -> Path:
    sqlite_path = _sqlite_path(cfg.database_url)
    if sqlite_path is not None:
        if not sqlite_path.is_file():
            raise XinxiangError(f"数据库文件不存在：{sqlite_path}")
        target = work / DB_SQLITE
        _sqlite_copy(sqlite_path.resolve().as_uri() + "?mode=ro", target)
        return target
    url, env = _pg_args(cfg.database_url)
    target = work / DB_PGDUMP
    done = subprocess.run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            f"--dbname={url}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise XinxiangError(f"pg_dump 失败：{done.stderr.strip()}")
    return target


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def backup_name(now: datetime) -> str:
    """The file name of a backup taken at `now` (sorts by time)."""
    return f"{PREFIX}{now.strftime('%Y%m%dT%H%M%SZ')}{SUFFIX}"


def prune(directory: Path, keep: int) -> tuple[Path, ...]:
    """Retention (保留份数): delete all but the newest `keep` backups in `directory`."""
    found = sorted(p for p in directory.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())
    old = tuple(found[: max(len(found) - keep, 0)])
    for path in old:
        path.unlink()
    return old


def make_backup(cfg: Config, out: Path, now: datetime, *, keep: int | None = None) -> BackupResult:
    """Write a backup of `cfg`'s deployment to `out` (a file, or a directory for a dated file
    name, where only the newest `keep` backups are kept)."""
    if out.is_dir():
        target = out / backup_name(now)
    else:
        target = out
        keep = None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xinxiang-backup-") as tmp:
        dump = _dump_database(cfg, Path(tmp))
        members = [(dump, dump.name), *_config_files(cfg), *_data_files(cfg)]
        partial = target.with_name(target.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "database": dump.name,
                "files": [name for _, name in members],
            }
            _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False).encode())
            for path, name in members:
                _add(tar, name, path.read_bytes())
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    removed = prune(target.parent, keep) if keep is not None else ()
    return BackupResult(target, len(members), removed)


def _database_is_empty(url: str) -> bool:
    sqlite_path = _sqlite_path(url)
    if sqlite_path is not None and not sqlite_path.exists():
        return True
    engine = create_engine(url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _restore_database(url: str, dump: Path, *, force: bool) -> None:
    sqlite_path = _sqlite_path(url)
    if sqlite_path is not None:
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(dump.resolve().as_uri() + "?mode=ro", sqlite_path)
        return
    libpq, env = _pg_args(url)
    args = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        f"--dbname={libpq}",
    ]
    if force:
        args[1:1] = ["--clean", "--if-exists"]
    done = subprocess.run([*args, str(dump)], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise XinxiangError(f"pg_restore 失败：{done.stderr.strip()}")


def _set_database_url(config_dir: Path, url: str) -> None:
    """Point the restored `xinxiang.toml` at another database (a new server, say)."""
    path = config_dir / "xinxiang.toml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.lstrip().startswith("database_url")]
    if len(hits) != 1:
        raise XinxiangError(f"{path}: 找不到唯一的 storage.database_url，无法改为 {url}")
    lines[hits[0]] = f"database_url = {json.dumps(url)}\n"
    path.write_text("".join(lines), encoding="utf-8")


def _extract(tar: tarfile.TarFile, prefix: str, root: Path) -> int:
    count = 0
    for member in tar.getmembers():
        if not member.isfile() or not member.name.startswith(prefix):
            continue
        rel = Path(member.name[len(prefix) :])
        if rel.is_absolute() or ".." in rel.parts:
            raise XinxiangError(f"备份中有可疑路径：{member.name}")
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        assert source is not None
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            shutil.copyfileobj(source, fh)
        count += 1
    return count


def restore_backup(
    archive: Path, config_dir: Path, *, force: bool = False, database_url: str | None = None
) -> Config:
    """Restore `archive` into the deployment at `config_dir` (configuration, database, data
    files). Refuses a non-empty config directory, data directory or database unless `force`."""
    if not archive.is_file():
        raise XinxiangError(f"备份文件不存在：{archive}")
    config_dir = config_dir.resolve()
    if config_dir.exists() and any(config_dir.iterdir()) and not force:
        raise XinxiangError(
            f"{config_dir} 不是空目录；恢复会覆盖其中的配置（确需覆盖请加 --force）"
        )
    with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory() as tmp:
        try:
            manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        except (KeyError, AttributeError, ValueError) as exc:
            raise XinxiangError(f"{archive} 不是 xinxiang 备份（缺少 manifest.json）") from exc
        if manifest.get("format") != FORMAT:
            raise XinxiangError(f"{archive}: 不支持的备份格式 {manifest.get('format')!r}")
        staged = Path(tmp) / "config"
        _extract(tar, "config/", staged)
        if database_url:
            _set_database_url(staged, database_url)
        cfg = dataclasses.replace(load_config(staged), directory=config_dir)
        data_dir = cfg.data_dir
        if data_dir.exists() and any(data_dir.iterdir()) and not force:
            raise XinxiangError(f"数据目录 {data_dir} 不是空目录（确需覆盖请加 --force）")
        if not _database_is_empty(cfg.database_url) and not force:
            raise XinxiangError("目标数据库已有数据表（确需覆盖请加 --force）")
        config_dir.mkdir(parents=True, exist_ok=True)
        for path in staged.rglob("*"):
            if path.is_file():
                target = config_dir / path.relative_to(staged)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                os.chmod(target, 0o600)
        data_dir.mkdir(parents=True, exist_ok=True)
        _extract(tar, "data/", data_dir)
        name = str(manifest["database"])
        if name not in (DB_SQLITE, DB_PGDUMP):
            raise XinxiangError(f"{archive}: 未知的数据库副本 {name!r}")
        source = tar.extractfile(name)
        if source is None:
            raise XinxiangError(f"{archive}: 缺少数据库副本 {name}")
        dump = Path(tmp) / name
        with dump.open("wb") as fh:
            shutil.copyfileobj(source, fh)
        _restore_database(cfg.database_url, dump, force=force)
    return load_config(config_dir)
