"""The sweep's reminders as mail (办理提醒、逾期警示、督办、阶段性反馈提醒).

The decisions are the pure `dispatch.reminders.notices_due`; `reminder_spec` composes the one
mail of a group of notices of one ticket that say the same thing at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from xinxiang.config import Department
from xinxiang.dispatch.reminders import Level, Notice
from xinxiang.domain.deadlines import DEADLINE_NAMES
from xinxiang.replies.mailer import MailSpec
from xinxiang.store.models import TicketRow

if TYPE_CHECKING:
    from xinxiang.services.context import AppContext

HOW_TO_ANSWER = {
    "response": "直接回复本邮件，正文开头写“受理”",
    "preliminary": "直接回复本邮件，正文开头写“初步回复”，并写明预计正式回复日期",
    "formal": "直接回复本邮件，正文开头写“正式回复”；确需延期的写“延期：至YYYY-MM-DD，原因：……”",
    "dispatch": "运行 xinxiang tickets route 编号 单位 --reason 说明，或回复本邮件“转办：单位”",
    "cohandler": "直接回复本邮件，正文开头写“协办结果”，写明本单位办理情况",
    "progress": "直接回复本邮件，正文开头写“初步回复”，说明办理进展和预计正式回复日期",
}


SUBJECT_TAGS = {
    Level.REMINDER: "办理提醒",
    Level.OVERDUE: "逾期警示",
    Level.ESCALATION: "督办",
    Level.PROGRESS: "阶段性反馈提醒",
}


def overdue_text(due: datetime, now: datetime) -> str:
    """How long past `due` it is at `now` (3天2小时, 5小时, 10分钟)."""
    delta = now - due
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return f"{max(1, int(delta.total_seconds() // 60))}分钟"
    days, rest = divmod(hours, 24)
    return f"{days}天{rest}小时" if days else f"{rest}小时"


ORDER = {"dispatch": 0, "response": 1, "preliminary": 2, "formal": 3, "cohandler": 4}


def deadline_base(kind: str) -> str:
    """The deadline a notice kind is about (`formal-2` → `formal`)."""
    return kind.split("-", 1)[0]


def reminder_spec(
    ctx: AppContext,
    ticket: TicketRow,
    group: Sequence[Notice],
    owner: Department | None,
    lead: Department | None,
    to: list[str],
    now: datetime,
) -> MailSpec:
    """The one mail of `group` (notices of `ticket` due together) to `to`."""
    notice = group[0]
    base = deadline_base(notice.kind)
    name = "、".join(
        dict.fromkeys(
            DEADLINE_NAMES.get(deadline_base(n.kind), n.kind)
            for n in sorted(group, key=lambda n: ORDER.get(deadline_base(n.kind), 9))
        )
    )
    subject = f"【{SUBJECT_TAGS[notice.level]}】{ticket.number} {name} {ticket.subject}"
    howto_kind = max((deadline_base(n.kind) for n in group), key=lambda k: ORDER.get(k, 0))
    return MailSpec(
        kind=notice.level.value,
        to=to,
        subject=subject,
        template=notice.level.value,
        key=notice.key,
        context={
            "notice": notice,
            "deadline_name": name,
            "due": notice.due,
            "now": now,
            "department": owner or ctx.cfg.office,
            "lead_department": lead,
            "is_cohandler": base == "cohandler",
            "overdue_by": overdue_text(notice.due, now) if now >= notice.due else "",
            "how_to_answer": HOW_TO_ANSWER.get(howto_kind, HOW_TO_ANSWER["formal"]),
            "stage": notice.step if notice.level is Level.PROGRESS else "",
        },
    )
