"""The web console as a Starlette ASGI app (网上工作台): `create_app(ctx)` builds it.

Nothing connects at import time; the app holds the deployment's `AppContext`, a clock (so tests
never patch time) and the in-memory rate limiters. Routes live in `views_public` (no login) and
`views_staff` (accounts); the middleware in `security` wraps them all.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from xinxiang.services.context import AppContext
from xinxiang.web import (
    phone_revisit,
    revisit,
    supervision,
    views_actions,
    views_cas,
    views_department,
    views_intake,
    views_letter,
    views_policy,
    views_public,
    views_staff,
)
from xinxiang.web.render import page
from xinxiang.web.security import (
    MAX_FORM_BYTES,
    CsrfMiddleware,
    HeadersMiddleware,
    RateLimiter,
    SessionMiddleware,
)

SESSION_SECONDS = 8 * 3600  # one working day; then sign in again
CAS_PATH = "/login/cas"
CAS_LOGOUT_MAX_BYTES = 16 * 1024  # the CAS server's logoutRequest is about 400 bytes
STATIC = Path(__file__).with_name("static")

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def session_key(ctx: AppContext) -> bytes:
    """The cookie-signing key, derived from the deployment's token key (no new secret to keep),
    under its own label so a session signature can never pass for a reply token."""
    return hmac.new(ctx.token_key, b"xinxiang web session v1", hashlib.sha256).digest()


async def _not_found(request: Request, exc: Exception) -> Response:
    return page(request, "error.html", 404, title="页面不存在", message="页面不存在或无权访问。")


async def _forbidden(request: Request, exc: Exception) -> Response:
    return page(request, "error.html", 403, title="无权访问", message="当前账号无权访问此页面。")


def upload_limit(ctx: AppContext) -> Callable[[str], int]:
    """The request size allowed per path: the upload forms may carry their files."""
    web = ctx.cfg.settings.web
    evidence = 4 * web.evidence_max_bytes + MAX_FORM_BYTES
    letter = web.letter_max_attachments * web.letter_attachment_max_bytes + MAX_FORM_BYTES

    def limit(path: str) -> int:
        if path == "/letter":
            return letter
        if path == CAS_PATH:
            return CAS_LOGOUT_MAX_BYTES
        if path.startswith("/tickets/") and path.endswith("/dept/evidence"):
            return evidence
        return MAX_FORM_BYTES

    return limit


def create_app(ctx: AppContext, *, clock: Clock = _utcnow) -> Starlette:
    """The console for deployment `ctx`; `clock` gives the aware current time."""

    def epoch() -> float:
        return clock().timestamp()

    routes = [
        Route("/", views_public.start, methods=["GET"]),
        Route("/healthz", views_public.healthz, methods=["GET"]),
        Route("/lookup", views_public.lookup, methods=["GET", "POST"]),
        Route("/revisit/{token}", revisit.rate, methods=["GET", "POST"]),
        Route("/login", views_staff.login, methods=["GET", "POST"]),
        Route(CAS_PATH, views_cas.cas_endpoint, methods=["GET", "POST"]),
        Route("/logout", views_staff.logout, methods=["POST"]),
        Route("/office/", views_staff.dashboard, methods=["GET"]),
        Route("/assessment", views_policy.assessment, methods=["GET"]),
        Route("/topics", views_policy.topics, methods=["GET"]),
        Route("/tickets", views_staff.ticket_list, methods=["GET"]),
        Route("/tickets/{number}", views_staff.ticket_detail, methods=["GET"]),
        Route("/supervision", supervision.supervision, methods=["GET"]),
        Route("/revisits/phone", phone_revisit.phone_revisits, methods=["GET"]),
        Route("/revisits/phone/{number}", phone_revisit.record_phone_rating, methods=["POST"]),
        Route("/tickets/{number}/instruct", supervision.instruct, methods=["POST"]),
        Route("/tickets/{number}/{action}", views_actions.ticket_action, methods=["POST"]),
        Route(
            "/tickets/{number}/dept/{action}",
            views_department.department_action,
            methods=["POST"],
        ),
        Route("/tickets/{number}/files/{sha256}", views_department.download, methods=["GET"]),
        Route("/letter", views_letter.submit, methods=["POST"]),
        Route("/letter/confirm", views_letter.confirm, methods=["GET", "POST"]),
        Route("/office/approvals", views_intake.approvals, methods=["GET"]),
        Route("/office/{kind}", views_intake.intake_list, methods=["GET"]),
        Route(
            "/office/{kind}/{item_id:int}/{action}", views_intake.intake_action, methods=["POST"]
        ),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(HeadersMiddleware),
        Middleware(
            SessionMiddleware, secret=session_key(ctx), max_age=SESSION_SECONDS, clock=epoch
        ),
        # The CAS server's back-channel logout posts without a browser session (views_cas).
        Middleware(CsrfMiddleware, limit=upload_limit(ctx), exempt=frozenset({CAS_PATH})),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            404: _not_found,
            403: _forbidden,
            views_staff.LoginRequired: views_staff.login_redirect,
        },
    )
    app.state.ctx = ctx
    app.state.cfg = ctx.cfg
    app.state.clock = clock
    app.state.epoch = epoch
    # Guessing: per client address for logins and lookups, per ticket number for lookups.
    app.state.login_limiter = RateLimiter(20, 600, epoch)
    app.state.lookup_ip_limiter = RateLimiter(20, 600, epoch)
    app.state.lookup_number_limiter = RateLimiter(5, 3600, epoch)
    # The letter form: per client address an hour, per contact address a day (no CAPTCHA).
    web = ctx.cfg.settings.web
    app.state.letter_ip_limiter = RateLimiter(web.letters_per_ip_per_hour, 3600, epoch)
    app.state.letter_address_limiter = RateLimiter(web.letters_per_address_per_day, 86400, epoch)
    app.state.cas_tickets = views_cas.SeenTickets()
    app.state.cas_logout_limiter = RateLimiter(120, 60, epoch)
    return app
