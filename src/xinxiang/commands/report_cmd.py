"""`xinxiang report weekly|monthly|topic`: the 周报, 月报 and 情况专报 as PDF (and XLSX).

Seeds 000 三(三) (周汇总/月总结), 002 第十四条 (每周情况专报), 001 五1. The PDF has the records'
font and SVG charts; `--xlsx` writes the same tables as a workbook.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from xinxiang.commands._common import ConfigOption, now_utc, open_context
from xinxiang.errors import XinxiangError
from xinxiang.reports.data import (
    Period,
    ReportData,
    month_period,
    period_report,
    topic_report,
    week_period,
)
from xinxiang.reports.render import render_report_pdf, render_report_xlsx
from xinxiang.services.context import AppContext

OutOption = Annotated[Path, typer.Option("--out", help="PDF 文件路径。")]
XlsxOption = Annotated[Path | None, typer.Option("--xlsx", help="同时生成 XLSX 文件。")]

report_app = typer.Typer(help="生成周报、月报和情况专报。", no_args_is_help=True)


def _write(ctx: AppContext, data: ReportData, out: Path, xlsx: Path | None) -> None:
    school = ctx.cfg.settings.school.name
    tz = ctx.cfg.settings.school.timezone
    try:
        out.write_bytes(render_report_pdf(data, school, tz))
        if xlsx is not None:
            xlsx.write_bytes(render_report_xlsx(data, tz))
    except OSError as exc:
        raise XinxiangError(f"无法写入报告文件：{exc}") from None
    typer.echo(f"已生成 {out}" + (f" 和 {xlsx}" if xlsx else ""))


def _period_report(
    config: Path | None,
    period_of: Callable[[str | None, datetime, Any], Period],
    text: str | None,
    out: Path,
    xlsx: Path | None,
) -> None:
    ctx = open_context(config)
    now = now_utc()
    try:
        period = period_of(text, now, ctx.cfg.tz)
    except ValueError as exc:
        raise XinxiangError(str(exc)) from None
    _write(ctx, period_report(ctx, period, now), out, xlsx)


@report_app.command("weekly")
def weekly(
    out: OutOption,
    config: ConfigOption = None,
    week: Annotated[
        str | None, typer.Option("--week", help="ISO 周，如 2026-W49；默认上周。")
    ] = None,
    xlsx: XlsxOption = None,
) -> None:
    """Write the weekly report (default: last week)."""
    _period_report(config, week_period, week, out, xlsx)


@report_app.command("monthly")
def monthly(
    out: OutOption,
    config: ConfigOption = None,
    month: Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM；默认上月。")] = None,
    xlsx: XlsxOption = None,
) -> None:
    """Write the monthly report (default: last month)."""
    _period_report(config, month_period, month, out, xlsx)


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise XinxiangError(f"{name} 的日期格式应为 YYYY-MM-DD：{text!r}") from None


@report_app.command("topic")
def topic(
    query: Annotated[str, typer.Option("--query", help="检索词，多个词用空格分开（须全部出现）。")],
    since: Annotated[str, typer.Option("--from", help="起始日期 YYYY-MM-DD（含）。")],
    until: Annotated[str, typer.Option("--to", help="截止日期 YYYY-MM-DD（含）。")],
    out: OutOption,
    config: ConfigOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Write a topical report (情况专报) on the letters matching the words."""
    ctx = open_context(config)
    tz = ctx.cfg.tz
    start = datetime.combine(_day(since, "--from"), time(), tz)
    end = datetime.combine(_day(until, "--to") + timedelta(days=1), time(), tz)
    if end <= start:
        raise XinxiangError("--to 不能早于 --from")
    try:
        data = topic_report(ctx, query, start, end, now_utc())
    except ValueError as exc:
        raise XinxiangError(str(exc)) from None
    _write(ctx, data, out, xlsx)


def register(app: typer.Typer) -> None:
    """Attach `report`."""
    app.add_typer(report_app, name="report")
