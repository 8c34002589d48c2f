"""Configuration: the sample deployment loads; every mistake names file, key and reason."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from xinxiang.config import is_loopback_host, load_config
from xinxiang.errors import ConfigError
from xinxiang.replies.tokens import make_token, parse_token

REPO = Path(__file__).resolve().parents[1]


def make_dir(tmp_path: Path, main: str, departments: str | None = None) -> Path:
    d = tmp_path / "cfg"
    d.mkdir()
    (d / "xinxiang.toml").write_text(main, encoding="utf-8")
    if departments is None:
        shutil.copy(REPO / "config" / "departments.toml", d / "departments.toml")
    else:
        (d / "departments.toml").write_text(departments, encoding="utf-8")
    return d


def test_sample_deployment_loads() -> None:
    cfg = load_config(REPO / "config")
    assert [d.name for d in cfg.departments] == [
        "党政办公室",
        "纪委办公室",
        "人事处",
        "学生处",
        "研究生处",
        "教务处",
        "保卫处",
        "财务处",
        "资产管理处",
        "后勤管理处",
        "图书馆",
        "网络信息中心",
        "校工会",
        "招生就业处",
        "校团委",
        "校医院",
    ]
    assert cfg.office.code == "dzb"
    assert {s.name: s.channel for s in cfg.settings.sources} == {
        "shuji": "书记信箱",
        "xiaozhang": "校长信箱",
        "replies": "书记校长信箱",  # the reply mailbox: smtp.from_address's own
    }
    replies = next(s for s in cfg.settings.sources if s.name == "replies")
    assert replies.username == cfg.settings.smtp.from_address
    assert all(d.leader for d in cfg.departments)


MAILDIR = '[[source]]\nname = "m"\nkind = "maildir"\npath = "md"\n'


@pytest.mark.parametrize(
    ("main", "key", "reason"),
    [
        ("[school]\ncolour = 1\n", "school.colour", "unknown key"),
        ('[queue]\nworkers = "two"\n', "queue.workers", "valid integer"),
        ('[school]\ntimezone = "Mars/Base"\n', "school.timezone", "unknown time zone"),
        ('[storage]\ndatabase_url = "mysql://x"\n', "storage.database_url", "must start with"),
        ('[queue]\nurl = "amqp://x"\n', "queue.url", "must start with"),
        ('[smtp]\nfrom_address = "not-an-address"\n', "smtp.from_address", "valid e-mail"),
        ('[[source]]\nname = "a"\nkind = "imap"\n', "source[0].host", "required"),
        (
            '[[source]]\nname = "a"\nhost = "h"\nusername = "u"\nsecurity = "plain"\n',
            "source[0].security",
            "allow_plaintext",
        ),
        (MAILDIR + MAILDIR, "source[1].name", "duplicate source name"),
        (
            '[[source]]\nname = "Bad Name"\nkind = "maildir"\npath = "x"\n',
            "source[0].name",
            "should match pattern",
        ),
        ("[school\n", "", "invalid TOML"),
    ],
)
def test_main_file_errors(tmp_path: Path, main: str, key: str, reason: str) -> None:
    d = make_dir(tmp_path, main)
    with pytest.raises(ConfigError) as info:
        load_config(d)
    err = info.value
    assert err.file.endswith("xinxiang.toml")
    assert err.key == key
    assert reason in err.reason
    assert str(err).startswith(str(d / "xinxiang.toml"))


@pytest.mark.parametrize(
    ("departments", "key", "reason"),
    [
        (
            '[[department]]\ncode = "a"\nname = "甲"\nemails = []\n'
            'leader = "l@x.cn"\noffice = true\n',
            "department[0].emails",
            "at least 1",
        ),
        (
            '[[department]]\ncode = "a"\nname = "甲"\nemails = ["a@x.cn"]\noffice = true\n',
            "department[0].leader",
            "Field required",
        ),
        (
            '[[department]]\ncode = "a"\nname = "甲"\nemails = ["bad"]\nleader = "l@x.cn"\n',
            "department[0].emails",
            "not a valid e-mail",
        ),
        (
            '[[department]]\ncode = "a"\nname = "甲"\nemails = ["a@x.cn"]\nleader = "l@x.cn"\n',
            "department.office",
            "exactly one",
        ),
        (
            '[[department]]\ncode = "a"\nname = "甲"\nemails = ["a@x.cn"]\nleader = "l@x.cn"\n'
            'office = true\n[[department]]\ncode = "a"\nname = "乙"\nemails = ["b@x.cn"]\n'
            'leader = "l@x.cn"\n',
            "department[1].code",
            "duplicate code",
        ),
    ],
)
def test_department_errors(tmp_path: Path, departments: str, key: str, reason: str) -> None:
    d = make_dir(tmp_path, "", departments)
    with pytest.raises(ConfigError) as info:
        load_config(d)
    assert info.value.file.endswith("departments.toml")
    assert info.value.key == key
    assert reason in info.value.reason


def test_missing_secret_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XINXIANG_TOKEN_KEY", raising=False)
    cfg = load_config(make_dir(tmp_path, ""))
    with pytest.raises(ConfigError) as info:
        cfg.token_key()
    assert info.value.key == "security.token_key_env"
    assert "XINXIANG_TOKEN_KEY" in info.value.reason


STRONG_KEY = "99c2628388697d22bc2f6ee028dda0a2acbf7d505cd7c8d2bb2cf48ac3ce3c49"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("short", "at least 32 random bytes"),
        ("aaaaaaaaaaaaaaaa", "at least 32 random bytes"),
        ("abc" * 20, "a hex key needs 64 characters"),
        ("a" * 64, "distinct characters"),
        ("1234567890" * 7, "repeats a pattern"),
        ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "consecutive"),
    ],
)
def test_weak_token_key_is_refused_with_file_key_and_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, reason: str
) -> None:
    monkeypatch.setenv("XINXIANG_TOKEN_KEY", key)
    d = make_dir(tmp_path, "")
    cfg = load_config(d)
    with pytest.raises(ConfigError) as info:
        cfg.token_key()
    err = info.value
    assert (err.file, err.key) == (str(d / "xinxiang.toml"), "security.token_key_env")
    assert "XINXIANG_TOKEN_KEY" in err.reason and reason in err.reason
    assert key not in str(err)  # the key itself is never shown


OLD_KEY = "0d6f1c8e3b5a4927f8e1d2c3b4a59687f0e1d2c3b4a5968778695a4b3c2d1e0f"


def test_rotation_keeps_old_tokens_valid_while_the_old_key_is_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = make_dir(tmp_path, '[security]\nprevious_keys_env = "XX_PREVIOUS"\n')
    monkeypatch.setenv("XINXIANG_TOKEN_KEY", OLD_KEY)
    monkeypatch.delenv("XX_PREVIOUS", raising=False)
    before = load_config(d).token_key()
    sent = make_token("2026-000123", before)
    # Rotation: a new current key, the old one listed as previous (with a second, older one).
    monkeypatch.setenv("XINXIANG_TOKEN_KEY", STRONG_KEY)
    monkeypatch.setenv("XX_PREVIOUS", f"older-passphrase-from-2024, {OLD_KEY}")
    during = load_config(d).token_key()
    assert parse_token(sent, during) == "2026-000123"
    assert make_token("2026-000123", during) == make_token("2026-000123", STRONG_KEY.encode())
    assert make_token("2026-000123", during) != sent
    # End of the transition: the old key removed, its tokens are forgeries again.
    monkeypatch.setenv("XX_PREVIOUS", "")
    after = load_config(d).token_key()
    assert parse_token(sent, after) is None
    assert parse_token(make_token("2026-000123", during), after) == "2026-000123"


def test_previous_key_too_short_to_have_ever_been_accepted_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINXIANG_TOKEN_KEY", STRONG_KEY)
    monkeypatch.setenv("XINXIANG_PREVIOUS_TOKEN_KEYS", f"{OLD_KEY},oops")
    d = make_dir(tmp_path, "")
    with pytest.raises(ConfigError) as info:
        load_config(d).token_key()
    assert info.value.key == "security.previous_keys_env"
    assert "#2" in info.value.reason and "XINXIANG_PREVIOUS_TOKEN_KEYS" in info.value.reason


# Plaintext only to loopback (明文连接仅限本机) -------------------------------------------------

HOSTS = [
    ("127.0.0.1", True),
    ("::1", True),
    ("[::1]", True),
    ("localhost", True),
    ("LOCALHOST", True),
    ("127.5.5.5", True),
    ("::ffff:127.0.0.1", True),
    ("0.0.0.0", False),
    ("imap.example.edu.cn", False),
    ("10.12.0.25", False),
    ("192.168.1.10", False),
    ("localhost.example.edu.cn", False),
    ("127.0.0.1.nip.io", False),
    ("::", False),
]


@pytest.mark.parametrize(("host", "loopback"), HOSTS)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def _imap(host: str, extra: str = "") -> str:
    return (
        f'[[source]]\nname = "a"\nhost = "{host}"\nusername = "u"\nsecurity = "plain"\n'
        f"allow_plaintext = true\n{extra}"
    )


def _smtp(host: str, extra: str = "") -> str:
    return f'[smtp]\nhost = "{host}"\nsecurity = "plain"\nallow_plaintext = true\n{extra}'


@pytest.mark.parametrize(("host", "loopback"), HOSTS)
@pytest.mark.parametrize(
    ("section", "key"), [(_imap, "source[0].security"), (_smtp, "smtp.security")]
)
def test_plaintext_only_to_loopback(
    tmp_path: Path, host: str, loopback: bool, section: Any, key: str
) -> None:
    """Config validation only: none of these hosts is contacted."""
    d = make_dir(tmp_path, section(host))
    if loopback:
        load_config(d)
        return
    with pytest.raises(ConfigError) as info:
        load_config(d)
    err = info.value
    assert (err.file, err.key) == (str(d / "xinxiang.toml"), key)
    assert "not loopback" in err.reason and "insecure_remote_plaintext" in err.reason


@pytest.mark.parametrize(
    ("section", "key"), [(_imap, "source[0].security"), (_smtp, "smtp.security")]
)
def test_remote_plaintext_override_is_loudly_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, section: Any, key: str
) -> None:
    d = make_dir(tmp_path, section("10.12.0.25", "insecure_remote_plaintext = true\n"))
    with caplog.at_level(logging.WARNING, logger="xinxiang.config"):
        load_config(d)
    [record] = [r for r in caplog.records if "INSECURE" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert key in record.getMessage() and "10.12.0.25" in record.getMessage()


def test_the_override_does_not_replace_allow_plaintext(tmp_path: Path) -> None:
    main = (
        '[[source]]\nname = "a"\nhost = "10.1.1.1"\nusername = "u"\nsecurity = "plain"\n'
        "insecure_remote_plaintext = true\n"
    )
    with pytest.raises(ConfigError, match="needs allow_plaintext"):
        load_config(make_dir(tmp_path, main))


def test_data_dir_is_relative_to_config_dir(tmp_path: Path) -> None:
    cfg = load_config(make_dir(tmp_path, '[storage]\ndata_dir = "data"\n'))
    assert cfg.data_dir == (tmp_path / "cfg" / "data").resolve()
    assert cfg.database_url == f"sqlite:///{cfg.data_dir}/xinxiang.db"
