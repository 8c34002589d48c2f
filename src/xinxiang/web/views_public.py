"""Pages without login: the start page (with the letter form of `views_letter`), the health
check, and the 查询码 lookup (进度查询).

The lookup takes the ticket number and the code by POST only, so a code never sits in a URL
(logs, history, Referer). It shows the status and public dates, nothing internal: no staff
names, no department notes, no letter text. Tries are limited per client, and wrong codes per
ticket number.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, text
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from xinxiang.domain.tickets import parse_ticket_number
from xinxiang.store.models import TicketRow
from xinxiang.web.render import page
from xinxiang.web.security import client_ip
from xinxiang.web.views_letter import form_context


async def start(request: Request) -> Response:
    """`/`: the petitioner's start page with the progress lookup form."""
    return page(request, "start.html", title="书记校长信箱", **form_context(request.app.state.ctx))


async def healthz(request: Request) -> Response:
    """200 while the service and its database answer; 503 otherwise."""
    try:
        with request.app.state.ctx.db.session() as session:
            session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", whatever its kind
        return PlainTextResponse("database unavailable", status_code=503)
    return PlainTextResponse("ok")


def normalise_code(value: str) -> str:
    """A 查询码 as typed: case, spaces and dashes do not matter."""
    return "".join(c for c in value.upper() if c.isalnum())


async def lookup(request: Request) -> Response:
    """`POST /lookup` (number, code): the ticket's progress for the right code, else nothing."""
    if request.method != "POST":
        return RedirectResponse("/", status_code=303)
    form = await request.form()
    number = str(form.get("number", "")).strip()
    code = normalise_code(str(form.get("code", "")))
    state = request.app.state
    # Every lookup counts against the client; only wrong codes count against the number, so
    # guessing one ticket's code stops while its petitioner can still look it up.
    if not state.lookup_ip_limiter.hit(client_ip(request)) or not (
        state.lookup_number_limiter.allows(number)
    ):
        return page(
            request,
            "start.html",
            429,
            title="查询过于频繁",
            error="查询次数过多，请稍后再试。",
            number=number,
            **form_context(state.ctx),
        )
    found: TicketRow | None = None
    if parse_ticket_number(number) is not None and code:
        with state.ctx.db.session() as session:
            ticket = session.execute(
                select(TicketRow).where(TicketRow.number == number)
            ).scalar_one_or_none()
        if ticket is not None and secrets.compare_digest(
            normalise_code(ticket.query_code).encode(), code.encode()
        ):
            found = ticket
    if found is None:
        state.lookup_number_limiter.hit(number)
        return page(
            request,
            "start.html",
            title="进度查询",
            error="受理编号或查询码不正确。",
            number=number,
            **form_context(state.ctx),
        )
    return page(request, "lookup.html", title=f"进度查询 {found.number}", ticket=found)
