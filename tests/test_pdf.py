"""The 处理单 PDF (`xinxiang.replies.pdf`): content, escaping, CJK font, text round trip."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from xinxiang.replies.pdf import render_record_html, render_record_pdf
from xinxiang.replies.record_view import RecordDeadline, RecordReply, TicketRecord, sample_record

TZ = ZoneInfo("Asia/Shanghai")
DUE = datetime(2026, 11, 20, 17, 30, tzinfo=TZ)

DEADLINE_STATES = [
    # (met_at, now, expected)
    (DUE - timedelta(hours=1), DUE + timedelta(days=3), "按时"),
    (DUE, DUE + timedelta(days=3), "按时"),
    (DUE + timedelta(minutes=1), DUE + timedelta(days=3), "超时"),
    (None, DUE - timedelta(minutes=1), "未到期"),
    (None, DUE, "未到期"),
    (None, DUE + timedelta(minutes=1), "超时"),
]


@pytest.mark.parametrize(("met_at", "now", "expected"), DEADLINE_STATES)
def test_deadline_state(met_at: datetime | None, now: datetime, expected: str) -> None:
    assert RecordDeadline("正式回复", DUE, met_at).state(now) == expected


def test_html_has_every_part_of_the_record() -> None:
    record = sample_record()
    html = render_record_html(record)
    for text in (
        "示例大学“接诉即办”阅批处理单",
        record.number,
        record.subject,
        "东区学生公寓3号楼的热水供应一直不稳定",
        "一、来信内容",
        "二、分类及依据",
        "keyword-logistics",
        "三、转办及办理过程",
        "转后勤管理处承办",
        "四、办理时限",
        "五、答复及审核",
        "审核：党政办公室 王芳，2026-11-22 09:02",
        "六、拟办意见与领导批示",
        "七、支撑材料",
        record.evidence[0].sha256,
        "180.0 KB",
        'font-family: "Noto Sans CJK SC"',
        'content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"',
        "size: A4",
    ):
        assert text in html, text


def test_query_code_is_never_printed() -> None:
    record = sample_record()
    assert record.query_code not in render_record_html(record)


def test_times_are_shown_in_the_record_time_zone() -> None:
    record = dataclasses.replace(
        sample_record(), received_at=datetime(2026, 11, 18, 13, 47, tzinfo=UTC)
    )
    assert "2026-11-18 21:47" in render_record_html(record)
    utc = dataclasses.replace(record, tz="UTC")
    html = render_record_html(utc)
    assert "2026-11-18 13:47" in html
    assert "UTC 时区" in html


def test_deadline_rows_show_met_late_and_open() -> None:
    html = render_record_html(sample_record())
    assert html.count('class="state-按时"') == 4
    assert html.count('class="state-超时"') == 1
    assert html.count('class="state-未到期"') == 1


def test_unapproved_reply_and_empty_sections_say_so() -> None:
    bare = dataclasses.replace(
        sample_record(),
        classification=(),
        events=(),
        deadlines=(),
        evidence=(),
        replies=(RecordReply("初步回复", "教务处", "正在核实。", DUE),),
        department=None,
    )
    html = render_record_html(bare)
    for text in ("未经党政办公室审核", "暂无办理记录", "暂无时限", "暂无支撑材料", "未派单"):
        assert text in html


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _hostile_record() -> TicketRecord:
    r = sample_record("2026-000777")
    return dataclasses.replace(
        r,
        subject="测试" + HOSTILE,
        body=r.body + "\n" + HOSTILE,
        petitioner_name="</td><script>",
        replies=(RecordReply("正式回复", "后勤管理处", "答复" + HOSTILE, DUE),),
    )


def test_markup_in_a_letter_is_escaped_not_injected() -> None:
    html = render_record_html(_hostile_record())
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


@given(st.text(max_size=200))
@settings(max_examples=60, deadline=None)
def test_any_letter_text_appears_escaped_verbatim(body: str) -> None:
    html = render_record_html(dataclasses.replace(sample_record(), body=body))
    assert f'<div class="letter">{escape(body)}</div>' in html


# --- the PDF itself (needs poppler-utils) ---------------------------------------------------

needs_poppler = pytest.mark.skipif(
    shutil.which("pdffonts") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdffonts, pdftotext) not installed",
)


@pytest.fixture(scope="module")
def pdf_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    files = {}
    for name, record in (("sample", sample_record()), ("hostile", _hostile_record())):
        path = out / f"{name}.pdf"
        path.write_bytes(render_record_pdf(record))
        files[name] = path
    return files


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_pdf_is_a_pdf(pdf_files: dict[str, Path]) -> None:
    data = pdf_files["sample"].read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")


@needs_poppler
def test_pdf_embeds_a_cjk_font(pdf_files: dict[str, Path]) -> None:
    fonts = _run("pdffonts", str(pdf_files["sample"])).splitlines()[2:]
    cjk = [line for line in fonts if "NotoSansCJK" in line.replace("-", "")]
    assert cjk, fonts
    # Columns: name type encoding emb sub uni …: every CJK font is embedded.
    assert all(" yes " in line for line in cjk)


@needs_poppler
def test_pdf_text_round_trips(pdf_files: dict[str, Path]) -> None:
    record = sample_record()
    text = re.sub(r"\s+", "", _run("pdftotext", str(pdf_files["sample"]), "-"))
    for expected in (
        record.number,
        "阅批处理单",
        "东区学生公寓3号楼的热水供应一直不稳定",
        "目前热水供应已恢复正常",
        "党政办公室王芳",
        record.evidence[0].sha256[:20],
    ):
        assert expected in text, expected
    assert record.query_code not in text


@needs_poppler
def test_pdf_has_page_numbers_on_a4(pdf_files: dict[str, Path]) -> None:
    info = _run("pdfinfo", str(pdf_files["sample"]))
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert "595.276 x 841.89" in info or "595.28 x 841.89" in info  # A4 in points
    text = re.sub(r"\s+", "", _run("pdftotext", str(pdf_files["sample"]), "-"))
    for n in range(1, pages + 1):
        assert f"第{n}页/共{pages}页" in text


@needs_poppler
def test_hostile_markup_is_printed_as_text(pdf_files: dict[str, Path]) -> None:
    text = _run("pdftotext", str(pdf_files["hostile"]), "-")
    assert '<script>alert("x")</script>' in text
    assert "2026-000777" in text


def test_importing_the_module_does_not_load_weasyprint() -> None:
    code = "import sys, xinxiang.replies.pdf; assert 'weasyprint' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
