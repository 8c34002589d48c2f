"""Configuration: the sample deployment loads; every mistake names file, key and reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xinxiang.config import load_config
from xinxiang.errors import ConfigError

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
    assert {s.channel for s in cfg.settings.sources} == {"书记信箱", "校长信箱"}
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


def test_short_token_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINXIANG_TOKEN_KEY", "short")
    cfg = load_config(make_dir(tmp_path, ""))
    with pytest.raises(ConfigError, match="at least 16"):
        cfg.token_key()


def test_data_dir_is_relative_to_config_dir(tmp_path: Path) -> None:
    cfg = load_config(make_dir(tmp_path, '[storage]\ndata_dir = "data"\n'))
    assert cfg.data_dir == (tmp_path / "cfg" / "data").resolve()
    assert cfg.database_url == f"sqlite:///{cfg.data_dir}/xinxiang.db"
