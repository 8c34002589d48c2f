"""ORM tables of the web console: staff accounts (账号) and the audit log (操作日志).

Kept apart from `store.models` (same `Base`); `store.models` imports this module so that
`Base.metadata` always holds the whole schema.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinxiang.store.models import Base


class UserRow(Base):
    """A local staff account: office clerk, department handler, school leader or auditor.

    `session_epoch` is bumped whenever the password changes or the account is disabled, so every
    session cookie issued before no longer counts. `failed_logins` and `locked_until` carry the
    login lockout across processes.
    """

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)


class AuditRow(Base):
    """One audited action: who (account, role), when, from where (IP), what, on which resource."""

    __tablename__ = "web_audit"
    __table_args__ = (Index("ix_web_audit_resource", "resource"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    account: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(20))
    ip: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    resource: Mapped[str] = mapped_column(String(120))
    detail: Mapped[str | None] = mapped_column(Text)


class WebSessionRow(Base):
    """A signed-in session of the console (会话), kept on the server so it can be ended there.

    The signed cookie carries `id` (random); a request counts as signed in only while this row
    exists and `ended_at` is empty. A CAS login keeps the SHA-256 of its service ticket
    (`cas_ticket`, the `SessionIndex` of the CAS server's back-channel logout), so a
    `logoutRequest` ends every session made from that ticket without storing the ticket itself.
    """

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
    via: Mapped[str] = mapped_column(String(10))  # password | cas
    cas_ticket: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(40))
