"""The 接诉即办 处理单 as HTML and PDF (WeasyPrint), from a `TicketRecord`.

The HTML is self-contained (CSS inlined, no external resources), so the same string renders the
same everywhere. The font is named explicitly ("Noto Sans CJK SC") because fontconfig's default
for `sans-serif` differs between servers and may pick a font without Chinese glyphs.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from xinxiang.replies.record_view import TicketRecord

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

TRACK_NAMES = {1: "一般事项", 2: "需本部门研究", 3: "需学校研究"}

_render_lock = threading.Lock()


def _format_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024 or unit == "MB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


@pass_context
def _format_dt(ctx: Context, value: datetime) -> str:
    # Times are shown in the document's own zone, whatever zone they were stored in.
    doc = ctx.get("r") or ctx["a"]
    return value.astimezone(doc.zone).strftime("%Y-%m-%d %H:%M")


@pass_context
def _format_due(ctx: Context, value: datetime) -> str:
    # A deadline at 00:00 is the end of the day before: "2026-12-07 24:00", never "… 00:00".
    record: TicketRecord = ctx["r"]
    local = value.astimezone(record.zone)
    if local.hour == 0 and local.minute == 0:
        return (local - timedelta(days=1)).strftime("%Y-%m-%d") + " 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


@cache
def template_environment() -> Environment:
    """The Jinja2 environment of the PDF documents (处理单, 答复函): escaped, with date filters."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["filesize"] = _format_size
    env.filters["dt"] = _format_dt
    env.filters["due"] = _format_due
    return env


@cache
def font_configuration() -> FontConfiguration:
    """The shared WeasyPrint `FontConfiguration`, created on first use (it is slow to build)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def tz_label(tz: str) -> str:
    """How a document names its time zone (北京时间)."""
    return "北京时间" if tz in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else f"{tz} 时区"


def render_record_html(record: TicketRecord) -> str:
    """Render the 处理单 as a self-contained HTML document (all text escaped)."""
    context: dict[str, Any] = {
        "r": record,
        "track_name": TRACK_NAMES.get(record.track, f"第{record.track}类"),
        "tz_label": tz_label(record.tz),
    }
    template = template_environment().get_template("record.html")
    return template.render(context)


def html_to_pdf(html: str) -> bytes:
    """Render an HTML string to PDF bytes with the shared font configuration."""
    from weasyprint import HTML

    # WeasyPrint's font configuration wraps fontconfig/pango state that is not safe to share
    # between threads; PDF rendering is CPU-bound anyway, so serialising costs little.
    with _render_lock:
        pdf: bytes = HTML(string=html).write_pdf(font_config=font_configuration())
    return pdf


def render_record_pdf(record: TicketRecord) -> bytes:
    """Render the 处理单 of `record` as an A4 PDF with an embedded CJK font."""
    return html_to_pdf(render_record_html(record))
