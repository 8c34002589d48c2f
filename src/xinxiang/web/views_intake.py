"""The office's lists in the web console: replies awaiting approval (待审核), the holding pen
(待甄别), quarantine (隔离区) and the shunt (搁置区), with their actions.

The lists call the services the CLI calls (`services.holding.list_holding/assign_held/
discard_held`, `services.ingest.retry_quarantined`, `services.shunt.retry_shunt/discard_shunt`);
only giving up on a quarantined mail has no service yet and is `discard_quarantined` here. The
office and the auditor see the lists; only the office acts (`handle-intake`), and every action
is audited like a ticket's (resource `holding:ID`, `quarantine:ID`, `shunt:ID`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from xinxiang.errors import XinxiangError
from xinxiang.services.approval import list_pending
from xinxiang.services.holding import assign_held, discard_held, list_holding
from xinxiang.services.ingest import retry_quarantined
from xinxiang.services.shunt import (
    ITEM_LABELS,
    STAGE_LABELS,
    STATE_LABELS,
    discard_shunt,
    retry_shunt,
)
from xinxiang.store.models import QuarantineRow
from xinxiang.store.shunts import list_shunts
from xinxiang.web.accounts import audit_request
from xinxiang.web.permissions import allowed
from xinxiang.web.render import page
from xinxiang.web.ticket_panel import REPLY_KINDS, flash, take_flash
from xinxiang.web.views_staff import require

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

KINDS: dict[str, str] = {"holding": "待甄别邮件", "quarantine": "隔离区", "shunt": "搁置区"}
"""The intake lists by URL segment, with their titles."""
_VIEW = {"holding": "view-holding-pen", "quarantine": "view-failures", "shunt": "view-failures"}


def discard_quarantined(ctx: AppContext, quarantine_id: int, now: datetime) -> None:
    """Give up on a quarantined mail (放弃): it stays stored, marked discarded."""
    with ctx.db.unit_of_work() as session:
        row = session.get(QuarantineRow, quarantine_id)
        if row is None or row.state != "open":
            raise XinxiangError(f"隔离区没有未处理的记录 {quarantine_id}")
        row.state, row.resolved_at = "discarded", now


def _retry_quarantined(ctx: AppContext, item_id: int, actor: str, now: datetime) -> str:
    try:
        outcome = retry_quarantined(ctx, item_id, now)
    except LookupError:
        raise XinxiangError(f"隔离区没有记录 {item_id}") from None
    if outcome.status == "quarantined":
        raise XinxiangError(f"仍无法处理：{outcome.reason}")
    tail = f"，工单 {outcome.ticket_number}" if outcome.ticket_number else ""
    return f"已重新处理隔离记录 {item_id}{tail}。"


def _discard_quarantined(ctx: AppContext, item_id: int, actor: str, now: datetime) -> str:
    discard_quarantined(ctx, item_id, now)
    return f"已放弃隔离记录 {item_id}。"


def _retry_shunt(ctx: AppContext, item_id: int, actor: str, now: datetime) -> str:
    retry_shunt(ctx, item_id, actor, now)
    return f"已放回搁置项 {item_id}，所属环节下一轮将重新处理。"


def _discard_shunt(ctx: AppContext, item_id: int, actor: str, now: datetime) -> str:
    discard_shunt(ctx, item_id, actor, now)
    return f"已放弃搁置项 {item_id}。"


def _discard_held(ctx: AppContext, item_id: int, actor: str, now: datetime) -> str:
    discard_held(ctx, item_id, actor, now)
    return f"已关闭待甄别邮件 {item_id}（不作处理）。"


Act = Callable[["AppContext", int, str, datetime], str]
_ACTIONS: dict[tuple[str, str], Act] = {
    ("quarantine", "retry"): _retry_quarantined,
    ("quarantine", "discard"): _discard_quarantined,
    ("shunt", "retry"): _retry_shunt,
    ("shunt", "discard"): _discard_shunt,
    ("holding", "discard"): _discard_held,
}


async def approvals(request: Request) -> Response:
    """`/office/approvals`: every reply waiting for the office, oldest first, to its ticket."""
    state = request.app.state
    with state.ctx.db.session() as session:
        require(request, session, "view-approvals")
        items = list_pending(session)
        return page(
            request,
            "approvals.html",
            title="待审核答复",
            items=items,
            kinds=REPLY_KINDS,
            departments={d.code: d.name for d in state.cfg.departments},
        )


def _rows(session: Session, kind: str) -> list[Any]:
    if kind == "holding":
        return list_holding(session)
    if kind == "quarantine":
        q = select(QuarantineRow).where(QuarantineRow.state == "open").order_by(QuarantineRow.id)
        return list(session.execute(q).scalars())
    return list_shunts(session, ("open", "retried"))


async def intake_list(request: Request) -> Response:
    """`/office/holding|quarantine|shunt`: the list, with the office's actions on each item."""
    state = request.app.state
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise HTTPException(404)
    with state.ctx.db.session() as session:
        actor = require(request, session, _VIEW[kind])
        return page(
            request,
            "intake.html",
            title=KINDS[kind],
            kind=kind,
            rows=_rows(session, kind),
            can_act=allowed(actor, "handle-intake"),
            flash=take_flash(request),
            stages=STAGE_LABELS,
            items=ITEM_LABELS,
            states=STATE_LABELS,
        )


async def intake_action(request: Request) -> Response:
    """`POST /office/<kind>/<id>/<action>`: retry, discard or (holding pen) assign to a ticket."""
    state = request.app.state
    kind, item_id = request.path_params["kind"], int(request.path_params["item_id"])
    action = request.path_params["action"]
    act = _ACTIONS.get((kind, action))
    if kind not in KINDS or (act is None and (kind, action) != ("holding", "assign")):
        raise HTTPException(404)
    form = await request.form()
    now = state.clock()
    with state.ctx.db.session() as session:
        actor = require(request, session)
        may = allowed(actor, "handle-intake")
    ok, text = False, f"无权限的操作（已拒绝）：{kind}-{action}"
    if may:
        try:
            if act is not None:
                text = act(state.ctx, item_id, actor.name, now)
            else:
                ref = str(form.get("ticket", "")).strip()
                if not ref:
                    raise XinxiangError("请填写要归入的工单编号")
                number = assign_held(state.ctx, item_id, ref, actor.name, now)
                text = f"已将待甄别邮件 {item_id} 归入工单 {number}（作为补充来信记录）。"
            ok = True
        except XinxiangError as exc:
            text = str(exc)
        flash(request, ok, text)
    with state.ctx.db.unit_of_work() as session:
        what = f"{kind}-{action}" if may else "forbidden"
        detail = text if ok else f"未执行：{text}"
        audit_request(session, request, actor, now, what, f"{kind}:{item_id}", detail)
    if not may:
        raise HTTPException(403)
    return RedirectResponse(f"/office/{kind}", status_code=303)
