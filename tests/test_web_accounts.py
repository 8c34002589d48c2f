"""Specification of `xinxiang users …`: local accounts with argon2 passwords, checked against
the deployment's departments, every change audited."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from inbound_helpers import context
from xinxiang.cli import main
from xinxiang.store.models_web import AuditRow, UserRow
from xinxiang.web.accounts import LOCKOUT, MAX_FAILED_LOGINS, actor_for, authenticate
from xinxiang.web.permissions import Actor

PASSWORD = "correct horse battery"


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    """Run the CLI with `stdin` as its (non-terminal) standard input."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(args)


@pytest.fixture
def deploy(tmp_config, monkeypatch: pytest.MonkeyPatch) -> Path:
    cfg_dir: Path = tmp_config()
    assert run(["db", "upgrade", "-c", str(cfg_dir)], monkeypatch) == 0
    return cfg_dir


def users(cfg_dir: Path) -> dict[str, UserRow]:
    ctx = context(cfg_dir)
    with ctx.db.unit_of_work() as s:
        return {u.name: u for u in s.execute(select(UserRow)).scalars()}


def test_add_list_passwd_disable(deploy: Path, monkeypatch, capsys) -> None:
    c = ["-c", str(deploy)]
    assert run(["users", "add", "wang", "--role", "office", *c], monkeypatch, PASSWORD + "\n") == 0
    add_hqc = ["users", "add", "zhao", "--role", "department", "--department", "hqc", *c]
    assert run(add_hqc, monkeypatch, PASSWORD + "\n") == 0
    add_leader = ["users", "add", "li", "--role", "leader", "--email", "Leader-HQC@example.edu.cn"]
    assert run([*add_leader, *c], monkeypatch, PASSWORD + "\n") == 0
    before = users(deploy)
    assert before["wang"].password_hash.startswith("$argon2id$")
    assert PASSWORD not in before["wang"].password_hash
    assert before["zhao"].department_code == "hqc"
    assert before["li"].email == "leader-hqc@example.edu.cn"

    capsys.readouterr()
    assert run(["users", "list", *c], monkeypatch) == 0
    listing = capsys.readouterr().out
    assert "wang\t党政办公室" in listing and "zhao\t承办单位\thqc\t正常" in listing

    assert run(["users", "passwd", "zhao", *c], monkeypatch, "another long secret\n") == 0
    assert run(["users", "disable", "wang", *c], monkeypatch) == 0
    after = users(deploy)
    assert after["zhao"].password_hash != before["zhao"].password_hash
    assert after["zhao"].session_epoch == before["zhao"].session_epoch + 1
    assert after["wang"].disabled and after["wang"].session_epoch == 1

    ctx = context(deploy)
    with ctx.db.unit_of_work() as s:
        actions = [(a.account, a.action, a.resource) for a in s.execute(select(AuditRow)).scalars()]
    assert actions == [
        ("cli", "user-add", "wang"),
        ("cli", "user-add", "zhao"),
        ("cli", "user-add", "li"),
        ("cli", "user-passwd", "zhao"),
        ("cli", "user-disable", "wang"),
    ]


# (arguments after `users add NAME`, the message the refusal must contain)
REFUSALS = [
    (["--role", "boss"], "unknown role"),
    (["--role", "department"], "needs --department"),
    (["--role", "department", "--department", "nope"], "no department 'nope'"),
    (["--role", "office", "--department", "hqc"], "department accounts only"),
    (["--role", "leader"], "needs --email"),
    (["--role", "leader", "--email", "someone@example.edu.cn"], "the `leader` of no department"),
]


@pytest.mark.parametrize(("args", "message"), REFUSALS)
def test_bad_accounts_are_refused_in_one_line(
    deploy: Path, monkeypatch, capsys, args: list[str], message: str
) -> None:
    code = run(["users", "add", "x1", *args, "-c", str(deploy)], monkeypatch, PASSWORD + "\n")
    err = capsys.readouterr().err
    assert code == 1 and message in err and "Traceback" not in err
    assert users(deploy) == {}


def test_short_password_duplicate_name_and_unknown_account(deploy: Path, monkeypatch, capsys):
    c = ["-c", str(deploy)]
    assert run(["users", "add", "wang", "--role", "office", *c], monkeypatch, "short\n") == 1
    assert "too short" in capsys.readouterr().err
    assert run(["users", "add", "wang", "--role", "office", *c], monkeypatch, PASSWORD) == 0
    assert run(["users", "add", "wang", "--role", "auditor", *c], monkeypatch, PASSWORD) == 1
    assert "exists already" in capsys.readouterr().err
    assert run(["users", "passwd", "nobody", *c], monkeypatch, PASSWORD) == 1
    assert run(["users", "add", "Bad Name", "--role", "office", *c], monkeypatch, PASSWORD) == 1
    assert "bad account name" in capsys.readouterr().err


def test_lockout_after_failed_logins_then_release(deploy: Path, monkeypatch) -> None:
    from sweep_helpers import local

    c = ["-c", str(deploy)]
    assert run(["users", "add", "wang", "--role", "office", *c], monkeypatch, PASSWORD) == 0
    ctx = context(deploy)
    t = local(2026, 12, 1, 9, 0)
    with ctx.db.unit_of_work() as s:
        reasons = [authenticate(s, "wang", "wrong", t).reason for _ in range(MAX_FAILED_LOGINS)]
        assert reasons == ["wrong-password"] * (MAX_FAILED_LOGINS - 1) + ["locked"]
        assert authenticate(s, "wang", PASSWORD, t + LOCKOUT - timedelta(seconds=1)).reason == (
            "locked"
        )
        ok = authenticate(s, "wang", PASSWORD, t + LOCKOUT)
        assert ok.reason == "ok" and ok.user is not None
        assert actor_for(ok.user, ctx.cfg) == Actor("wang", "office")
        assert authenticate(s, "nobody", PASSWORD, t).reason == "unknown"


def test_a_leader_answers_for_the_departments_it_supervises(deploy: Path, monkeypatch) -> None:
    c = ["-c", str(deploy)]
    args = ["users", "add", "li", "--role", "leader", "--email", "leader-hqc@example.edu.cn", *c]
    assert run(args, monkeypatch, PASSWORD) == 0
    ctx = context(deploy)
    user = users(deploy)["li"]
    expected = {d.code for d in ctx.cfg.departments if d.leader == "leader-hqc@example.edu.cn"}
    assert actor_for(user, ctx.cfg) == Actor("li", "leader", frozenset(expected))
    assert "hqc" in expected
