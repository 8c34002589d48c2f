"""Ticket notices to the notifiers (工单通知): emergencies, overdue warnings and 督办.

Called in the deciding transaction next to the mail of the same notice; only the ticket number,
the kind, the deadline, the link and (for emergencies) the school's 24-hour number go out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from xinxiang.config import Config, Department
from xinxiang.notify.message import Notice
from xinxiang.notify.queue import enqueue_notice

EMERGENCY_KINDS = frozenset({"emergency", "suspected_emergency"})


def notify_ticket(
    session: Session,
    cfg: Config,
    *,
    number: str,
    kind: str,
    key: str,
    to: Iterable[Department | None],
    deadline: datetime | None,
    now: datetime,
) -> int:
    """Queue the notice `kind` of ticket `number` for the departments `to`; rows added."""
    school = cfg.settings.school
    notice = Notice(
        kind=kind,
        subject=f"工单 {number}",
        deadline=deadline,
        link=school.public_url,
        phone=(school.emergency_phone or school.security_phone) if kind in EMERGENCY_KINDS else "",
    )
    targets = list({d.code: d for d in to if d is not None}.values())
    return enqueue_notice(session, cfg, key=key, notice=notice, to=targets, now=now)
