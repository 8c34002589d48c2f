"""What a notification says (通知内容): the minimum, built only from non-personal fields.

`Notice` has no field that could hold a petitioner's name, address or the letter's text, so
nothing of the kind can leave through a third-party platform however a caller fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
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


def _deadline(local: datetime) -> str:
    # 00:00 is the end of the day before: "2026-12-01 24:00", never "2026-12-02 00:00".
    if local.hour == 0 and local.minute == 0:
        return f"{local - timedelta(days=1):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"


def compose(notice: Notice, tz: ZoneInfo) -> str:
    """The text of `notice` (a few short lines in Chinese)."""
    label = KIND_LABELS.get(notice.kind, notice.kind)
    lines = [f"【书记校长信箱·{label}】{notice.subject}"]
    if notice.deadline is not None:
        lines.append(f"期限：{_deadline(notice.deadline.astimezone(tz))}")
    if notice.phone:
        lines.append(f"24小时值班电话：{notice.phone}")
    if notice.link:
        lines.append(f"详情：{notice.link}")
    return "\n".join(lines)
