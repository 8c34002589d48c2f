"""Page rendering of the web console: the Jinja2 environment and the Chinese time wording.

Deadlines read the way the policy says them: a due at 00:00 is the end of the day before,
written "24:00 前" — never "00:00" (which would read as the start of that day).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from xinxiang.domain.states import STATUS_LABELS
from xinxiang.handlers.documents import URGENCY_LABELS
from xinxiang.replies.render import format_cn_datetime, format_cn_deadline
from xinxiang.web.permissions import ROLE_LABELS
from xinxiang.web.security import CSRF_FIELD


def cn_time(value: datetime | None, tz: str) -> str:
    """An instant in the school's zone: `2026年12月2日（星期三）14:05`; "—" for none."""
    return "—" if value is None else format_cn_datetime(value, tz)


@lru_cache(maxsize=4096)
def cn_due(value: datetime | None, tz: str) -> str:
    """A deadline: `2026年12月2日（星期三）17:30 前`; an end-of-day due as `… 24:00 前`.

    Remembered (a pure function of an instant and a zone): a list page words a hundred
    deadlines, and deadlines bunch on the same ends of working days and hours."""
    return "—" if value is None else f"{format_cn_deadline(value, tz)} 前"


def cn_date(value: datetime | None, tz: str) -> str:
    """The calendar day of an instant in the school's zone: `2026年12月2日`."""
    if value is None:
        return "—"
    local = value.astimezone(ZoneInfo(tz))
    return f"{local.year}年{local.month}月{local.day}日"


_STATUS_TEXT = {status.value: label for status, label in STATUS_LABELS.items()}


def status_label(value: str) -> str:
    """The Chinese name of a ticket status (已转办, 待审核 …); an unknown one as it is."""
    return _STATUS_TEXT.get(value, value)


def filesize(size: int) -> str:
    """`512 B`, `12.3 KB`, `4.0 MB`."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


# What markupsafe's `escape` (the templates' autoescape) does to a str, as one C-level pass
# without a Markup object per value: for the many cells of a list page (`views_staff`).
_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def escape_text(value: str) -> str:
    """`value` with `& < > " '` escaped exactly as the templates' autoescape escapes them."""
    return value.translate(_HTML_ESCAPES)


@lru_cache(maxsize=256)
def options(choices: tuple[tuple[str, str], ...], selected: str | None) -> Markup:
    """A filter's `<option>`s (value, label), the `selected` one marked: the same few lists
    with one of a few values chosen on every list page, so each is written once."""
    return Markup(
        "".join(
            f'<option value="{escape_text(value)}"{" selected" if value == selected else ""}>'
            f"{escape_text(label)}</option>"
            for value, label in choices
        )
    )


STATUS_CHOICES = tuple(_STATUS_TEXT.items())


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The console's template environment (autoescaped; undefined names are errors)."""
    env = Environment(
        loader=PackageLoader("xinxiang.web", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship in the package: no stat() per page
    )
    env.filters.update(
        cn_time=cn_time, cn_due=cn_due, cn_date=cn_date, status=status_label, filesize=filesize
    )
    env.globals["options"] = options
    env.globals.update(
        ROLE_LABELS=ROLE_LABELS,
        URGENCY_LABELS=URGENCY_LABELS,
        STATUS_LABELS=_STATUS_TEXT,
        STATUS_CHOICES=STATUS_CHOICES,
        CSRF_FIELD=CSRF_FIELD,
    )
    return env


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render template `name` with what every page needs: the CSRF token, the actor, the zone."""
    state = request.app.state
    html = (
        environment()
        .get_template(name)
        .render(
            csrf_token=request.scope.get("session", {}).get("csrf", ""),
            actor=getattr(request.state, "actor", None),
            school=state.cfg.settings.school.name,
            tz=state.cfg.settings.school.timezone,
            path=request.url.path,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)
