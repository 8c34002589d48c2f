"""Shared fixtures: real Dovecot and SMTP servers, database URLs and throwaway deployments.

Fixtures that need a service which is not running here skip with the reason, except Dovecot
when `XINXIANG_REQUIRE_SERVERS=1` (CI), where a missing server is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import (
    DovecotServer,
    ImapAccount,
    SmtpSink,
    dovecot_available,
    pg_dropper,
    postgres_reachable,
    postgres_url,
    redis_reachable,
    redis_url,
)

REPO = Path(__file__).resolve().parents[1]
# 32 bytes as 64 hex characters, as `xinxiang init` generates (sha256 of a fixed phrase).
TOKEN_KEY = "99c2628388697d22bc2f6ee028dda0a2acbf7d505cd7c8d2bb2cf48ac3ce3c49"
MARKERS = {
    "servers": "needs the real Dovecot and SMTP servers",
    "postgres": "needs PostgreSQL on 127.0.0.1:5432",
    "redis": "needs Redis on 127.0.0.1:6379",
    "slow": "long end-to-end tests",
}
_SERVER_FIXTURES = {"dovecot", "imap_account", "smtp_sink"}
_require_servers = os.environ.get("XINXIANG_REQUIRE_SERVERS") == "1"


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


# The longest modules, longest first (by their time in a suite run at stop 25). Under
# pytest-xdist (`./dev.sh test` runs two workers, a whole file at a time) they are handed out
# first, so that no long module is left to run alone at the end.
_LONG_MODULES = (
    "test_scaleout_two_hosts.py",
    "test_cli.py",
    "test_web_supervision.py",
    "test_worker.py",
    "test_adversarial_reply_tokens.py",
    "test_web_security.py",
    "test_oa_integration.py",
    "test_adversarial_mail_actions.py",
    "test_shunt.py",
    "test_web_browser.py",
    "test_handlers_office.py",
)


def _long_first(item: pytest.Item) -> int:
    name = item.path.name
    return _LONG_MODULES.index(name) if name in _LONG_MODULES else len(_LONG_MODULES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the servers they use, so `-m "not servers"` selects the pure ones, and
    run the longest modules first (a stable sort: the order within a module is kept)."""
    items.sort(key=_long_first)
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & _SERVER_FIXTURES:
            item.add_marker(pytest.mark.servers)
        if "pg_url" in names:
            item.add_marker(pytest.mark.postgres)
        if "redis_url" in names:
            item.add_marker(pytest.mark.redis)


# --------------------------------------------------------------------------- mail servers


@pytest.fixture(scope="session")
def shipped() -> Any:
    """The sample deployment's redactor as shipped (`name_tagger = "rules+crf"` since round 10),
    with the deployment's allowlist: the redaction rounds' tests read their tables through it.
    Loaded once per worker (jieba's dictionary and the tagger take seconds)."""
    from xinxiang.config import load_config
    from xinxiang.replies.privacy import public_allowlist
    from xinxiang.replies.redactor import load_redactor

    cfg = load_config(REPO / "config")
    return load_redactor(cfg.directory / "redaction.toml").with_allowed(public_allowlist(cfg))


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """One real Dovecot for the whole session; use `imap_account` for a fresh mailbox."""
    if not dovecot_available():
        msg = "Dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)"
        if _require_servers:
            pytest.fail(msg)
        pytest.skip(msg)
    server = DovecotServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def imap_account(dovecot: DovecotServer) -> ImapAccount:
    """A fresh user with an empty INBOX and Processed/Quarantine folders, on a running server."""
    if not dovecot.running:  # a previous test may have stopped it
        dovecot.start()
    return dovecot.new_account()


@pytest.fixture
def smtp_sink(tmp_path: Path) -> Iterator[SmtpSink]:
    """A real SMTP server on loopback recording messages (also written to tmp_path/sink)."""
    sink = SmtpSink(directory=tmp_path / "sink").start()
    try:
        yield sink
    finally:
        sink.close()


# --------------------------------------------------------------------------- databases

_reachable: dict[str, bool] = {}


def _is_reachable(name: str) -> bool:
    if name not in _reachable:
        _reachable[name] = postgres_reachable() if name == "pg" else redis_reachable()
    return _reachable[name]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL (postgresql+psycopg) of a fresh, empty database, dropped after the test."""
    if not _is_reachable("pg"):
        pytest.skip(
            "PostgreSQL is not reachable on 127.0.0.1:5432 (trust auth, user postgres/root)"
        )
    with postgres_url(drop_later=True) as url:
        if url is None:
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        yield url


@pytest.fixture(name="redis_url")
def redis_url_fixture() -> Iterator[str]:
    """URL of an empty Redis db number (1-15), flushed after the test."""
    if not _is_reachable("redis"):
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    with redis_url() as url:
        if url is None:
            pytest.skip("Redis is not reachable on 127.0.0.1:6379")
        yield url


def _migrate(url: str) -> None:
    from xinxiang.store.db import Database
    from xinxiang.store.migrate import upgrade

    db = Database(url)
    try:
        upgrade(db)
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session (per xdist worker); tests get copies."""
    path = tmp_path_factory.mktemp("template") / "xinxiang.db"
    _migrate(f"sqlite:///{path}")
    leftovers = [p.name for p in path.parent.iterdir() if p != path]
    assert not leftovers, f"the template must be one closed file, found {leftovers}"
    return path


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str]:
    """Name of a PostgreSQL database migrated to head once per session (per xdist worker).

    Tests get `CREATE DATABASE ... TEMPLATE` copies of it, which is much cheaper than running
    every Alembic migration per test; the migrations from scratch still run here, once.
    """
    if not _is_reachable("pg"):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with postgres_url() as url:
        if url is None:
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        _migrate(url)  # disposes its engine: a template must have no open connections
        yield url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test runs on SQLite, and on PostgreSQL when one is reachable: a fresh database
    already migrated to head (a copy of a per-session template), dropped after the test."""
    if request.param == "sqlite":
        path = tmp_path / "xinxiang.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    if not _is_reachable("pg"):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    template = request.getfixturevalue("_pg_template")
    with postgres_url(template, drop_later=True) as url:
        if url is None:
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        yield url


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Wait for the test databases still being dropped in the background."""
    pg_dropper.drain()


@pytest.fixture
def db_urls(db_url: str) -> str:
    """Alias of `db_url` (same parametrisation: ids 'sqlite' and 'postgresql')."""
    return db_url


# --------------------------------------------------------------------------- deployments


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a valid TOML basic string.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Sequence):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml_table(header: str, table: Mapping[str, Any]) -> str:
    lines = [header]
    lines += [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def write_toml(path: Path, settings: Mapping[str, Any]) -> None:
    """Write a settings dict (tables of scalars; `source` is a list of tables) as TOML."""
    parts: list[str] = []
    for section, body in settings.items():
        if section == "source":
            parts += [_toml_table("[[source]]", src) for src in body]
        else:
            parts.append(_toml_table(f"[{section}]", body))
    path.write_text("\n".join(parts), encoding="utf-8")


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


TmpConfig = Callable[..., Path]

_CHANNELS = [("shuji", "书记信箱"), ("xiaozhang", "校长信箱")]


@pytest.fixture
def tmp_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TmpConfig:
    """Factory for a complete deployment directory; returns the config directory.

    `tmp_config(imap=account_or_accounts, smtp=sink, maildir=path, database_url=...,
    queue_url=..., overrides={"ack": {...}}, source_options={"idle": False})`.
    `overrides` is merged into the settings tables, `source_options` into every IMAP source.
    IMAP sources use plain loopback (`security = "plain"`, `allow_plaintext = true`); without
    `smtp` the outbox writes .eml files (`transport = "directory"`). Secrets go into the
    environment via monkeypatch, and XINXIANG_CONFIG points at the directory.
    """
    counter = iter(range(1_000_000))

    def make(
        *,
        imap: ImapAccount | Sequence[ImapAccount] | None = None,
        smtp: SmtpSink | None = None,
        maildir: Path | None = None,
        database_url: str | None = None,
        queue_url: str | None = None,
        overrides: Mapping[str, Any] | None = None,
        source_options: Mapping[str, Any] | None = None,
    ) -> Path:
        n = next(counter)
        root = tmp_path / (f"deploy{n}" if n else "deploy")
        cfg_dir = root / "config"
        cfg_dir.mkdir(parents=True)
        data_dir = root / "var"
        monkeypatch.setenv("XINXIANG_TOKEN_KEY", TOKEN_KEY)
        accounts = [imap] if isinstance(imap, ImapAccount) else list(imap or [])
        sources: list[dict[str, Any]] = []
        for i, acc in enumerate(accounts):
            name, channel = _CHANNELS[i] if i < len(_CHANNELS) else (f"box{i}", f"信箱{i}")
            env = f"XINXIANG_TEST_IMAP_PASSWORD_{i}"
            monkeypatch.setenv(env, acc.password)
            sources.append(
                {
                    "name": name,
                    "channel": channel,
                    "kind": "imap",
                    "host": acc.host,
                    "port": acc.port,
                    "security": "plain",
                    "allow_plaintext": True,
                    "username": acc.user,
                    "password_env": env,
                    "folder": "INBOX",
                    "processed_folder": "Processed",
                    "quarantine_folder": "Quarantine",
                    "idle": True,
                    **(source_options or {}),
                }
            )
        if maildir is not None:
            sources.append(
                {
                    "name": "maildir",
                    "channel": "书记校长信箱",
                    "kind": "maildir",
                    "path": str(maildir),
                }
            )
        if smtp is not None:
            smtp_section: dict[str, Any] = {
                "transport": "smtp",
                "host": smtp.host,
                "port": smtp.port,
                "security": "plain",
                "allow_plaintext": True,
                "from_address": "xinxiang@example.edu.cn",
                "from_name": "示例大学书记校长信箱",
                "timeout_seconds": 10,
            }
        else:
            smtp_section = {
                "transport": "directory",
                "directory": "{data_dir}/outgoing",
                "from_address": "xinxiang@example.edu.cn",
                "from_name": "示例大学书记校长信箱",
            }
        settings: dict[str, Any] = {
            "school": {
                "name": "示例大学",
                "office_name": "党政办公室",
                "timezone": "Asia/Shanghai",
            },
            "storage": {
                "data_dir": str(data_dir),
                "database_url": database_url or "sqlite:///{data_dir}/xinxiang.db",
            },
            "queue": {
                "url": queue_url or "sqlite:///{data_dir}/queue.db",
                "workers": 2,
                "poll_interval_seconds": 5,
                "outbox_interval_seconds": 5,
            },
            "smtp": smtp_section,
            "security": {"token_key_env": "XINXIANG_TOKEN_KEY"},
            # The test deployment's receiving server: see CAMPUS_AUTH in replies_helpers.
            "authentication": {"trusted_authserv_ids": ["mx.example.edu.cn"]},
            "ack": {"max_per_sender_per_hour": 3, "quote_chars": 120},
        }
        settings = _merge(settings, overrides or {})
        # Sources come last: TOML forbids plain tables after an array of tables' keys otherwise.
        if sources or "source" in settings:
            settings["source"] = list(settings.pop("source", [])) + sources
        write_toml(cfg_dir / "xinxiang.toml", settings)
        for extra in sorted((REPO / "config").glob("*.toml")):
            if extra.name != "xinxiang.toml":
                shutil.copy(extra, cfg_dir / extra.name)
        monkeypatch.setenv("XINXIANG_CONFIG", str(cfg_dir))
        return cfg_dir

    return make
