"""What a notification says (通知内容): the minimum, built only from non-personal fields.

`Notice` has no field that could hold a petitioner's name, address or the letter's text, so
nothing of the kind can leave through a third-party platform however a caller fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

KIND_LABELS = {
    "emergency": "紧急来信",
    "suspected_emergency": "疑似紧急来信",
    "overdue": "办理逾期",
    "escalation": "督办",
    "health_alert": "系统告警",
    "health_recovered": "系统恢复",
}


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice: its kind, the ticket number (工单号) or a component label, deadline, link."""

    kind: str
    subject: str
    deadline: datetime | None = None
    link: str = ""
    phone: str = ""


def compose(notice: Notice, tz: ZoneInfo) -> str:
    """The text of `notice` (a few short lines in Chinese)."""
    label = KIND_LABELS.get(notice.kind, notice.kind)
    lines = [f"【书记校长信箱·{label}】{notice.subject}"]
    if notice.deadline is not None:
        lines.append(f"期限：{notice.deadline.astimezone(tz):%Y-%m-%d %H:%M}")
    if notice.phone:
        lines.append(f"24小时值班电话：{notice.phone}")
    if notice.link:
        lines.append(f"详情：{notice.link}")
    return "\n".join(lines)
