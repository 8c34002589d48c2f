"""Staff accounts (账号) of the web console: argon2 passwords, lockout, and the audit log.

Used alike by `xinxiang users …` and by the login page. Time is always a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from xinxiang.config import Config
from xinxiang.errors import XinxiangError
from xinxiang.store.models_web import AuditRow, UserRow
from xinxiang.web.permissions import ROLES, Actor, Role, supervised_departments
from xinxiang.web.security import client_ip

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_CHARS = 10
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")

_hasher = PasswordHasher()
# Verifying against this keeps an unknown name as slow as a wrong password (no user probing).
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


def hash_password(password: str) -> str:
    """The argon2id hash of `password`, refusing passwords that are too short."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise XinxiangError(f"password too short: at least {MIN_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def _verify(hash_: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def get_user(session: Session, name: str) -> UserRow | None:
    """The account called `name`, or None."""
    return session.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none()


def _require(session: Session, name: str) -> UserRow:
    user = get_user(session, name)
    if user is None:
        raise XinxiangError(f"no account {name!r}")
    return user


def check_account(
    cfg: Config, name: str, role: str, department: str | None, email: str | None
) -> None:
    """Refuse an account the console could not serve: bad name, role, department or leader."""
    if not name or len(name) > 64 or not set(name) <= _NAME_CHARS:
        raise XinxiangError(f"bad account name {name!r}: use a-z, 0-9, '.', '_' or '-'")
    if role not in ROLES:
        raise XinxiangError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if role == "department":
        if not department:
            raise XinxiangError("a department account needs --department CODE")
        if cfg.department(department) is None:
            raise XinxiangError(f"no department {department!r} in departments.toml")
    elif department:
        raise XinxiangError(f"--department applies to department accounts only, not {role}")
    if role == "leader":
        if not email:
            raise XinxiangError("a leader account needs --email (its `leader` address)")
        if not supervised_departments(email, ((d.code, d.leader) for d in cfg.departments)):
            raise XinxiangError(f"{email} is the `leader` of no department in departments.toml")


def add_user(
    session: Session,
    cfg: Config,
    *,
    name: str,
    role: str,
    password: str,
    now: datetime,
    department: str | None = None,
    email: str | None = None,
) -> UserRow:
    """Create an account (新建账号); the name must be new."""
    check_account(cfg, name, role, department, email)
    if get_user(session, name) is not None:
        raise XinxiangError(f"account {name!r} exists already")
    dept = cfg.department(department) if department else None
    user = new_user_row(
        name, role, dept.code if dept else None, email, hash_password(password), now
    )
    session.add(user)
    session.flush()
    return user


def new_user_row(
    name: str,
    role: str,
    department_code: str | None,
    email: str | None,
    password_hash: str,
    now: datetime,
) -> UserRow:
    """A fresh, enabled account row (checked by the caller), not yet added to a session."""
    return UserRow(
        name=name,
        role=role,
        department_code=department_code,
        email=email.strip().lower() if email else None,
        password_hash=password_hash,
        disabled=False,
        created_at=now,
        password_changed_at=now,
        failed_logins=0,
        session_epoch=0,
    )


def set_password(session: Session, name: str, password: str, now: datetime) -> UserRow:
    """Change a password (改密码); ends every session and lifts a lockout."""
    user = _require(session, name)
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.failed_logins = 0
    user.locked_until = None
    user.session_epoch += 1
    return user


def disable_user(session: Session, name: str) -> UserRow:
    """Disable an account (停用); its sessions end at once."""
    user = _require(session, name)
    user.disabled = True
    user.session_epoch += 1
    return user


def list_users(session: Session) -> list[UserRow]:
    """Every account, by name."""
    return list(session.execute(select(UserRow).order_by(UserRow.name)).scalars())


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to: the account on success, else the reason (for the audit)."""

    user: UserRow | None
    reason: str  # ok | unknown | disabled | locked | wrong-password


def authenticate(session: Session, name: str, password: str, now: datetime) -> LoginResult:
    """Check a name and password, counting failures; `MAX_FAILED_LOGINS` locks for `LOCKOUT`.

    A locked account is refused even with the right password, so guessing on cannot tell.
    """
    user = get_user(session, name)
    if user is None:
        _verify(_DUMMY_HASH, password)
        return LoginResult(None, "unknown")
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, "locked")
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            return LoginResult(None, "locked")
        return LoginResult(None, "wrong-password")
    if user.disabled:
        return LoginResult(None, "disabled")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return LoginResult(user, "ok")


class AccountView(Protocol):
    """What the permission view of an account is made of (a `UserRow`, or the few columns a
    request reads: `sessions.SignedIn`)."""

    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def department_code(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...


def actor_for(user: AccountView, cfg: Config) -> Actor:
    """The permission view of an account: which departments it answers for."""
    role = cast(Role, user.role)  # checked by `check_account` on creation
    if role == "department" and user.department_code:
        return Actor(user.name, role, frozenset({user.department_code}))
    if role == "leader" and user.email:
        leaders = ((d.code, d.leader) for d in cfg.departments)
        return Actor(user.name, role, supervised_departments(user.email, leaders))
    return Actor(user.name, role)


def audit(
    session: Session,
    *,
    at: datetime,
    account: str,
    role: str,
    ip: str,
    action: str,
    resource: str = "",
    detail: str | None = None,
) -> None:
    """Append one line to the audit log (操作日志)."""
    session.add(
        AuditRow(
            at=at,
            account=account[:64],
            role=role,
            ip=ip[:64],
            action=action,
            resource=resource[:120],
            detail=detail,
        )
    )


def audit_request(
    session: Session,
    request: Request,
    actor: Actor,
    at: datetime,
    action: str,
    resource: str,
    detail: str | None = None,
) -> None:
    """Audit what `actor` did in this request (the client address is the request's)."""
    audit(
        session,
        at=at,
        account=actor.name,
        role=actor.role,
        ip=client_ip(request),
        action=action,
        resource=resource,
        detail=detail,
    )
