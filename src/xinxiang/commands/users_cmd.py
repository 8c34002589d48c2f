"""`xinxiang users add|passwd|disable|list`: staff accounts (账号) of the web console."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from xinxiang.commands._common import ConfigOption, JsonOption, now_utc, open_context
from xinxiang.errors import XinxiangError
from xinxiang.web.accounts import add_user, audit, disable_user, list_users, set_password
from xinxiang.web.permissions import ROLE_LABELS

users_app = typer.Typer(help="Web console accounts (账号).", no_args_is_help=True)

StdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from stdin (one line).")
]


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a hidden prompt."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise XinxiangError("no password on stdin")
        return line
    value: str = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    return value


def _audit_cli(session: Session, action: str, name: str) -> None:
    audit(session, at=now_utc(), account="cli", role="cli", ip="", action=action, resource=name)


@users_app.command("add")
def add_cmd(
    name: Annotated[str, typer.Argument(help="Login name (a-z, 0-9, . _ -).")],
    role: Annotated[str, typer.Option(help="office | department | leader | auditor")],
    department: Annotated[
        str | None, typer.Option(help="Department code (department accounts).")
    ] = None,
    email: Annotated[
        str | None, typer.Option(help="Email; a leader's must be its `leader` address.")
    ] = None,
    password_stdin: StdinOption = False,
    config: ConfigOption = None,
) -> None:
    """Create an account; the password comes from a prompt or stdin."""
    ctx = open_context(config)
    password = _read_password(password_stdin)
    with ctx.db.unit_of_work() as session:
        add_user(
            session,
            ctx.cfg,
            name=name,
            role=role,
            password=password,
            now=now_utc(),
            department=department,
            email=email,
        )
        _audit_cli(session, "user-add", name)
    typer.echo(f"已创建账号 {name}（{ROLE_LABELS[role]}）")


@users_app.command("passwd")
def passwd_cmd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: StdinOption = False,
    config: ConfigOption = None,
) -> None:
    """Set a new password; the account's sessions end and a lockout is lifted."""
    ctx = open_context(config)
    password = _read_password(password_stdin)
    with ctx.db.unit_of_work() as session:
        set_password(session, name, password, now_utc())
        _audit_cli(session, "user-passwd", name)
    typer.echo(f"已修改账号 {name} 的密码")


@users_app.command("disable")
def disable_cmd(
    name: Annotated[str, typer.Argument(help="Login name.")],
    config: ConfigOption = None,
) -> None:
    """Disable an account; its sessions end at once."""
    ctx = open_context(config)
    with ctx.db.unit_of_work() as session:
        disable_user(session, name)
        _audit_cli(session, "user-disable", name)
    typer.echo(f"已停用账号 {name}")


@users_app.command("list")
def list_cmd(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Every account with its role, department and state."""
    ctx = open_context(config)
    with ctx.db.unit_of_work() as session:
        rows = [
            {
                "name": u.name,
                "role": u.role,
                "department": u.department_code,
                "email": u.email,
                "disabled": u.disabled,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            for u in list_users(session)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = "已停用" if r["disabled"] else "正常"
        where = r["department"] or r["email"] or ""
        typer.echo(f"{r['name']}\t{ROLE_LABELS[str(r['role'])]}\t{where}\t{state}")


def register(app: typer.Typer) -> None:
    """Attach the `users` group."""
    app.add_typer(users_app, name="users")
