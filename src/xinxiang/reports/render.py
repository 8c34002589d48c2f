"""A report as HTML → PDF (WeasyPrint, the records' font) and as XLSX (openpyxl).

The HTML is self-contained: the CSS is inlined and the charts are inline SVG from
`reports.charts` (no script, nothing loaded from outside), so the PDF looks the same on every
server. Every text from letters is escaped by Jinja's autoescape.
"""

from __future__ import annotations

import io
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from xinxiang.replies.pdf import TEMPLATES, html_to_pdf
from xinxiang.reports.charts import bar_chart, line_chart, pie_chart
from xinxiang.reports.data import ReportData


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


@cache
def _environment(tz: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    zone = ZoneInfo(tz)
    env.filters["dt"] = lambda v: v.astimezone(zone).strftime("%Y-%m-%d %H:%M") if v else "—"
    env.filters["pct"] = _pct
    return env


def charts_for(data: ReportData) -> dict[str, str]:
    """The report's charts as SVG strings (the web console shows the same ones)."""
    out: dict[str, str] = {}
    if data.daily:
        series: list[tuple[str, list[float | None]]] = [
            ("本期", [float(n) for _, n, _ in data.daily])
        ]
        if data.period is not None:
            series.append(("上期", [float(p) for _, _, p in data.daily]))
        out["daily"] = line_chart("每日来信", [d for d, _, _ in data.daily], series)
    top = data.by_department[:12]
    if top:
        series2: list[tuple[str, list[float | None]]] = [("本期", [float(r.count) for r in top])]
        if data.period is not None:
            series2.append(("上期", [float(r.previous) for r in top]))
        out["department"] = bar_chart(
            "按承办单位",
            [r.label for r in top],
            series2,
            horizontal=True,
            height=max(220, 28 * len(top) + 80),
        )
    if any(r.count for r in data.satisfaction):
        out["satisfaction"] = pie_chart(
            "满意度分布", [(r.label, r.count) for r in data.satisfaction]
        )
    return out


def render_report_html(data: ReportData, school: str, tz: str) -> str:
    """The report as one self-contained HTML document."""
    if data.period is not None:
        subtitle = data.period.title + "（与上期比较：" + data.period.previous_label + "）"
    else:
        zone = ZoneInfo(tz)
        subtitle = (
            f"检索词：{data.query}　时段：{data.start.astimezone(zone):%Y-%m-%d} 至 "
            f"{data.end.astimezone(zone):%Y-%m-%d}"
        )
    context: dict[str, Any] = {
        "d": data,
        "school": school,
        "subtitle": subtitle,
        "css": Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
        "charts": {k: Markup(v) for k, v in charts_for(data).items()},
    }
    return _environment(tz).get_template("report.html").render(context)


def render_report_pdf(data: ReportData, school: str, tz: str) -> bytes:
    """The report as an A4 PDF with the records' embedded CJK font."""
    return html_to_pdf(render_report_html(data, school, tz))


def _when(value: datetime | None, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if value else ""


def render_report_xlsx(data: ReportData, tz: str) -> bytes:
    """The report's tables as an XLSX workbook, one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)

    def sheet(title: str, header: list[str], rows: list[list[object]]) -> None:
        ws = wb.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                # Text from letters is text: "=…" must never become a formula.
                if cell.data_type == "f":
                    cell.data_type = "s"
        for i, _ in enumerate(header):
            ws.column_dimensions[chr(ord("A") + i)].width = 16

    trend = ["本期", "上期", "变化"]
    sheet(
        "总体情况",
        ["项目", *trend],
        [[r.label, r.count, r.previous, r.change] for r in data.totals],
    )
    for title, rows in (
        ("按渠道", data.by_channel),
        ("按类别", data.by_category),
        ("按承办单位", data.by_department),
    ):
        sheet(title, [title[1:], *trend], [[r.label, r.count, r.previous, r.change] for r in rows])
    if data.period is not None:
        sheet("每日来信", ["日期", "本期", "上期"], [list(d) for d in data.daily])
        sheet(
            "按时办理",
            ["承办单位", "纳入统计", "按时响应率", "按时办结率"],
            [[x.name, x.tally.counted, x.response_rate, x.completion_rate] for x in data.on_time],
        )
        sheet(
            "逾期工单",
            ["工单号", "承办单位", "逾期时限", "时限"],
            [[t.number, t.department, t.what, _when(t.when, tz)] for t in data.overdue],
        )
        sheet(
            "延期工单",
            ["工单号", "承办单位", "延期", "批准时间"],
            [[t.number, t.department, t.what, _when(t.when, tz)] for t in data.extended],
        )
        sheet("满意度", ["评价", "件数"], [[r.label, r.count] for r in data.satisfaction])
        sheet(
            "三率排名",
            ["排名", "单位", "纳入考评", "不计入", "响应率", "办结率", "满意率", "得分", "约谈"],
            [
                [
                    x.rank,
                    x.name,
                    x.tally.counted,
                    x.tally.excluded,
                    x.response_rate,
                    x.completion_rate,
                    x.satisfaction_rate,
                    x.score,
                    "是" if x.flag_interview else "",
                ]
                for x in data.ranking
            ],
        )
    else:
        sheet(
            "相关来信",
            ["工单号", "收信时间", "承办单位", "类别", "状态", "主题"],
            [
                [t.number, _when(t.when, tz), t.department, t.what, t.status, t.subject]
                for t in data.letters
            ],
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
