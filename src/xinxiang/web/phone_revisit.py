"""电话回访 on the console: the office's phone list and the ratings it takes by phone.

A petitioner who left a phone number and no e-mail is revisited by phone (seed 002 第十条,
"通过预留的联系方式"): `services.revisit.phone_list` puts the round on the office's list.
`GET /revisits/phone` shows it (whom to call, the number, about what, by when);
`POST /revisits/phone/{number}` records the rating the office took, through the command layer
(`handlers.RateTicket`, channel phone, with the signed-in account as who took it and the call's
time). Office only (`permissions.allowed(actor, "phone-revisit")`); every attempt is audited.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from xinxiang.domain.workflow.revisit import RATING_LABELS
from xinxiang.errors import XinxiangError
from xinxiang.handlers import handle
from xinxiang.handlers.messages import RateTicket
from xinxiang.services.revisit import phone_list
from xinxiang.web.accounts import audit_request
from xinxiang.web.permissions import allowed
from xinxiang.web.render import page
from xinxiang.web.ticket_panel import flash, take_flash
from xinxiang.web.views_actions import FORBIDDEN_LABEL, command_actor
from xinxiang.web.views_staff import require

MAX_COMMENT_CHARS = 1000
LIST_PATH = "/revisits/phone"


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _call_time(value: str, tz: tzinfo) -> datetime | None:
    """The call's time from a `datetime-local` field (school time); empty: None (now)."""
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise XinxiangError("通话时间格式不对，应为 年-月-日 时:分") from exc
    return at if at.tzinfo is not None else at.replace(tzinfo=tz)


async def phone_revisits(request: Request) -> Response:
    """`GET /revisits/phone`: the rounds waiting for a rating taken by phone."""
    state = request.app.state
    now = state.clock()
    with state.ctx.db.session() as session:
        require(request, session, "phone-revisit")
        calls = phone_list(state.ctx, session, now)
        return page(
            request,
            "phone_revisit.html",
            title="电话回访",
            calls=calls,
            levels=RATING_LABELS,
            departments={d.code: d.name for d in state.cfg.departments},
            flash=take_flash(request),
            now=now,
        )


async def record_phone_rating(request: Request) -> Response:
    """`POST /revisits/phone/{number}`: the rating the office took by phone, with who and when."""
    state = request.app.state
    number = request.path_params["number"]
    form = await request.form()
    now = state.clock()
    with state.ctx.db.unit_of_work() as session:
        actor = require(request, session)
        may = allowed(actor, "phone-revisit")
        key, detail = "forbidden", f"{FORBIDDEN_LABEL}：revisit-phone"
        if may:
            key = "revisit-phone"
            try:
                level_text = _text(form, "level")
                if level_text not in {str(k) for k in RATING_LABELS}:
                    raise XinxiangError("请选择评价（5 非常满意 … 1 非常不满意）")
                comment = _text(form, "comment")[:MAX_COMMENT_CHARS] or None
                taken = _call_time(_text(form, "taken_at"), state.cfg.tz)
                cmd = RateTicket(
                    command_actor(actor), number, int(level_text), "phone", comment, taken_at=taken
                )
                done = handle(cmd, state.ctx, now, session=session)
            except XinxiangError as exc:  # refused: no round waiting, a time in the future …
                detail = f"未执行：{exc}"
                flash(request, False, str(exc))
            else:
                detail = done.summary
                flash(request, True, done.summary)
        audit_request(session, request, actor, now, key, number, detail)
    if not may:
        raise HTTPException(403)
    return RedirectResponse(LIST_PATH, status_code=303)
