"""Specification of the reports (周报, 月报, 情况专报) and their mailing.

The PDF has the records' font and SVG charts that carry no script and load nothing from outside;
the XLSX holds the same tables (text from letters stays text); the reports are mailed on
schedule to the office and the leaders, each once, through the outbox.
"""

from __future__ import annotations

import contextlib
import re
import zlib
from datetime import UTC, datetime
from email import message_from_bytes, policy
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from assessment_helpers import FROZEN, november
from conftest import TmpConfig
from inbound_helpers import context
from sweep_helpers import local, new_ticket
from xinxiang.cli import main
from xinxiang.reports.charts import bar_chart, line_chart, pie_chart
from xinxiang.reports.data import month_period, period_report
from xinxiang.reports.mailing import XLSX, due_reports, queue_due_reports
from xinxiang.reports.render import render_report_html
from xinxiang.store.models import OutboxRow

SVG_NS = "http://www.w3.org/2000/svg"


def assert_self_contained(markup: str) -> None:
    """No script, no reference that would load anything (the SVG namespace is a name)."""
    assert "<script" not in markup.lower()
    assert not re.search(r"(?:href|src)\s*=", markup, re.I)
    assert "url(" not in markup.replace("url(#", "")
    assert not re.findall(r"https?://", markup.replace(SVG_NS, ""))


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (object streams included)."""
    out = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(m.group(1)))
    return b"\n".join(out)


@pytest.mark.parametrize(
    "svg",
    [
        bar_chart("按承办单位", ["后勤管理处", "图书馆"], [("本期", [3, 1]), ("上期", [2, None])]),
        pie_chart("满意度分布", [("非常满意", 3), ("满意", 0), ("不满意", 1)]),
        line_chart("每日来信", ["12-01", "12-02"], [("本期", [1, 4])]),
    ],
    ids=["bar", "pie", "line"],
)
def test_charts_are_svg_without_script_or_outside_reference(svg: str) -> None:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert_self_contained(svg)
    assert "Noto Sans CJK SC" in svg


def test_the_monthly_report_as_pdf_and_xlsx(tmp_config: TmpConfig, tmp_path: Path) -> None:
    cfg_dir = tmp_config()
    ctx = context(cfg_dir)
    november(ctx)
    new_ticket(ctx, local(2026, 11, 10, 9, 0))  # a letter through the real intake
    data = period_report(ctx, month_period("2026-11", FROZEN, ctx.cfg.tz), FROZEN)
    assert next(r.label for r in data.totals) == "收到来信"
    assert {r.label: r.count for r in data.satisfaction}["基本满意"] == 1
    assert [x.department for x in data.ranking[:3]] == ["hqc", "jwc", "xsc"]
    html = render_report_html(data, "示例大学", "Asia/Shanghai")
    assert "<svg" in html and "三率考评排名" in html
    assert_self_contained(html)

    pdf, xlsx = tmp_path / "m.pdf", tmp_path / "m.xlsx"
    args = ["report", "monthly", "-c", str(cfg_dir), "--month", "2026-11"]
    assert main([*args, "--out", str(pdf), "--xlsx", str(xlsx)]) == 0
    body = pdf.read_bytes()
    assert body.startswith(b"%PDF")
    inflated = pdf_text(body)
    assert b"NotoSansCJK" in inflated
    # No script, no link, nothing fetched or launched (the font's copyright names a site).
    for bad in (b"/JavaScript", b"/JS", b"/URI", b"/Launch", b"/SubmitForm", b"/GoToR"):
        assert bad not in inflated, bad
    wb = load_workbook(BytesIO(xlsx.read_bytes()))
    assert {
        "总体情况",
        "按渠道",
        "按承办单位",
        "逾期工单",
        "延期工单",
        "满意度",
        "三率排名",
    } <= set(wb.sheetnames)
    ranking = list(wb["三率排名"].iter_rows(min_row=2, values_only=True))
    assert ranking[0][1] == "后勤管理处"


def test_topic_report_lists_the_matching_letters_and_keeps_text_as_text(
    tmp_config: TmpConfig, tmp_path: Path
) -> None:
    cfg_dir = tmp_config()
    ctx = context(cfg_dir)
    new_ticket(ctx, local(2026, 11, 10, 9, 0), ("=1+1 热水", "12号楼热水没有了。"))
    new_ticket(
        ctx, local(2026, 11, 11, 9, 0), ("图书馆座位", "占座严重。"), sender="b@stu.example.edu.cn"
    )
    pdf, xlsx = tmp_path / "t.pdf", tmp_path / "t.xlsx"
    args = ["report", "topic", "-c", str(cfg_dir), "--query", "热水"]
    args += ["--from", "2026-11-01", "--to", "2026-11-30", "--out", str(pdf), "--xlsx", str(xlsx)]
    assert main(args) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    ws = load_workbook(BytesIO(xlsx.read_bytes()))["相关来信"]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == 1
    subject = rows[0][5]
    assert subject.value == "=1+1 热水" and subject.data_type == "s"


@pytest.mark.parametrize(
    ("at", "keys"),
    [
        # Monday 7 December 2026, 07:55 in Beijing: nothing yet.
        (datetime(2026, 12, 6, 23, 55, tzinfo=UTC), []),
        # 08:05: last week's 周报 and yesterday's 零报告.
        (datetime(2026, 12, 7, 0, 5, tzinfo=UTC), ["weekly:2026-W49", "daily:2026-12-06"]),
        # Tuesday 8 December: November froze at 00:00, its 月报 is due (the week's too, if
        # it was not sent: the caller checks the notices).
        (
            datetime(2026, 12, 8, 0, 5, tzinfo=UTC),
            ["weekly:2026-W49", "monthly:2026-11", "daily:2026-12-07"],
        ),
    ],
)
def test_reports_fall_due_on_schedule(tmp_config: TmpConfig, at: datetime, keys: list[str]) -> None:
    ctx = context(tmp_config(overrides={"reports": {"daily_zero_report": True}}))
    assert [d.key for d in due_reports(ctx, at)] == [f"report:{k}" for k in keys]


def test_reports_are_mailed_to_the_office_and_leaders_each_once(tmp_config: TmpConfig) -> None:
    cfg_dir = tmp_config(
        overrides={
            "reports": {
                "weekly": False,
                "daily_zero_report": True,
                "leaders": ["shuji@example.edu.cn"],
            }
        }
    )
    ctx = context(cfg_dir)
    november(ctx)
    tuesday = datetime(2026, 12, 8, 0, 5, tzinfo=UTC)
    assert queue_due_reports(ctx, tuesday) == ["report:monthly:2026-11", "report:daily:2026-12-07"]
    assert queue_due_reports(ctx, tuesday) == []
    with ctx.db.unit_of_work() as s:
        rows = list(s.execute(select(OutboxRow).order_by(OutboxRow.id)).scalars())
    assert [r.kind for r in rows] == ["report_monthly", "report_daily"]
    for row in rows:
        assert "shuji@example.edu.cn" in row.recipients
        assert set(ctx.cfg.office.emails) <= set(row.recipients)
    monthly = message_from_bytes(rows[0].raw or b"", policy=policy.default)
    attached = {p.get_content_type() for p in monthly.iter_attachments()}  # type: ignore[attr-defined]
    assert attached == {"application/pdf", XLSX}
    daily = message_from_bytes(rows[1].raw or b"", policy=policy.default)
    text = daily.get_body(("plain",)).get_content()  # type: ignore[attr-defined]
    assert "零报告" in text and "新收来信：0 件" in text
