"""The office's actions in tests, as the CLI gives them: commands to the bus (`handlers.handle`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from xinxiang.handlers import (
    Actor,
    AddCohandlers,
    DecideExtension,
    Handled,
    RouteTicket,
    handle,
)
from xinxiang.services.context import AppContext


def office(name: str = "dzb@example.edu.cn", channel: str = "cli") -> Actor:
    """The office as the actor (its address or account is what the log records)."""
    return Actor(role="office", name=name, channel=channel)  # type: ignore[arg-type]


def route(
    ctx: AppContext, number: str, department: str, reason: str | None, actor: str, now: datetime
) -> Handled:
    """转办 / 改派 through the bus."""
    return handle(RouteTicket(office(actor), number, department, reason), ctx, now)


def add_cohandlers(
    ctx: AppContext, number: str, departments: Sequence[str], actor: str, now: datetime
) -> Handled:
    """协办 through the bus."""
    return handle(AddCohandlers(office(actor), number, tuple(departments)), ctx, now)


def decide_extension(
    ctx: AppContext,
    number: str,
    until: date | None,
    approve: bool,
    reason: str,
    actor: str,
    now: datetime,
) -> Handled:
    """同意延期 / 不同意延期 through the bus."""
    return handle(DecideExtension(office(actor), number, approve, reason, until), ctx, now)


def transferred(done: Handled) -> bool:
    """Whether a route was a transfer (改派) rather than a first dispatch."""
    return any(e.kind == "transferred" for e in done.change.events)
