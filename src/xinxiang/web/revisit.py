"""The rating links of the revisit mail (评价链接): `/revisit/{token}`, no login.

GET only shows what the link would record and a confirmation form — it changes nothing, so a
mail scanner that follows every link cannot vote; the POST (with the session's CSRF token)
records the rating, with an optional comment, through the command bus. A forged, used or
expired link gets a page saying so in Chinese.
"""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from xinxiang.domain.workflow.revisit import RATING_LABELS
from xinxiang.errors import XinxiangError
from xinxiang.handlers import bus
from xinxiang.handlers.messages import Actor, RateTicket
from xinxiang.replies.rating_links import read_link_token
from xinxiang.store.models import TicketRow
from xinxiang.store.models_revisit import RevisitRow
from xinxiang.web.render import page

_FORGED = (
    "评价链接无效，请检查链接是否完整（可直接复制邮件中的整条链接），或直接回复回访邮件进行评价。"
)
_USED = "该评价链接已使用或已失效。如您已评价，感谢您的反馈。"
_EXPIRED = "该评价链接已过期。如需反映情况，请直接回复回访邮件或重新来信。"


def _notice(request: Request, message: str, status: int, *, error: bool = True) -> Response:
    title = "评价未完成" if error else "感谢您的评价"
    return page(
        request, "revisit.html", status, title=title, message=message, error=error, confirm=False
    )


async def rate(request: Request) -> Response:
    """`GET /revisit/{token}`: the confirmation; `POST`: the rating is recorded."""
    state = request.app.state
    ctx = state.ctx
    token = request.path_params["token"]
    read = read_link_token(token, ctx.token_key)
    if read is None:
        return _notice(request, _FORGED, 404)
    nonce, level = read
    now = state.clock()
    with ctx.db.session() as session:
        found = session.execute(
            select(RevisitRow, TicketRow.number)
            .join(TicketRow, TicketRow.id == RevisitRow.ticket_id)
            .where(RevisitRow.nonce == nonce)
        ).first()
    if found is None:
        return _notice(request, _FORGED, 404)
    rnd, number = found
    if rnd.state not in ("sent", "reminded"):
        return _notice(request, _USED, 410)
    if rnd.due_at is not None and now > rnd.due_at:
        return _notice(request, _EXPIRED, 410)
    if request.method != "POST":
        return page(
            request,
            "revisit.html",
            title="满意度评价",
            confirm=True,
            number=number,
            level=level,
            label=RATING_LABELS[level],
            message="",
            error=False,
        )
    form = await request.form()
    comment = str(form.get("comment", "")).strip() or None
    actor = Actor("petitioner", "petitioner-link", "web")
    try:
        bus.handle(RateTicket(actor, number, level, "link", comment, nonce), ctx, now)
    except XinxiangError as exc:
        return _notice(request, str(exc), 409)
    return _notice(
        request,
        f"您对受理编号 {number} 的评价“{RATING_LABELS[level]}”已记录，感谢您的反馈。",
        200,
        error=False,
    )
