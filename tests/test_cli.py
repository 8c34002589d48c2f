"""The command line as a user meets it: real subprocesses, one-line errors, no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from inbound_helpers import letter
from xinxiang.mailbox.maildir import deliver
from xinxiang.replies.tokens import token_key_problem

XINXIANG = str(Path(sys.executable).with_name("xinxiang"))
KEY = "1477560cc90d907d56601140ccc76e7a4a2531c4e38b071f19296d1b29095e04"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "XINXIANG_TOKEN_KEY": KEY, **(env or {})}
    return subprocess.run(
        [XINXIANG, *args], capture_output=True, text=True, env=full_env, timeout=120
    )


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-command"],
        ["tickets", "list", "--limit", "zero"],
        ["deadline", "--accepted", "yesterday", "--json"],
        ["config", "check", "/does/not/exist"],
        ["tickets", "show", "2026-000001", "--config", "/does/not/exist"],
        ["inspect", "/does/not/exist.eml"],
        ["quarantine", "retry", "x"],
    ],
)
def test_bad_input_gets_one_line_and_no_traceback(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("xinxiang: error:")


def test_init_upgrade_poll_and_office_views(tmp_path: Path) -> None:
    deploy = tmp_path / "deploy"
    assert run("init", str(deploy)).returncode == 0
    again = run("init", str(deploy))
    assert again.returncode == 1 and "already exists" in again.stderr

    not_migrated = run("poll", "-c", str(deploy))
    assert not_migrated.returncode == 1 and "xinxiang db upgrade" in not_migrated.stderr
    assert run("db", "upgrade", "-c", str(deploy)).returncode == 0
    assert run("db", "upgrade", "-c", str(deploy)).returncode == 0  # idempotent

    maildir = deploy / "var" / "maildir"
    deliver(maildir, letter(subject="宿舍热水问题"))
    deliver(maildir, b"\x00\x01\x02 definitely not mail")
    polled = run("poll", "-c", str(deploy), "--json")
    assert polled.returncode == 0, polled.stderr
    summary = json.loads(polled.stdout)
    assert summary["sources"][0]["created"] == 1
    assert summary["sources"][0]["quarantined"] == 1
    assert summary["sent"] >= 2  # the receipt and the dispatch mail, as .eml files

    listed = json.loads(run("tickets", "list", "-c", str(deploy), "--json").stdout)
    assert [t["subject"] for t in listed] == ["宿舍热水问题"]
    number = listed[0]["number"]
    shown = json.loads(run("tickets", "show", number, "-c", str(deploy), "--json").stdout)
    assert shown["department"] == "hqc"
    assert [e["kind"] for e in shown["events"]][:2] == ["received", "classified"]
    assert {m["kind"] for m in shown["mails"]} == {"ack", "dispatch"}
    assert len(list((deploy / "var" / "outgoing").glob("*.eml"))) == 2

    q = json.loads(run("quarantine", "list", "-c", str(deploy), "--json").stdout)
    assert len(q) == 1 and "NUL" in q[0]["reason"]
    retried = run("quarantine", "retry", str(q[0]["id"]), "-c", str(deploy))
    assert retried.returncode == 1 and "仍无法处理" in retried.stdout
    missing = run("quarantine", "retry", "999", "-c", str(deploy))
    assert missing.returncode == 1 and "no quarantine record 999" in missing.stderr


@pytest.fixture(scope="module")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deployment made by `xinxiang init` and `xinxiang db upgrade`, once per module."""
    deploy = tmp_path_factory.mktemp("cli") / "deploy"
    assert run("init", str(deploy)).returncode == 0
    assert run("db", "upgrade", "-c", str(deploy)).returncode == 0
    return deploy


@pytest.fixture
def migrated(_migrated: Path, tmp_path: Path) -> Path:
    """A private copy of the initialised, migrated deployment (its paths are all relative)."""
    return Path(shutil.copytree(_migrated, tmp_path / "deploy"))


def test_missing_token_key_is_named(migrated: Path) -> None:
    deploy = migrated
    result = run("poll", "-c", str(deploy), env={"XINXIANG_TOKEN_KEY": ""})
    assert result.returncode == 1
    assert "XINXIANG_TOKEN_KEY" in result.stderr and "xinxiang.toml" in result.stderr


def test_init_prints_a_strong_key_to_export(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "deploy"), env={"XINXIANG_TOKEN_KEY": ""})
    assert result.returncode == 0, result.stderr
    [line] = [x for x in result.stdout.splitlines() if "export XINXIANG_TOKEN_KEY=" in x]
    key = line.split("=", 1)[1].strip()
    assert token_key_problem(key) is None and len(key) == 64
    assert key not in "".join(p.read_text("utf-8") for p in (tmp_path / "deploy").glob("*.toml"))
    checked = run("config", "check", str(tmp_path / "deploy"), env={"XINXIANG_TOKEN_KEY": key})
    assert checked.returncode == 0, checked.stderr
    assert "轮换" not in checked.stdout
    rotating = run(
        "config",
        "check",
        str(tmp_path / "deploy"),
        env={"XINXIANG_TOKEN_KEY": KEY, "XINXIANG_PREVIOUS_TOKEN_KEYS": key},
    )
    assert rotating.returncode == 0, rotating.stderr
    assert "XINXIANG_PREVIOUS_TOKEN_KEYS 中的 1 个旧密钥" in rotating.stdout


@pytest.mark.parametrize(
    ("command", "weak"),
    [
        (["config", "check"], "aaaaaaaaaaaaaaaa"),
        (["config", "check"], "1234567890" * 7),
        (["worker", "-c"], "abc" * 20),
    ],
)
def test_weak_token_key_stops_config_check_and_worker(
    migrated: Path, command: list[str], weak: str
) -> None:
    """Named like a missing key: file, key and reason, one line, before anything starts."""
    deploy = migrated
    result = run(*command, str(deploy), env={"XINXIANG_TOKEN_KEY": weak})
    assert result.returncode == 1
    [line] = [x for x in result.stderr.splitlines() if x.startswith("xinxiang: error:")]
    assert f"{deploy.resolve() / 'xinxiang.toml'}: security.token_key_env:" in line
    assert "XINXIANG_TOKEN_KEY is too weak" in line and weak not in line


def test_demo_runs_without_any_server(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "2026-000001" in result.stdout or "-000001" in result.stdout
    assert len(list((out / "var" / "outgoing").glob("*.eml"))) >= 15
    assert "已隔离" in result.stdout
    # The policy's second half: a revisit, a rating, a rework, and the monthly report.
    assert "回访" in result.stdout and "发回重办" in result.stdout and "销账" in result.stdout
    pdfs = list((out / "reports").glob("月报-*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF")
    assert len(list((out / "reports").glob("月报-*.xlsx"))) == 1
    # How to open the web console of the demo, with a working office account.
    line = next(x for x in result.stdout.splitlines() if x.startswith("网上工作台"))
    assert f"xinxiang web -c {out}" in line and "office-demo" in line
