"""The petitioner's 答复函: the answer as a document of its own, for the writer of the letter.

Two documents, two readers (seed 004 第十一条 and 第十五条(四)): the internal 阅批处理单
(`replies.record_view`) carries the dispatch history, deadlines, rule hits, return reasons and
approvals for the office and the archive; the 答复函 carries only what the petitioner may read —
their letter, the answer as the department signed it, the department and its public contact,
the dates, and how to reach the office. `AnswerLetter` has no field for anything internal, so
nothing internal can reach it however a caller fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from xinxiang.replies.pdf import html_to_pdf, template_environment, tz_label


@dataclass(frozen=True, slots=True)
class AnswerLetter:
    """Everything the 答复函 shows (all datetimes timezone-aware; shown in `tz`)."""

    school: str
    office_name: str
    number: str
    petitioner_name: str
    subject: str
    body: str
    received_at: datetime
    answer: str
    answered_at: datetime
    department: str
    department_phone: str = ""
    office_phone: str = ""
    office_hours: str = ""
    lookup_url: str = ""
    tz: str = "Asia/Shanghai"

    @property
    def zone(self) -> ZoneInfo:
        """The letter's time zone."""
        return ZoneInfo(self.tz)


def render_answer_letter_html(letter: AnswerLetter) -> str:
    """The 答复函 as a self-contained HTML document (all text escaped)."""
    context: dict[str, Any] = {"a": letter, "tz_label": tz_label(letter.tz)}
    return template_environment().get_template("answer_letter.html").render(context)


def render_answer_letter_pdf(letter: AnswerLetter) -> bytes:
    """The 答复函 as an A4 PDF with an embedded CJK font."""
    return html_to_pdf(render_answer_letter_html(letter))


def answer_letter_filename(number: str) -> str:
    """The attachment name of a ticket's 答复函."""
    return f"答复函-{number}.pdf"
