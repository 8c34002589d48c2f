"""How deadlines read in mails, PDFs and CLI tables (时限的写法): 24:00 of a day, never 00:00."""

from __future__ import annotations

import re
from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from xinxiang.replies.render import format_cn_deadline

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("due", "shown"),
    [
        # 00:00 of a date is the end of the day before it, whatever kind of day it is.
        (datetime(2026, 12, 2, 0, 0, tzinfo=SH), "2026年12月1日（星期二）24:00"),
        (datetime(2027, 1, 1, 0, 0, tzinfo=SH), "2026年12月31日（星期四）24:00"),
        (datetime(2026, 12, 7, 0, 0, tzinfo=SH), "2026年12月6日（星期日）24:00"),
        # Any other time is shown as it is.
        (datetime(2026, 12, 2, 17, 30, tzinfo=SH), "2026年12月2日（星期三）17:30"),
        (datetime(2026, 12, 2, 0, 1, tzinfo=SH), "2026年12月2日（星期三）00:01"),
        # A UTC instant is read in the school's zone: 16:00 UTC is 00:00 in Shanghai.
        (datetime(2026, 12, 1, 16, 0, tzinfo=ZoneInfo("UTC")), "2026年12月1日（星期二）24:00"),
    ],
)
def test_a_deadline_reads_as_24_00_of_its_day(due: datetime, shown: str) -> None:
    assert format_cn_deadline(due, "Asia/Shanghai") == shown


def test_no_mail_template_shows_a_deadline_as_an_instant() -> None:
    """Every deadline (…_due, …_until, respond_by …) in a mail goes through `cn_deadline`."""
    mail = resources.files("xinxiang") / "templates" / "mail"
    offending = [
        f"{t.name}: {line.strip()}"
        for t in mail.iterdir()
        for line in t.read_text(encoding="utf-8").splitlines()
        if re.search(r"(due|until|_by)\s*\|\s*cn_datetime", line)
    ]
    assert offending == []
