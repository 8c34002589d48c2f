"""`/login/cas`: signing in through the school's 统一身份认证 (CAS 2.0/3.0).

Without a ticket the page sends the browser to the CAS server (remembering, in the signed
session, that a CAS login was started here and where to go afterwards). With a ticket it asks
the CAS server to validate it, maps the CAS user to an account, and starts the same signed
session as a local login. A ticket arriving in a browser that never started a CAS login here is
refused (login CSRF), a ticket is used once, and every attempt is audited.

`POST /login/cas` is the CAS server's back-channel single logout: a form field `logoutRequest`
whose SAML `SessionIndex` is the service ticket of a login here. Every session made from that
ticket ends at once (`web.sessions`), so the user's next request goes to the login page. It
carries no CSRF token (it comes from the CAS server, not a browser), so it does nothing but
that: the document is read with DTDs and entities forbidden and a small size cap, an unknown or
already ended ticket changes nothing, the sender's address may be restricted
(`[web.cas] logout_from`), and the requests per address are limited.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from xinxiang.config import CasSection
from xinxiang.errors import XinxiangError
from xinxiang.logs import log_event
from xinxiang.web import cas
from xinxiang.web.accounts import actor_for, audit, get_user
from xinxiang.web.render import page
from xinxiang.web.security import client_ip, new_session, safe_next
from xinxiang.web.sessions import end_cas_sessions, start_session
from xinxiang.web.views_staff import home_for

PENDING = "cas_pending"
NEXT = "cas_next"
SEEN_TICKETS = 10_000


class SeenTickets:
    """Tickets already presented here (bounded): the CAS server refuses a second use anyway;
    this refuses it before asking."""

    def __init__(self, size: int = SEEN_TICKETS) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first_use(self, ticket: str) -> bool:
        """Record `ticket`; False when it was seen before."""
        if ticket in self._seen:
            return False
        self._seen[ticket] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


def _config(request: Request) -> CasSection:
    section: CasSection | None = request.app.state.cfg.settings.web.cas
    if section is None:
        raise HTTPException(404)
    return section


def _refused(request: Request, message: str, status: int = 403) -> Response:
    return page(request, "error.html", status, title="统一身份认证登录失败", message=message)


async def cas_login(request: Request) -> Response:
    """`GET /login/cas[?next=…]` → the CAS server; `GET /login/cas?ticket=ST-…` → signed in."""
    section = _config(request)
    state = request.app.state
    data = request.scope["session"]
    ticket = request.query_params.get("ticket")
    if not ticket:
        data[PENDING] = secrets.token_urlsafe(16)
        data[NEXT] = safe_next(request.query_params.get("next"), "")
        return RedirectResponse(cas.login_url(section), status_code=303)
    ip = client_ip(request)
    now = state.clock()
    if not state.login_limiter.hit(ip):
        return _refused(request, "登录尝试过于频繁，请稍后再试。", 429)
    pending = data.get(PENDING)
    next_url = safe_next(data.get(NEXT), "")
    fresh = state.cas_tickets.first_use(ticket)
    result = (
        await cas.validate(section, ticket)
        if pending and fresh
        else cas.CasResult(None, failure="not-started" if not pending else "replayed")
    )
    found = cas.account_for(section, result)
    with state.ctx.db.unit_of_work() as session:
        reason = result.failure or "unmapped"
        user = None
        if found is not None:
            try:
                user = cas.provision(session, state.cfg, found[0], found[1], now)
            except XinxiangError as exc:
                reason = f"refused: {exc}"
        audit(
            session,
            at=now,
            account=(found[0] if found else result.user or "-"),
            role=user.role if user else "",
            ip=ip,
            action="login" if user else "login-failed",
            detail=f"cas{section.version}" if user else f"cas{section.version}: {reason}"[:200],
        )
        if user is not None:
            actor = actor_for(user, state.cfg)
            sid = start_session(session, user.name, "cas", now, cas_ticket=ticket)
            new_session(
                request.scope,
                state.epoch,
                user=user.name,
                epoch=user.session_epoch,
                via="cas",
                sid=sid,
            )
            return RedirectResponse(next_url or home_for(actor), status_code=303)
    data.pop(PENDING, None)
    if result.user is not None:
        return _refused(
            request,
            f"统一身份认证账号 {result.user} 未开通本系统的访问权限（或账号已停用），"
            "请联系党政办公室开通。",
        )
    return _refused(request, "统一身份认证票据无效或已过期，请重新登录。")


async def cas_logout_request(request: Request) -> Response:
    """`POST /login/cas` with `logoutRequest`: the CAS server ends a login's sessions here.

    Answers 200 whenever the request is well-formed, whether or not a session ended (the CAS
    server needs no more, and a caller learns nothing about which tickets exist); 400 for a
    document that is not a logout request, 403 from an address `logout_from` does not name.
    """
    section = _config(request)
    state = request.app.state
    ip = client_ip(request)
    if not section.logout_allowed_from(ip):
        log_event("web_cas_logout", outcome="refused-source")
        return PlainTextResponse("forbidden", status_code=403)
    if not state.cas_logout_limiter.hit(ip):
        return PlainTextResponse("too many requests", status_code=429)
    form = await request.form()
    document = form.get("logoutRequest")
    ticket = cas.logout_ticket(document) if isinstance(document, str) else None
    if ticket is None:
        log_event("web_cas_logout", outcome="bad-request")
        return PlainTextResponse("bad request", status_code=400)
    now = state.clock()
    with state.ctx.db.unit_of_work() as session:
        ended = end_cas_sessions(session, ticket, now)
        for account in sorted(set(ended)):
            user = get_user(session, account)
            audit(
                session,
                at=now,
                account=account,
                role=user.role if user is not None else "",
                ip=ip,
                action="logout",
                detail=f"cas{section.version}: single logout ({ended.count(account)})",
            )
    log_event("web_cas_logout", outcome="ended" if ended else "no-session", sessions=len(ended))
    return PlainTextResponse("ok")


async def cas_endpoint(request: Request) -> Response:
    """`/login/cas`: GET is the browser's login, POST the CAS server's back-channel logout."""
    if request.method == "POST":
        return await cas_logout_request(request)
    return await cas_login(request)
